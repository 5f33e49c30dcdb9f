"""The duties demo: published lists with legal bases for departments and streets, tasks
in every situation (on time, late, overdue)."""

import pytest

from cityguard.duties import demo
from cityguard.duties.models import DutyItem, ListVersion

pytestmark = pytest.mark.django_db


def test_demo(users, dw):
    out = demo.load_demo(scale=0.5, seed=1)
    assert out["duty_items"] == DutyItem.objects.exclude(kind="task").count() > 0
    assert not DutyItem.objects.exclude(kind="task").filter(legal_basis="").exists()
    assert ListVersion.objects.filter(state="published", street=dw.west).count() == 3
    assert ListVersion.objects.filter(state="published", organization=dw.dept).count() == 3
    tasks = DutyItem.objects.filter(kind="task")
    assert tasks.filter(owner_user__isnull=True, owner_contact__isnull=True).count() == 0
    assert tasks.filter(status="done").exists() and DutyItem.objects.overdue().exists()
    # every versioned item sits in a version of its own unit and list
    for item in DutyItem.objects.exclude(kind="task").select_related("version"):
        assert item.version.kind == item.kind
        assert (item.version.organization_id, item.version.street_id) == (
            item.organization_id,
            item.street_id,
        )
