"""API of the risk app, mounted at /api/v1/risk."""

from ninja import Router

router = Router(tags=["risk"])
