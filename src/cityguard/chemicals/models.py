"""Data of the chemicals app."""
