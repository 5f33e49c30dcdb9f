"""Demo data of the enforcement app, on top of the core (and hazards) demo.

Officers (about 80 % qualified) in the district and every street; a "double random"
fire-safety plan over the commercial complexes, drawn with a seed and published, with an
inspection of each target (some fail, so plan-06 stays below 100 %, and their findings
become hazards); a work-safety plan over enterprises; and cases walked through the
services: orders, penalties from the discretion table, decisions (one major, with its
legal review), publications. Deterministic for a seed; counts grow with `scale` (cases
and inspections are capped so a large demo stays quick to load).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.models import Jurisdiction, Organization
from cityguard.hazards import imagecheck

from . import services
from .models import Officer

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "军", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "华", "丽"]
MAX_CASES = 120
MAX_INSPECTIONS = 400
FIRE_ITEMS = [
    "消防设施、器材完好有效",
    "疏散通道、安全出口畅通",
    "消防控制室值班",
    "电气线路敷设规范",
]
WORK_ITEMS = ["安全生产责任制", "从业人员安全培训", "隐患排查治理台账", "特种作业人员持证上岗"]


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, imagecheck.tiny_png(4, 3), content_type="image/png")


def _present(target: Any, day: dt.date) -> list[Officer] | None:
    """The target's drawn officers whose certificate was valid on the inspection day (the
    service refuses any other); None when fewer than the two an inspection needs, so that
    the demo stays valid whatever officers earlier loads left behind and whatever the date."""
    officers = [o for o in target.officers.all() if o.is_active and o.certificate_valid(day)]
    return officers if len(officers) >= 2 else None


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    r = random.Random(f"cityguard-enforcement-{seed}")
    User = get_user_model()
    staff = User.objects.filter(username="demo-staff").first()
    officer_user = User.objects.filter(username="demo-street").first()
    root = Jurisdiction.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if staff is None or root is None:
        return {"enforcement_officers": 0}
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("path"))
    today = timezone.localdate()

    # Officers: a quarter at the district, the rest across the streets; every fifth one
    # not qualified (an expired certificate or too few training hours).
    n_officers = max(12, round(40 * scale))
    officers = []
    first = Officer.objects.count()  # certificate numbers stay unique when loaded again
    for i in range(n_officers):
        node = root if i % 4 == 0 or not streets else streets[i % len(streets)]
        unqualified = i % 5 == 4
        officers.append(
            services.save_officer(
                staff,
                {
                    "name": r.choice(SURNAMES) + r.choice(GIVEN) + r.choice(GIVEN),
                    "jurisdiction": node,
                    "department": "区应急管理局执法大队"
                    if node == root
                    else f"{node.name}综合执法队",
                    "certificate_no": f"31011{first + i:05d}",
                    "issuing_body": "上海市人民政府",
                    "valid_until": today
                    + dt.timedelta(days=-30 if unqualified and i % 2 else r.randint(200, 1500)),
                    "training_hours": Decimal(
                        r.randint(10, 30) if unqualified and not i % 2 else r.randint(40, 96)
                    ),
                    "phone": f"021-6{r.randint(1000000, 9999999)}",
                },
            )
        )

    counts = {
        "enforcement_officers": len(officers),
        "enforcement_inspections": 0,
        "enforcement_cases": 0,
        "enforcement_decisions": 0,
    }
    # The fire-safety plan over the commercial complexes.
    complexes = Organization.objects.filter(
        kind=OrganizationKind.COMMERCIAL_COMPLEX, is_active=True
    ).count()
    failed: list[Any] = []
    if complexes:
        plan = services.create_plan(
            staff,
            {
                "title": f"{today.year}年大型商业综合体消防安全“双随机”抽查",
                "inspection_type": "fire_safety",
                "period_start": today - dt.timedelta(days=60),
                "period_end": today + dt.timedelta(days=30),
                "kinds": [OrganizationKind.COMMERCIAL_COMPLEX],
                "target_count": min(
                    complexes, max(3, round(complexes * 0.8)), MAX_INSPECTIONS // 2
                ),
                "jurisdiction": root,
            },
        )
        services.draw_plan(staff, plan, seed=r.randrange(2**40))
        services.publish_plan(staff, plan)
        for target in plan.targets.select_related("organization").prefetch_related("officers"):
            fail = r.random() < 0.3
            items = [{"text": t, "result": "pass"} for t in FIRE_ITEMS]
            if fail:
                items[r.randrange(len(items))].update(result="fail", note="现场检查发现问题")
            day = today - dt.timedelta(days=r.randint(1, 55))
            present = _present(target, day)
            if present is None:
                continue
            inspection = services.record_inspection(
                staff,
                {
                    "organization": target.organization,
                    "target": target,
                    "inspection_type": "fire_safety",
                    "date": day,
                    "officers": present,
                    "unannounced": r.random() < 0.7,
                    "summary": "按“四不两直”要求开展现场检查。",
                },
                items,
                photos=[_photo("现场.png")],
            )
            counts["enforcement_inspections"] += 1
            if fail:
                failed.append(inspection)

    # The work-safety plan over enterprises (drawn; half its targets inspected so far).
    enterprises = Organization.objects.filter(
        kind=OrganizationKind.ENTERPRISE, is_active=True
    ).count()
    if enterprises >= 2:
        plan = services.create_plan(
            staff,
            {
                "title": f"{today.year}年工贸企业安全生产“双随机”抽查",
                "inspection_type": "work_safety",
                "period_start": today - dt.timedelta(days=30),
                "period_end": today + dt.timedelta(days=60),
                "kinds": [OrganizationKind.ENTERPRISE],
                "target_count": min(enterprises, max(2, round(10 * scale)), MAX_INSPECTIONS // 2),
                "jurisdiction": root,
            },
        )
        services.draw_plan(staff, plan, seed=r.randrange(2**40))
        targets = list(plan.targets.select_related("organization").prefetch_related("officers"))
        for target in targets[: len(targets) // 2]:
            fail = r.random() < 0.5
            items = [
                {"text": t, "result": "fail" if fail and k == 1 else "pass"}
                for k, t in enumerate(WORK_ITEMS)
            ]
            day = today - dt.timedelta(days=r.randint(0, 25))
            present = _present(target, day)
            if present is None:
                continue
            inspection = services.record_inspection(
                staff,
                {
                    "organization": target.organization,
                    "target": target,
                    "inspection_type": "work_safety",
                    "date": day,
                    "officers": present,
                    "unannounced": True,
                },
                items,
                photos=[_photo("检查.png")],
            )
            counts["enforcement_inspections"] += 1
            if fail:
                failed.append(inspection)

    # Cases from failed inspections: most run to a published decision.
    n_cases = min(MAX_CASES, max(3, round(6 * scale)), len(failed))
    for k, inspection in enumerate(failed[:n_cases]):
        fire = inspection.inspection_type == "fire_safety"
        case = services.file_case(
            staff,
            {
                "inspection": inspection,
                "title": "消防设施未保持完好有效" if fire else "未按规定开展安全培训",
                "facts": "现场检查发现问题，经调查核实。",
            },
            [_photo("立案审批表.png")],
        )
        services.record_step(
            staff, case, "investigation", "现场检查笔录、询问笔录、照片", [_photo("询问笔录.png")]
        )
        services.issue_order(
            staff,
            case,
            {
                "kind": "rectify",
                "content": "责令限期整改",
                "deadline": today + dt.timedelta(days=15),
            },
        )
        rule, low, high = ("fpl-60-1-1", 5000, 15000) if fire else ("wsl-97-3", 0, 30000)
        services.propose_penalty(
            staff,
            case,
            {
                "kind": "fine",
                "rule": rule,
                "circumstance": "minor",
                "amount": Decimal(r.randrange(max(low, 1000), high, 1000)),
            },
        )
        decision = services.draft_decision(staff, case, "依法作出行政处罚决定。")
        counts["enforcement_cases"] += 1
        if k % 4 == 3:
            continue  # still open
        services.issue_decision(staff, decision, [_photo("处罚决定书.png")])
        counts["enforcement_decisions"] += 1
        if k % 5 != 1:
            services.publish_decision(
                staff,
                decision,
                {
                    "channel": r.choice(["website", "credit"]),
                    "reference": "https://www.shyp.gov.cn/",
                },
            )

    # One major decision in the demo street officer's street, with its legal review.
    if officer_user is not None:
        area = services.reach(officer_user).path or ""
        org = (
            Organization.objects.filter(kind=OrganizationKind.ENTERPRISE, is_active=True)
            .filter(Q(jurisdiction__path__startswith=area))
            .order_by("pk")
            .first()
        )
        if org is not None and area:
            case = services.file_case(
                officer_user,
                {
                    "organization": org,
                    "title": "重大危险源未登记建档",
                    "facts": "对重大危险源未登记建档，未进行定期检测、评估。",
                },
                [_photo("立案.png")],
            )
            services.record_step(
                officer_user, case, "investigation", "调查取证", [_photo("取证.png")]
            )
            services.propose_penalty(
                officer_user,
                case,
                {
                    "kind": "fine",
                    "rule": "wsl-101-2",
                    "circumstance": "serious",
                    "amount": Decimal(80000),
                },
            )
            decision = services.draft_decision(officer_user, case, "罚款人民币捌万元整。")
            services.review_decision(
                staff, decision, "passed", "事实清楚，证据确凿，适用法律正确，程序合法，裁量适当。"
            )
            services.issue_decision(officer_user, decision, [_photo("决定书.png")])
            services.publish_decision(
                officer_user,
                decision,
                {"channel": "website", "reference": "https://www.shyp.gov.cn/"},
            )
            counts["enforcement_cases"] += 1
            counts["enforcement_decisions"] += 1
    counts["enforcement_qualified"] = (
        Officer.objects.filter(pk__in=[o.pk for o in officers])
        .filter(services.qualified_q(today))
        .count()
    )
    return counts
