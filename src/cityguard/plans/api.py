"""API of the plans app, mounted at /api/v1/plans."""

from ninja import Router

router = Router(tags=["plans"])
