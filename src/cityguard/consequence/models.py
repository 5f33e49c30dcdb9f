"""Data of the consequence app."""
