"""Data of the plans app."""
