"""SaferCity: one open platform for a city's public safety services."""

__version__ = "0.1.0"
