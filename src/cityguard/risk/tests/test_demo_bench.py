"""The demo loader and the benchmark, at a tiny size (structure, not timing)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cityguard import testing
from cityguard.core import services as core_services
from cityguard.risk import bench, demo, scoring
from cityguard.risk.models import Assessment, ControlMeasure, Domain, RiskPoint


@pytest.fixture
def sites(users: SimpleNamespace) -> None:
    admin = users.admin
    testing.make_organization(admin, "创智园区", 121.52, 31.30, kind="park")
    testing.make_organization(admin, "某工地", 121.54, 31.31, kind="construction_site")
    core_services.save_place(
        admin, {"name": "地下车库", "kind": "underground_space", "organization": users.east_org}
    )


def _snapshot() -> list[tuple]:
    return list(
        RiskPoint.objects.order_by("pk").values_list(
            "name", "domain__code", "level", "score", "organization__name", "jurisdiction__code"
        )
    )


def test_demo_loads_consistent_records(users: SimpleNamespace, sites: None) -> None:
    counts = demo.load_demo(scale=0.05, seed=7)
    assert counts["risk_points"] == 20 == RiskPoint.objects.count()
    assert counts["assessments"] == Assessment.objects.count() > 0
    assert counts["control_measures"] == ControlMeasure.objects.count() >= 20
    assert (
        RiskPoint.history.count() == 20
        and ControlMeasure.history.count() == counts["control_measures"]
    )
    methods = set(Assessment.objects.values_list("method", flat=True))
    assert methods <= {"lec", "matrix"}
    for point in RiskPoint.objects.all():
        latest = point.assessments.order_by("-assessed_at", "-id").first()
        if latest is None:
            assert point.level == "" and point.level_rank == 0
            continue
        assert (point.level, point.score, point.next_due) == (
            latest.level,
            latest.score,
            latest.next_due,
        )
        assert point.level_rank == scoring.RANK[point.level]
        rescored = scoring.score(
            latest.method,
            {
                "l": latest.l,
                "e": latest.e,
                "c": latest.c,
                "likelihood": latest.likelihood,
                "severity": latest.severity,
            },
        )
        assert rescored.level == latest.level
    # Located in the tree like the services would: the site's node.
    assert not RiskPoint.objects.filter(jurisdiction__isnull=True).exists()
    assert (
        RiskPoint.objects.visible_to(users.west_officer).count()
        + RiskPoint.objects.visible_to(users.east_officer).count()
        == 20
    )


def test_demo_is_deterministic(users: SimpleNamespace, sites: None) -> None:
    demo.load_demo(scale=0.05, seed=11)
    first = _snapshot()
    ControlMeasure.objects.all().delete()
    RiskPoint.objects.all().delete()
    demo.load_demo(scale=0.05, seed=11)
    assert _snapshot() == first
    demo.load_demo(scale=0.05, seed=12)
    assert _snapshot()[20:] != first


def test_demo_restores_a_missing_taxonomy(users: SimpleNamespace) -> None:
    Domain.objects.filter(code="heat").delete()
    demo.load_demo(scale=0.01, seed=1)
    assert Domain.objects.filter(code="heat").exists()


def test_demo_with_no_sites(db: None) -> None:
    assert demo.load_demo(scale=1, seed=1)["risk_points"] == 0


def test_bench_runs_at_a_tiny_size(capsys: pytest.CaptureFixture[str]) -> None:
    result = bench.main(["--n", "2000", "--loop-n", "500", "--repeat", "1"])
    assert set(result) >= {"n", "vectorised_per_s", "loop_per_s", "ratio", "agree"}
    assert result["agree"] is True
    assert result["ratio"] > 0
    assert "ratio" in capsys.readouterr().out


def test_overdue_report_job(users: SimpleNamespace, sites: None) -> None:
    import datetime as dt

    from django.utils import timezone

    from cityguard.risk import services, tasks

    point = services.save_risk_point(
        users.admin,
        {"name": "老点", "domain": Domain.objects.get(code="fire"), "organization": users.east_org},
    )
    services.add_assessment(
        users.admin,
        point,
        method="lec",
        values={"l": 1, "e": 1, "c": 1},
        assessed_at=timezone.now() - dt.timedelta(days=800),
    )
    assert tasks.report_overdue.call_local() == {"310110002": 1}
    tasks.report_overdue()  # enqueued: runs inline under the tests' immediate mode


def test_admin_pages(client, users: SimpleNamespace, sites: None) -> None:
    from django.contrib.auth import get_user_model

    demo.load_demo(scale=0.01, seed=3)
    su = get_user_model().objects.create_superuser("root", "r@example.com", "x")
    client.force_login(su)
    point = RiskPoint.objects.first()
    for url in (
        "/admin/risk/riskpoint/",
        f"/admin/risk/riskpoint/{point.pk}/change/",
        "/admin/risk/domain/",
        "/admin/risk/assessment/",
    ):
        assert client.get(url).status_code == 200, url
