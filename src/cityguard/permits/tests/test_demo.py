"""The permits demo: permits in several states, chains signed by different people, never
the applicant at the end, confined spaces of the right kind and organisation."""

import pytest

from cityguard.permits import demo
from cityguard.permits.models import Permit

pytestmark = pytest.mark.django_db


def test_demo(users):
    out = demo.load_demo(scale=0.1, seed=1)
    assert out["work_permits"] == Permit.objects.count() >= 4
    assert len(set(Permit.objects.values_list("state", flat=True))) >= 3
    for p in Permit.objects.all():
        signed = [a.signed_by_id for a in p.approvals.order_by("position") if a.signed_by_id]
        assert len(signed) == len(set(signed))
        if p.state not in ("applied", "cancelled"):
            assert len(signed) == p.approvals.count() and signed[-1] != p.applicant_id
        if p.kind == "confined_space":
            assert p.place.kind == "confined_space" and p.place.organization_id == p.organization_id
        assert p.events.filter(kind="applied").exists()
    assert Permit.objects.filter(kind="confined_space").exists()
