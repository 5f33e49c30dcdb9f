import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from cityguard.incidents import indicators, services
from cityguard.plans import services as plans

from .helpers import incident


def test_indicators(users: SimpleNamespace, district) -> None:
    now = timezone.now()
    a = incident(users.admin, deaths=3, occurred_at=now - dt.timedelta(days=10))
    incident(users.admin, lon=121.55, occurred_at=now - dt.timedelta(days=20))
    old = incident(users.admin, deaths=5, occurred_at=now - dt.timedelta(days=400))
    services.close_incident(users.admin, old)
    assert indicators.active_incidents() == 2
    assert indicators.incidents_last_year() == 2
    assert indicators.serious_incidents_last_year() == 1
    assert indicators.deaths_last_year() == 3
    assert indicators.incidents_last_year(None, district.west.code) == 1
    assert indicators.incidents_last_year(users.east_officer, None) == 1
    assert indicators.incidents_last_year(None, "nope") == 0
    assert a.level == 3
    today = timezone.localdate()
    overdue = plans.save_plan(
        users.admin,
        {
            "title": "过期预案",
            "kind": "unit",
            "jurisdiction": district.west,
            "revision_months": 12,
            "last_revised": today - dt.timedelta(days=800),
        },
    )
    plans.save_plan(
        users.admin,
        {"title": "新预案", "kind": "unit", "jurisdiction": district.east, "last_revised": today},
    )
    assert indicators.plans_overdue_for_revision() == 1
    assert indicators.plans_overdue_for_revision(None, district.east.code) == 0
    plans.save_drill(users.admin, {"plan": overdue, "date": today, "kind": "tabletop"})
    plans.save_drill(
        users.admin, {"plan": overdue, "date": today - dt.timedelta(days=500), "kind": "tabletop"}
    )
    assert indicators.drills_last_year() == 1
    assert indicators.drills_last_year(None, district.east.code) == 0
