"""Fixtures of the enforcement tests: officers in both streets and the district, and a
helper that walks a case to an issued decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cityguard import testing
from cityguard.enforcement import services
from cityguard.enforcement.models import Officer


def make_officer(
    actor: Any, name: str, node: Any, cert: str = "", *, hours: int = 60, valid_days: int = 365
) -> Officer:
    return services.save_officer(
        actor,
        {
            "name": name,
            "jurisdiction": node,
            "certificate_no": cert,
            "issuing_body": "上海市人民政府",
            "valid_until": timezone.localdate() + dt.timedelta(days=valid_days) if cert else None,
            "training_hours": Decimal(hours),
        },
    )


@pytest.fixture
def officers(district: Any, users: Any) -> SimpleNamespace:
    a = users.admin
    return SimpleNamespace(
        d1=make_officer(a, "区执法一", district.root, "D001"),
        d2=make_officer(a, "区执法二", district.root, "D002"),
        w1=make_officer(a, "西执法一", district.west, "W001"),
        w2=make_officer(a, "西执法二", district.west, "W002"),
        e1=make_officer(a, "东执法一", district.east, "E001"),
        e2=make_officer(a, "东执法二", district.east, "E002"),
        expired=make_officer(a, "过期证", district.west, "W009", valid_days=-1),
        untrained=make_officer(a, "学时不足", district.east, "E009", hours=10),
        nocert=make_officer(a, "无证", district.east),
    )


@pytest.fixture
def png() -> bytes:
    from cityguard.hazards import imagecheck

    return imagecheck.tiny_png(3, 2)


def upload(data: bytes, name: str = "photo.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def complex_org(actor: Any, name: str, lon: float, lat: float, n: int) -> Any:
    return testing.make_organization(
        actor, name, lon, lat, kind="commercial_complex", credit_code=testing.credit_code(n)
    )


def same_by_street(code: str, officer: Any, period: Any) -> dict[str, Any]:
    """Assert that the indicator's `by_street` gives exactly what `compute` gives street by
    street, for the whole district (user None) and for `officer`; the district's values."""
    from cityguard.core.figures import street_codes
    from cityguard.indicators.registry import get

    indicator = get(code)
    assert indicator.by_street is not None
    out: dict[str, Any] = {}
    for user in (None, officer):
        expected = {c: indicator.compute(user, c, period) for c in street_codes()}
        assert indicator.by_street(user, period) == expected
        out = out or expected
    return out
