"""API of the hazards app, mounted at /api/v1/hazards."""

from ninja import Router

router = Router(tags=["hazards"])
