"""API of the chemicals app, mounted at /api/v1/chemicals."""

from ninja import Router

router = Router(tags=["chemicals"])
