"""Fixtures of the warnings tests: English messages, a helper that drafts (and issues)
a warning, and contacts in both streets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from cityguard.core import services as core_services
from cityguard.warnings import services
from cityguard.warnings.models import Warning


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CITYGUARD_WARNING_WEBHOOK_URL = ""


def warning_data(district: Any, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    data: dict[str, Any] = {
        "kind": "rainstorm",
        "colour": "yellow",
        "authority": "上海市杨浦区气象局",
        "headline": "杨浦区暴雨黄色预警",
        "description": "预计未来6小时内将出现50毫米以上降水。",
        "instruction": "请注意防范积水，地下空间做好挡水准备。",
        "streets": [district.west.code, district.east.code],
        "effective": now - timedelta(minutes=5),
        "expires": now + timedelta(hours=6),
    }
    data.update(fields)
    return data


@pytest.fixture
def draft(district: Any, users: SimpleNamespace) -> Callable[..., Warning]:
    def make(actor: Any = None, **fields: Any) -> Warning:
        return services.save_draft(actor or users.staff, warning_data(district, **fields))

    return make


@pytest.fixture
def issued(
    draft: Callable[..., Warning], users: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> Callable[..., Warning]:
    """`issued(**fields)`: a draft issued by staff, its publication run."""

    def make(**fields: Any) -> Warning:
        warning = draft(**fields)
        with django_capture_on_commit_callbacks(execute=True):
            services.issue(users.staff, warning)
        warning.refresh_from_db()
        return warning

    return make


@pytest.fixture
def contacts(users: SimpleNamespace) -> SimpleNamespace:
    """Two contacts in the west (one with e-mail, one with only a phone), one in the east,
    and one whose role does not receive warnings."""
    admin = users.admin
    save = core_services.save_contact
    return SimpleNamespace(
        west_mail=save(
            admin,
            {
                "organization": users.west_org,
                "name": "王安全",
                "role": "safety_manager",
                "email": "wang@example.cn",
            },
        ),
        west_phone=save(
            admin,
            {
                "organization": users.west_org,
                "name": "李值班",
                "role": "duty",
                "phone": "13800000000",
            },
        ),
        east_mail=save(
            admin,
            {
                "organization": users.east_org,
                "name": "张主任",
                "role": "principal",
                "email": "zhang@example.cn",
            },
        ),
        east_other=save(
            admin,
            {
                "organization": users.east_org,
                "name": "赵技术",
                "role": "technical",
                "email": "zhao@example.cn",
            },
        ),
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
