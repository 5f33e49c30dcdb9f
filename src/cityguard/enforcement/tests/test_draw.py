"""The "double random" draw: reproducible with its seed, constraints held."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cityguard import testing
from cityguard.enforcement import draw, services
from cityguard.enforcement.models import PlanTarget


def test_pure_draw_is_reproducible_and_distinct() -> None:
    pool = list(range(1, 51))
    people = [101, 102, 103, 104, 105]
    a = draw.draw(pool, people, 10, 3, seed=42)
    b = draw.draw(list(reversed(pool)), list(reversed(people)), 10, 3, seed=42)
    assert a == b
    assert len({t for t, _o in a}) == 10
    for _t, officers in a:
        assert len(officers) == 3 and len(set(officers)) == 3
        assert set(officers) <= set(people)
    assert draw.draw(pool, people, 10, 3, seed=43) != a


@pytest.mark.parametrize(
    ("n", "per", "code"),
    [(60, 2, "pool"), (5, 6, "officers"), (5, 1, "per_target"), (0, 2, "count")],
)
def test_pure_draw_refuses_impossible(n: int, per: int, code: str) -> None:
    with pytest.raises(draw.DrawError) as exc:
        draw.draw(range(1, 51), [1, 2, 3, 4, 5], n, per, seed=1)
    assert exc.value.code == code


@pytest.mark.django_db
def test_plan_draw_stores_seed_and_pools(officers: Any, users: Any, district: Any) -> None:
    for n in range(6):
        testing.make_organization(
            users.admin,
            f"西区商场{n}",
            121.51 + n * 0.001,
            31.28,
            kind="commercial_complex",
            credit_code=testing.credit_code(20 + n),
        )
    testing.make_organization(
        users.admin,
        "东区商场",
        121.55,
        31.28,
        kind="commercial_complex",
        credit_code=testing.credit_code(40),
    )
    today = timezone.localdate()
    plan = services.create_plan(
        users.west_officer,
        {
            "title": "消防双随机",
            "inspection_type": "fire_safety",
            "period_start": today,
            "period_end": today + dt.timedelta(days=30),
            "kinds": ["commercial_complex"],
            "target_count": 4,
            "officers_per_target": 2,
        },
    )
    assert plan.jurisdiction == district.west
    services.draw_plan(users.west_officer, plan, seed=12345)
    plan.refresh_from_db()
    assert plan.seed == 12345 and plan.status == "drawn"
    assert len(plan.pool) == 6  # west complexes only
    # qualified officers of the west and the district; the expired one is left out
    assert set(plan.officer_pool) == {
        officers.w1.pk,
        officers.w2.pk,
        officers.d1.pk,
        officers.d2.pk,
    }
    targets = list(PlanTarget.objects.filter(plan=plan).prefetch_related("officers"))
    assert len(targets) == 4
    for t in targets:
        ids = [o.pk for o in t.officers.all()]
        assert len(ids) == 2 == len(set(ids))
        assert set(ids) <= set(plan.officer_pool)
        assert t.organization.kind == "commercial_complex"
    assert services.verify_draw(plan)
    expected = draw.draw(plan.pool, plan.officer_pool, 4, 2, 12345)
    assert [
        (t.organization_id, sorted(o.pk for o in t.officers.all())) for t in targets
    ] == expected
    with pytest.raises(ValidationError):
        services.draw_plan(users.west_officer, plan)
    services.publish_plan(users.west_officer, plan)
    plan.refresh_from_db()
    assert plan.status == "published" and plan.published_at


@pytest.mark.django_db
def test_plan_draw_refused_when_the_pool_is_too_small(officers: Any, users: Any) -> None:
    today = timezone.localdate()
    plan = services.create_plan(
        users.staff,
        {
            "title": "x",
            "inspection_type": "fire_safety",
            "period_start": today,
            "period_end": today,
            "kinds": ["commercial_complex"],
            "target_count": 3,
        },
    )
    with pytest.raises(ValidationError) as exc:
        services.draw_plan(users.staff, plan)
    assert "plan" in exc.value.message_dict
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.seed is None


@pytest.mark.django_db
def test_plan_input_is_checked(users: Any) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            users.staff,
            {
                "title": "",
                "inspection_type": "nope",
                "period_start": today,
                "period_end": today - dt.timedelta(days=1),
                "kinds": ["zoo"],
                "target_count": 0,
                "officers_per_target": 1,
            },
        )
    assert set(exc.value.message_dict) == {
        "title",
        "inspection_type",
        "period_end",
        "kinds",
        "target_count",
        "officers_per_target",
    }
