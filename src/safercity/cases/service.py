"""The case file's use cases (being written)."""
