"""Data of the risk app."""
