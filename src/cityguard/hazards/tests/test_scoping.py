"""Scoping by street: who sees which hazards, and the street fast path's equivalence with
core.access's rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from cityguard import testing
from cityguard.core.access import scope_queryset
from cityguard.core.choices import Role
from cityguard.hazards import indicators, services
from cityguard.hazards.models import Hazard

from .helpers import walk


def test_street_fast_path_selects_what_core_access_selects(
    users: Any, district: Any, report: Any
) -> None:
    report(title="w1")
    report(title="w2", organization=None, lon=121.52, lat=31.30)  # west street, no community
    report(actor=users.east_officer, organization=users.east_org, title="e1")
    report(actor=users.staff, organization=None, jurisdiction=district.root, title="district-level")
    community_officer = testing.make_user(
        "wc1", Role.STREET_OFFICER, jurisdiction=district.west_community
    )
    people = [
        users.admin,
        users.staff,
        users.west_officer,
        users.east_officer,
        users.west_manager,
        users.east_manager,
        users.viewer,
        users.api_client,
        community_officer,
    ]
    for person in people:
        fast = set(Hazard.objects.visible_to(person).values_list("title", flat=True))
        core = set(scope_queryset(Hazard.objects.all(), person).values_list("title", flat=True))
        assert fast == core, person
    assert set(Hazard.objects.visible_to(users.west_officer).values_list("title", flat=True)) == {
        "w1",
        "w2",
    }
    assert set(Hazard.objects.visible_to(community_officer).values_list("title", flat=True)) == {
        "w1"
    }
    assert Hazard.objects.get(title="w2").street == district.west
    assert Hazard.objects.get(title="district-level").street is None


def test_district_staff_supervise_every_major_hazard(
    users: Any, district: Any, report: Any
) -> None:
    today = timezone.localdate()
    report(title="west general")
    report(
        actor=users.east_officer,
        organization=users.east_org,
        title="east major",
        severity="major",
        deadline=today + timedelta(days=40),
    )
    report(actor=users.east_officer, organization=users.east_org, title="east general")
    west_staff = testing.make_user("wstaff", Role.DISTRICT_STAFF, jurisdiction=district.west)
    seen = set(Hazard.objects.visible_to(west_staff).values_list("title", flat=True))
    assert seen == {"west general", "east major"}


def test_pages_answer_404_outside_the_street(users: Any, report: Any) -> None:
    hazard = report()
    web = Client()
    web.force_login(users.east_officer)
    assert web.get(f"/hazards/{hazard.pk}/").status_code == 404
    r = web.post(f"/hazards/{hazard.pk}/actions/assign/", {"assign-responsible_person": "x"})
    assert r.status_code == 404
    board = web.get("/hazards/").content.decode()
    assert hazard.title not in board
    web.force_login(users.west_officer)
    assert hazard.title in web.get("/hazards/").content.decode()


def test_indicators_on_a_known_dataset(users: Any, report: Any) -> None:
    today = timezone.localdate()
    west_code = users.west_org.jurisdiction.parent.code
    east_code = users.east_org.jurisdiction.parent.code
    major = report(title="major", severity="major", deadline=today + timedelta(days=50))
    late = report(title="late")
    Hazard.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=2))
    on_time = walk(report(title="on time"), users, "assign", "start", "submit", "verify")
    late_closed = walk(report(title="closed late"), users, "assign", "start", "submit")
    Hazard.objects.filter(pk=late_closed.pk).update(deadline=today - timedelta(days=1))
    late_closed = services.transition(users.west_officer, late_closed, "verify", comment="ok")
    services.mark_accident(
        users.staff, users.east_org, today - timedelta(days=5), domain="city_gas"
    )
    report(actor=users.east_officer, organization=users.east_org, title="again", domain="city_gas")
    report(
        actor=users.east_officer, organization=users.east_org, title="east major", severity="major"
    )

    assert on_time.closed_on_time is True and late_closed.closed_on_time is False
    assert indicators.open_major_hazards(None, None) == 2
    assert indicators.open_major_hazards(None, west_code) == 1
    assert indicators.open_major_hazards(None, west_code, domain="city_gas") == 0
    assert indicators.overdue_count(None, None) == 1
    assert indicators.overdue_count(None, east_code) == 0
    assert indicators.on_time_rectification_rate(None, west_code) == 0.5
    assert indicators.on_time_rectification_rate(None, east_code) is None
    assert indicators.recurrence_count(None, None) == 1
    assert indicators.recurrence_count(None, east_code, domain="city_gas") == 1
    assert indicators.recurrence_count(None, west_code) == 0
    # A user narrows to what they may see.
    assert indicators.open_major_hazards(users.east_officer, None) == 1
    assert indicators.open_major_hazards(users.viewer, None) == 2
    assert indicators.open_major_hazards(None, "no-such-street") == 0
    assert major.is_open
