"""Fixtures of the chemicals tests: units of the two test enterprises."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.chemicals import services
from cityguard.chemicals.choices import UnitKind
from cityguard.chemicals.models import Chemical, Unit


def chem(key: str) -> Chemical:
    return Chemical.objects.get(key=key)


def make_unit(actor: Any, org: Any, name: str, **fields: Any) -> Unit:
    data = {"organization": org, "kind": UnitKind.STORAGE, "name": name, **fields}
    return services.save_unit(actor, data)


@pytest.fixture
def chems(db: Any) -> SimpleNamespace:
    return SimpleNamespace(
        chlorine=chem("t1-12"),
        ammonia=chem("t1-1"),
        petrol=chem("t1-66"),
        diesel=chem("diesel"),
        toluene=chem("t1-64"),
        sodium_cyanide=chem("sodium-cyanide"),
        peroxide=chem("hydrogen-peroxide"),
        hcl=chem("hydrochloric-acid"),
        lpg=chem("t1-52"),
    )


@pytest.fixture
def west_unit(users: SimpleNamespace) -> Unit:
    return make_unit(users.admin, users.west_org, "液氯储罐区", exposed_population=60)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in English; once the Chinese catalogue holds them, the default
    # language would otherwise turn them into Chinese outside a request.
    from django.utils import translation

    with translation.override("en"):
        yield
