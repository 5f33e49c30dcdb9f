"""Demo data of the hazards app: about 2,500 × scale hazards over the last 18 months, in
every state, street, domain and month (so the board and charts have shape), with their
timelines, rectification plans for the major ones, look-back dues, inspections against the
seeded checklists, and a few public tips with rewards.

Deterministic for a seed: organisations are picked with a seeded `random.Random` from the
rows in primary-key order; dates are offsets from today. Written in bulk; the bulk path
bypasses the services, so it keeps their rules itself (states follow the lifecycle in
order, the timeline matches the state, closed_on_time compares the closure with the
deadline, escalation only of open overdue hazards, look-back dues of closed major
hazards, street = the jurisdiction's street).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction, Organization

from . import lifecycle as lc
from .choices import LookBackReason, LookBackStatus, RewardStatus, Source, TipStatus
from .models import (
    ChecklistTemplate,
    Hazard,
    HazardEvent,
    Inspection,
    InspectionResult,
    LookBackDue,
    Milestone,
    RectificationPlan,
    Tip,
    TipReward,
)
from .services import add_months, new_tip_code

HAZARDS_PER_SCALE = 2500
BATCH_SIZE = 5000
DAYS_BACK = 540

DOMAIN_WEIGHTS: list[tuple[str, float]] = [
    ("fire", 30),
    ("city_gas", 12),
    ("hazardous_chemicals", 10),
    ("special_equipment", 9),
    ("construction", 8),
    ("confined_space", 6),
    ("urban_buildings", 6),
    ("underground_space", 5),
    ("hazardous_waste", 4),
    ("road_transport", 3),
    ("parks", 3),
    ("explosives", 2),
    ("waterlogging", 2),
]
SOURCE_WEIGHTS: list[tuple[str, float]] = [
    (Source.SELF_INSPECTION, 25),
    (Source.STREET_INSPECTION, 35),
    (Source.DISTRICT_INSPECTION, 15),
    (Source.ENFORCEMENT, 10),
    (Source.PUBLIC_TIP, 8),
    (Source.SENSOR_ALARM, 7),
]
TITLES: dict[str, list[str]] = {
    "fire": [
        "疏散通道堆放杂物",
        "安全出口上锁",
        "灭火器过期未更换",
        "应急照明损坏",
        "消防控制室无人值班",
        "电动自行车楼道充电",
        "防火门常开",
        "自动喷水灭火系统瘫痪",
        "消火栓无水",
    ],
    "city_gas": [
        "燃气软管老化龟裂",
        "未安装可燃气体报警器",
        "地下室使用瓶装液化气",
        "燃气管道锈蚀",
        "燃气设施被占压",
    ],
    "hazardous_chemicals": [
        "禁忌物料混存",
        "超量储存危化品",
        "气体报警仪未检定",
        "安全技术说明书缺失",
        "储罐区防火堤破损",
    ],
    "special_equipment": [
        "电梯超期未检验",
        "压力容器安全阀失效",
        "起重机械限位器失灵",
        "锅炉操作人员无证上岗",
    ],
    "construction": ["脚手架连墙件缺失", "深基坑无监测", "塔吊未按方案安装", "高处作业无防护"],
    "confined_space": ["有限空间未设警示标志", "未经审批进入污水井作业", "作业前未检测气体"],
    "urban_buildings": ["玻璃幕墙开胶", "外墙饰面空鼓", "广告牌锈蚀松动"],
    "underground_space": ["地下车库排水泵故障", "挡水板缺失", "应急照明不足"],
    "hazardous_waste": ["危废暂存间无防渗", "除尘系统积尘"],
    "road_transport": ["危货车辆无卫星定位", "驾驶员超时驾驶"],
    "parks": ["园区消防车道被占用", "园区配电站门禁失效"],
    "explosives": ["易制爆品台账不全", "存放点无双人双锁"],
    "waterlogging": ["下立交排水不畅", "雨水口堵塞"],
}
KINDS_FOR_DEMO = (
    "enterprise",
    "commercial_complex",
    "construction_site",
    "school",
    "hospital",
    "park",
    "other",
)


@dataclass
class _Spec:
    org: int
    jurisdiction: int
    lon: float | None
    lat: float | None
    domain: str
    severity: str
    source: str
    reported: datetime
    state: str
    deadline: date
    steps: list[tuple[str, datetime]] = field(default_factory=list)
    title: str = ""
    inspection: int | None = None


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weighted(r: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return r.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _life(
    r: random.Random, reported: datetime, deadline: date, today: date, now: datetime
) -> tuple[str, list[tuple[str, datetime]]]:
    """How far a hazard got, and when each step happened (never in the future)."""
    age = (today - reported.date()).days
    # Older hazards are mostly closed; recent ones spread over the open states.
    p_closed = min(0.985, 0.1 + age / 90)
    target = lc.CLOSED if r.random() < p_closed else r.choice(lc.OPEN_STATES)
    order = [lc.ASSIGN, lc.START, lc.SUBMIT, lc.VERIFY]
    stop = {lc.REPORTED: 0, lc.ASSIGNED: 1, lc.RECTIFYING: 2, lc.VERIFYING: 3, lc.CLOSED: 4}[target]
    span = max((deadline - reported.date()).days, 3)
    late = r.random() < 0.18  # some finish after their deadline
    total = span * (1.0 + r.random() * 0.6) if late else span * (0.3 + r.random() * 0.65)
    total = min(total, max(age - 0.1, 0.2))
    steps = []
    t = reported
    for i, action in enumerate(order[:stop]):
        share = [0.1, 0.15, 0.6, 0.15][i]
        t = min(
            t + timedelta(days=total * share, hours=r.randint(1, 6)),
            now - timedelta(minutes=5 * (4 - i)),
        )
        steps.append((action, t))
    return target, steps


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    """Add the hazards demo on top of the core demo district; returns counts."""
    r = random.Random(f"cityguard-hazards-{seed}")
    from cityguard.risk.models import Domain

    domains = {d.code: d.pk for d in Domain.objects.all()}
    domain_weights = [(c, w) for c, w in DOMAIN_WEIGHTS if c in domains]
    orgs = list(
        Organization.objects.filter(kind__in=KINDS_FOR_DEMO, is_active=True)
        .order_by("pk")
        .values_list("pk", "jurisdiction_id", "lon", "lat")
    )
    if not orgs or not domain_weights:
        return {"hazards": 0}
    streets = _street_map()
    User = get_user_model()
    actors = {
        u.username: u.pk
        for u in User.objects.filter(username__in=["demo-staff", "demo-street", "demo-manager"])
    }
    staff, officer, manager = (actors.get(n) for n in ("demo-staff", "demo-street", "demo-manager"))
    today = timezone.localdate()
    now = timezone.now()
    n = max(30, round(HAZARDS_PER_SCALE * scale))

    templates = list(
        ChecklistTemplate.objects.filter(is_active=True).prefetch_related("items").order_by("code")
    )
    inspections, results_spec, specs = _inspections(
        r, orgs, templates, today, max(6, round(60 * scale)), officer
    )

    for _i in range(n):
        org, jur, lon, lat = r.choice(orgs)
        # Recent months hold more hazards: inspections intensified.
        back = int(DAYS_BACK * (r.random() ** 1.6))
        reported = _aware(today - timedelta(days=back), r.randint(8, 17), r.randint(0, 59))
        if reported > now:
            reported = now - timedelta(hours=1)
        domain = _weighted(r, domain_weights)
        severity = "major" if r.random() < 0.07 else "general"
        specs.append(
            _Spec(
                org=org,
                jurisdiction=jur,
                lon=lon,
                lat=lat,
                domain=domain,
                severity=severity,
                source=_weighted(r, SOURCE_WEIGHTS),
                reported=reported,
                state=lc.REPORTED,
                deadline=reported.date()
                + timedelta(days=90 if severity == "major" else r.choice((7, 15, 30, 30, 45))),
            )
        )
    for spec in specs:
        spec.state, spec.steps = _life(r, spec.reported, spec.deadline, today, now)
        spec.title = spec.title or r.choice(TITLES.get(spec.domain, ["安全隐患"]))

    hazards = _write_hazards(
        r, specs, domains, streets, today, now, staff, officer, manager, inspections
    )
    counts = {"hazards": len(hazards)}
    counts["hazard_events"] = _write_events(r, specs, hazards, today, staff, officer, manager)
    counts["rectification_plans"] = _write_plans(r, specs, hazards, staff, manager)
    counts["inspections"] = len(inspections)
    _write_results(results_spec, inspections, hazards, specs)
    counts["lookback_dues"] = _write_lookbacks(r, specs, hazards, orgs, domains, today, now)
    counts["tips"] = _write_tips(
        r, specs, hazards, orgs, today, now, max(5, round(40 * scale)), officer, staff
    )
    return counts


def _street_map() -> dict[int, int | None]:
    """jurisdiction id → its street's id (None for the district level)."""
    nodes = list(Jurisdiction.objects.values_list("pk", "path", "level", "code"))
    street_by_code = {code: pk for pk, _p, level, code in nodes if level == Level.STREET}
    out: dict[int, int | None] = {}
    for pk, path, _level, _code in nodes:
        parts = path.strip("/").split("/")
        out[pk] = street_by_code.get(parts[1]) if len(parts) > 1 else None
    return out


