"""Import endpoints for organisations and places (being built)."""
