"""Tables of the case file (filled in by the cases capability)."""
