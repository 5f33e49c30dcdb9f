"""Data of the hazards app."""
