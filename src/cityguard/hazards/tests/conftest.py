"""Fixtures of the hazards tests: uploads go to a temporary folder; a helper reports a
hazard as a given user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from cityguard.hazards import services
from cityguard.hazards.models import Hazard


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    # Assertions read the English msgids; Chinese (the default) is covered by test_i18n.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report(users: SimpleNamespace) -> Callable[..., Hazard]:
    """`report(actor=users.west_officer, **fields)`: a general fire hazard at west_org."""

    def make(actor: Any = None, **fields: Any) -> Hazard:
        data: dict[str, Any] = {
            "title": "疏散通道堵塞",
            "source": "street_inspection",
            "domain": "fire",
            "severity": "general",
            "organization": users.west_org,
            "deadline": timezone.localdate() + timedelta(days=10),
        }
        data.update(fields)
        return services.report_hazard(actor or users.west_officer, data)

    return make
