"""Data of the resources app."""
