"""Evidence files, stored by content hash, with their chain of custody."""
