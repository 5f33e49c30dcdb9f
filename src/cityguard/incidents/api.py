"""API of the incidents app, mounted at /api/v1/incidents."""

from ninja import Router

router = Router(tags=["incidents"])