def _inspections(
    r: random.Random,
    orgs: list[tuple[Any, ...]],
    templates: list[ChecklistTemplate],
    today: date,
    n: int,
    officer: int | None,
) -> tuple[list[Inspection], list[tuple[int, int, str, str]], list[_Spec]]:
    """Inspections (two thirds done), their results, and a hazard spec per failed item."""
    inspections: list[Inspection] = []
    results: list[tuple[int, int, str, str]] = []  # (inspection index, item id, outcome, note)
    specs: list[_Spec] = []
    if not templates:
        return inspections, results, specs
    for i in range(n):
        org, jur, lon, lat = r.choice(orgs)
        template = templates[i % len(templates)]
        kind = r.choice(("self", "street", "street", "district"))
        done = r.random() < 0.66
        day = (
            today - timedelta(days=r.randint(1, 300))
            if done
            else today + timedelta(days=r.randint(1, 30))
        )
        inspections.append(
            Inspection(
                organization_id=org,
                jurisdiction_id=jur,
                template=template,
                kind=kind,
                unannounced=kind != "self" and r.random() < 0.6,
                state="done" if done else "planned",
                planned_for=day,
                inspector_id=officer if done and kind == "street" else None,
                created_at=_aware(day - timedelta(days=3), 9),
                done_at=_aware(day, 15) if done else None,
            )
        )
        if not done:
            continue
        for item in template.items.all():
            fail = r.random() < 0.12
            results.append(
                (i, item.pk, "fail" if fail else "pass", "现场检查发现问题" if fail else "")
            )
            if fail:
                severity = "major" if item.major_if_failed and r.random() < 0.3 else "general"
                reported = _aware(day, 16)
                specs.append(
                    _Spec(
                        org=org,
                        jurisdiction=jur,
                        lon=lon,
                        lat=lat,
                        domain=template.domain.code,
                        severity=severity,
                        source={
                            "self": Source.SELF_INSPECTION,
                            "street": Source.STREET_INSPECTION,
                        }.get(kind, Source.DISTRICT_INSPECTION),
                        reported=reported,
                        state=lc.REPORTED,
                        deadline=day + timedelta(days=90 if severity == "major" else 30),
                        title=item.text_zh[:200],
                        inspection=i,
                    )
                )
                results[-1] = (i, item.pk, "fail", f"#spec{len(specs) - 1}")
    return inspections, results, specs


