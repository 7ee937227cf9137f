"""The append-only, hash-chained log of every processing of personal data (DPA 2018 s.62)."""
