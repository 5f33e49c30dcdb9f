"""Emergency plans and drills."""
