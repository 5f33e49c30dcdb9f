"""The demo: an active, an expired and a cancelled warning, published, coverage visible."""

from __future__ import annotations

from typing import Any

from cityguard.warnings import demo, services
from cityguard.warnings.models import Warning


def test_demo_warnings(users: Any, contacts: Any, district: Any) -> None:
    counts = demo.load_demo(scale=0.1, seed=3)
    assert counts["warnings"] == 3
    states = dict(Warning.objects.values_list("kind", "state"))
    assert states == {"rainstorm": "issued", "heat": "expired", "gale": "cancelled"}
    active = Warning.objects.active().get()
    assert active.streets.count() == 2
    cov = services.coverage(active)
    assert cov.total == 3 and cov.percent is not None and cov.reached >= 2
    # The phone-only contact was given a demo address (on the reserved .invalid domain).
    assert (
        contacts.west_phone.__class__.objects.get(pk=contacts.west_phone.pk).email.endswith(
            "@demo.cityguard.invalid"
        )
        or cov.reached == 2
    )
