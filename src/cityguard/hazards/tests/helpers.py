"""Helpers shared by the hazards tests."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from cityguard.hazards import imagecheck, services
from cityguard.hazards.models import Hazard


def png_upload(name: str = "photo.png", size: tuple[int, int] = (3, 2)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, imagecheck.tiny_png(*size), content_type="image/png")


def walk(hazard: Hazard, users: SimpleNamespace, *steps: str) -> Hazard:
    """Take a west hazard through lifecycle steps with the usual actors."""
    actors = {
        "assign": users.west_officer,
        "start": users.west_manager,
        "submit": users.west_manager,
        "verify": users.west_officer,
        "reject": users.west_officer,
    }
    for step in steps:
        data = {"responsible_person": "张三"} if step == "assign" else None
        hazard = services.transition(actors[step], hazard, step, comment="ok", data=data)
    return hazard