def _write_hazards(
    r: random.Random,
    specs: list[_Spec],
    domains: dict[str, int],
    streets: dict[int, int | None],
    today: date,
    now: datetime,
    staff: int | None,
    officer: int | None,
    manager: int | None,
    inspections: list[Inspection],
) -> list[Hazard]:
    for start in range(0, len(inspections), BATCH_SIZE):
        Inspection.objects.bulk_create(inspections[start : start + BATCH_SIZE])
    objs = []
    for spec in specs:
        closed_at = spec.steps[3][1] if spec.state == lc.CLOSED else None
        last = spec.steps[-1][1] if spec.steps else spec.reported
        is_open = spec.state != lc.CLOSED
        overdue = is_open and spec.deadline < today
        objs.append(
            Hazard(
                title=spec.title,
                description="",
                source=spec.source,
                domain_id=domains[spec.domain],
                severity=spec.severity,
                organization_id=spec.org,
                lon=spec.lon,
                lat=spec.lat,
                jurisdiction_id=spec.jurisdiction,
                street_id=streets.get(spec.jurisdiction),
                state=spec.state,
                is_open=is_open,
                state_changed_at=last,
                deadline=spec.deadline,
                responsible_unit_id=spec.org if spec.steps else None,
                responsible_person=r.choice(("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"))
                if spec.steps
                else "",
                reported_by_id=manager if spec.source == Source.SELF_INSPECTION else officer,
                reported_at=spec.reported,
                closed_at=closed_at,
                closed_by_id=officer if closed_at else None,
                closed_on_time=(
                    closed_at.astimezone(timezone.get_current_timezone()).date() <= spec.deadline
                )
                if closed_at
                else None,
                escalated_at=_aware(spec.deadline + timedelta(days=1), 1, 5) if overdue else None,
                inspection=inspections[spec.inspection] if spec.inspection is not None else None,
            )
        )
    saved: list[Hazard] = []
    for start in range(0, len(objs), BATCH_SIZE):
        saved.extend(Hazard.objects.bulk_create(objs[start : start + BATCH_SIZE]))
    # created_at/updated_at are automatic; make them match the story.
    return saved


