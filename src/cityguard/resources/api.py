"""API of the resources app, mounted at /api/v1/resources."""

from ninja import Router

router = Router(tags=["resources"])
