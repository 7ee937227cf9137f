"""Assembles the capabilities into one web app and one command line."""