def _write_events(
    r: random.Random,
    specs: list[_Spec],
    hazards: list[Hazard],
    today: date,
    staff: int | None,
    officer: int | None,
    manager: int | None,
) -> int:
    actor_of = {lc.ASSIGN: officer, lc.START: manager, lc.SUBMIT: manager, lc.VERIFY: officer}
    comments = {
        lc.ASSIGN: "请责任单位限期整改。",
        lc.START: "已制定整改措施，开始整改。",
        lc.SUBMIT: "已完成整改，申请验收。",
        lc.VERIFY: "现场复查合格，予以销号。",
    }
    states = {
        lc.ASSIGN: lc.ASSIGNED,
        lc.START: lc.RECTIFYING,
        lc.SUBMIT: lc.VERIFYING,
        lc.VERIFY: lc.CLOSED,
    }
    events: list[HazardEvent] = []
    for spec, hazard in zip(specs, hazards, strict=True):
        events.append(
            HazardEvent(
                hazard=hazard,
                kind="report",
                to_state=lc.REPORTED,
                actor_id=hazard.reported_by_id,
                at=spec.reported,
            )
        )
        before = lc.REPORTED
        for action, at in spec.steps:
            events.append(
                HazardEvent(
                    hazard=hazard,
                    kind=action,
                    from_state=before,
                    to_state=states[action],
                    actor_id=actor_of[action],
                    at=at,
                    comment=comments[action],
                )
            )
            before = states[action]
        if hazard.escalated_at is not None:
            events.append(
                HazardEvent(
                    hazard=hazard,
                    kind="escalate",
                    from_state=hazard.state,
                    to_state=hazard.state,
                    at=hazard.escalated_at,
                    data={
                        "deadline": spec.deadline.isoformat(),
                        "days_overdue": 1,
                        "to": "district",
                    },
                )
            )
    for start in range(0, len(events), BATCH_SIZE):
        HazardEvent.objects.bulk_create(events[start : start + BATCH_SIZE])
    return len(events)


