"""API of the consequence app, mounted at /api/v1/consequence."""

from ninja import Router

router = Router(tags=["consequence"])
