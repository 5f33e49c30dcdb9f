"""Core registry: jurisdiction tree, organisations, places, contacts, access, history."""