def _write_plans(
    r: random.Random,
    specs: list[_Spec],
    hazards: list[Hazard],
    staff: int | None,
    manager: int | None,
) -> int:
    plans: list[RectificationPlan] = []
    owners: list[_Spec] = []
    for spec, hazard in zip(specs, hazards, strict=True):
        if spec.severity == "major" and len(spec.steps) >= 2:  # started: a plan was needed
            plans.append(
                RectificationPlan(
                    hazard=hazard,
                    measures="1. 立即采取临时管控措施；2. 制定整改方案并组织专家论证；3. 实施整改并组织验收。",
                    funding="企业自筹",
                    responsible_person=hazard.responsible_person or "安全负责人",
                    supervisor_id=staff,
                    target_date=spec.deadline - timedelta(days=5),
                    created_by_id=manager,
                )
            )
            owners.append(spec)
    RectificationPlan.objects.bulk_create(plans)
    milestones = []
    for plan, spec in zip(plans, owners, strict=True):
        start = spec.reported.date()
        span = (plan.target_date - start).days
        for k, title in enumerate(("临时管控到位", "整改方案论证", "整改完成待验收")):
            due = start + timedelta(days=max(1, span * (k + 1) // 3))
            done_at = None
            if spec.state == lc.CLOSED or (k == 0 and len(spec.steps) >= 2):
                done_at = _aware(min(due, timezone.localdate()), 17)
            milestones.append(Milestone(plan=plan, order=k, title=title, due=due, done_at=done_at))
    Milestone.objects.bulk_create(milestones)
    return len(plans)


def _write_results(
    results: list[tuple[int, int, str, str]],
    inspections: list[Inspection],
    hazards: list[Hazard],
    specs: list[_Spec],
) -> None:
    rows = []
    for i, item_id, outcome, note in results:
        hazard = None
        if note.startswith("#spec"):
            hazard = hazards[int(note[5:])]
            note = "现场检查发现问题"
        rows.append(
            InspectionResult(
                inspection=inspections[i],
                item_id=item_id,
                outcome=outcome,
                note=note,
                hazard=hazard,
            )
        )
    InspectionResult.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _write_lookbacks(
    r: random.Random,
    specs: list[_Spec],
    hazards: list[Hazard],
    orgs: list[tuple[Any, ...]],
    domains: dict[str, int],
    today: date,
    now: datetime,
) -> int:
    dues = []
    for spec, hazard in zip(specs, hazards, strict=True):
        if spec.severity != "major" or hazard.closed_at is None:
            continue
        closed_on = timezone.localtime(hazard.closed_at).date()
        due_by = add_months(closed_on, 12)
        if due_by < today:
            continue
        dues.append(
            LookBackDue(
                organization_id=spec.org,
                reason=LookBackReason.MAJOR_HAZARD,
                domain_id=domains[spec.domain],
                hazard=hazard,
                source_date=closed_on,
                due_by=due_by,
                status=LookBackStatus.PENDING,
            )
        )
    taken = {d.organization_id for d in dues}
    for org, *_rest in r.sample(orgs, min(len(orgs), 4)):
        if org in taken:
            continue
        day = today - timedelta(days=r.randint(20, 300))
        dues.append(
            LookBackDue(
                organization_id=org,
                reason=LookBackReason.ACCIDENT,
                domain_id=domains.get(r.choice(("fire", "city_gas", "confined_space"))),
                source_date=day,
                due_by=add_months(day, 12),
                note="生产安全事故（演示数据）",
            )
        )
    LookBackDue.objects.bulk_create(dues)
    # Hazards found again at those units in the same domain since are recurrences.
    for due in dues:
        Hazard.objects.filter(
            organization_id=due.organization_id,
            domain_id=due.domain_id or 0,
            reported_at__gt=_aware(due.source_date, 23, 59),
        ).exclude(pk=due.hazard_id).update(is_recurrence=True, lookback=due)
    return len(dues)


def _write_tips(
    r: random.Random,
    specs: list[_Spec],
    hazards: list[Hazard],
    orgs: list[tuple[Any, ...]],
    today: date,
    now: datetime,
    n: int,
    officer: int | None,
    staff: int | None,
) -> int:
    from_tips = [
        h
        for s, h in zip(specs, hazards, strict=True)
        if s.source == Source.PUBLIC_TIP and h.lon is not None
    ]
    tips: list[Tip] = []
    codes: set[str] = set()
    texts = (
        "小区楼道堆满杂物，堵住了消防通道",
        "饭店后厨有很重的燃气味",
        "工地塔吊晚上还在作业，没有人看护",
        "地下车库积水很深，排水泵不工作",
        "商场安全出口被锁住了",
    )
    for k in range(n):
        code = new_tip_code()
        while code in codes:
            code = new_tip_code()
        codes.add(code)
        if k < len(from_tips) and k % 2 == 0:
            hazard = from_tips[k]
            status, lon, lat, jur = (
                TipStatus.ACCEPTED,
                hazard.lon,
                hazard.lat,
                hazard.jurisdiction_id,
            )
            created = hazard.reported_at - timedelta(hours=r.randint(2, 48))
        else:
            hazard = None
            _org, jur, lon, lat = r.choice(orgs)
            if lon is None:
                continue
            lon, lat = (
                round(lon + r.uniform(-0.0008, 0.0008), 6),
                round(lat + r.uniform(-0.0008, 0.0008), 6),
            )
            status = TipStatus.DISMISSED if r.random() < 0.3 else TipStatus.RECEIVED
            created = now - timedelta(days=r.randint(0, 60), hours=r.randint(0, 23))
        tips.append(
            Tip(
                code=code,
                description=r.choice(texts),
                lon=float(lon or 0.0),  # every tip here has a point: see above
                lat=float(lat or 0.0),
                jurisdiction_id=jur,
                contact_phone=f"1390000{r.randint(1000, 9999)}" if r.random() < 0.5 else "",
                status=status,
                created_at=created,
                triaged_at=created + timedelta(hours=6) if status != TipStatus.RECEIVED else None,
                triaged_by_id=officer if status != TipStatus.RECEIVED else None,
                dismiss_reason="现场核查，情况不属实。" if status == TipStatus.DISMISSED else "",
                hazard=hazard,
            )
        )
    Tip.objects.bulk_create(tips)
    rewards = [
        TipReward(
            tip=t,
            amount=2000 if t.hazard.severity == "major" else 200,
            status=RewardStatus.PAID if r.random() < 0.5 else RewardStatus.PROPOSED,
            decided_by_id=staff,
        )
        for t in tips
        if t.hazard is not None and t.hazard.state == lc.CLOSED
    ]
    TipReward.objects.bulk_create(rewards)
    return len(tips)
