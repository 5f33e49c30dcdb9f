"""Hazards: the lifecycle from report to closure, inspections, look-back, public tips."""
