"""Demo data of the risk register: a few hundred risk points × scale across the domains,
on the core demo's organisations and places, with assessments by LEC and by the matrix.

Deterministic for a seed: sites are picked with a seeded `random.Random` from the rows in
primary-key order; dates are offsets from today. Written in bulk with a "created" history
record per point and measure. The bulk path bypasses the services, so it keeps their rules
itself: scores come from `scoring` with the configured bands, each point's current level,
score and due date are those of its latest assessment.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core.models import Organization, Place

from . import config, scoring
from .choices import DEFAULT_TIER, DOMAINS
from .models import Assessment, ControlMeasure, Domain, RiskPoint

POINTS_PER_SCALE = 400
BATCH_SIZE = 2000
CHANGE_REASON = "demo"

# Which domains a site of each kind tends to have, with weights.
KIND_DOMAINS: dict[str, list[tuple[str, float]]] = {
    "enterprise": [
        ("hazardous_chemicals", 5),
        ("special_equipment", 4),
        ("fire", 4),
        ("hazardous_waste", 2),
        ("confined_space", 2),
        ("city_gas", 2),
        ("road_transport", 1),
        ("explosives", 1),
    ],
    "park": [("parks", 6), ("fire", 2), ("hazardous_chemicals", 2)],
    "construction_site": [("construction", 7), ("special_equipment", 3)],
    "commercial_complex": [
        ("fire", 5),
        ("urban_buildings", 2),
        ("city_gas", 2),
        ("transport_operations", 1),
    ],
    "school": [("fire", 5), ("urban_buildings", 3), ("heat", 1)],
    "hospital": [("fire", 5), ("special_equipment", 2), ("city_gas", 2)],
    "street_office": [("flood_typhoon", 3), ("waterlogging", 3), ("heat", 2), ("earthquake", 1)],
    "place:underground_space": [("underground_space", 5), ("waterlogging", 3)],
    "place:confined_space": [("confined_space", 1)],
    "place:high_rise": [("urban_buildings", 3), ("fire", 3), ("flood_typhoon", 1)],
    "place:crowded_place": [("fire", 3), ("transport_operations", 2)],
    "place:glass_curtain_wall": [("urban_buildings", 1)],
    "place:billboard": [("urban_buildings", 2), ("flood_typhoon", 1)],
}
OTHER: list[tuple[str, float]] = [("fire", 4), ("urban_buildings", 2), ("city_gas", 2)]

NAMES: dict[str, list[str]] = {
    "special_equipment": ["锅炉房", "电梯", "起重机械", "压力容器", "场内机动车辆"],
    "hazardous_chemicals": ["危化品仓库", "储罐区", "装卸作业区", "实验室危化品柜"],
    "fire": ["消防控制室", "配电房", "厨房", "疏散通道", "仓储区"],
    "road_transport": ["车辆停放场", "危货运输车辆"],
    "transport_operations": ["公交枢纽", "轨交出入口", "客流集散区"],
    "urban_buildings": ["玻璃幕墙", "外墙饰面", "户外广告牌", "老旧房屋"],
    "parks": ["园区公共区域", "园区配电站", "园区仓储区"],
    "hazardous_waste": ["危废暂存间", "除尘系统"],
    "explosives": ["易制爆品存放点", "烟花爆竹存放点"],
    "city_gas": ["燃气调压箱", "瓶装液化气使用点", "燃气管道"],
    "underground_space": ["地下车库", "地下商业"],
    "construction": ["深基坑", "塔吊", "高支模", "脚手架"],
    "confined_space": ["污水井", "化粪池", "地下管廊"],
    "flood_typhoon": ["低洼区域", "临时构筑物"],
    "waterlogging": ["下立交", "地下空间出入口"],
    "earthquake": ["老旧建筑"],
    "heat": ["户外作业点"],
}
MEASURES = [
    "落实岗位安全操作规程",
    "每日巡查并记录",
    "设置安全警示标识",
    "配备应急器材并定期检查",
    "开展专项培训和应急演练",
    "安装视频监控和报警装置",
    "作业前审批，专人监护",
    "定期委托检测检验",
]
ASSESSORS = ["区安全评价中心", "企业安全员", "第三方评价机构", "街道安全办"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"

# Skewed towards the lower levels, as a real register is (about 62 % low, 21 % general,
# 10 % large, 7 % major).
LEC_WEIGHTS = (
    (scoring.LEC_L, (1.5, 5, 10, 8, 4, 2, 1)),
    (scoring.LEC_E, (3, 7, 6, 4, 3, 1)),
    (scoring.LEC_C, (0.8, 2.5, 6, 8, 7, 4)),
)
MATRIX_WEIGHTS = (2, 4, 5, 3.5, 1.6)


def ensure_domains() -> dict[str, int]:
    """The taxonomy seeded by migration 0002, restored if a wipe or an admin removed rows."""
    for order, (code, zh, en, category) in enumerate(DOMAINS, start=1):
        Domain.objects.get_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "category": category, "order": order * 10},
        )
    return dict(Domain.objects.values_list("code", "pk"))


def _sites() -> list[tuple[str, str, float | None, float | None, int, int | None, int | None]]:
    """(kind key, name, lon, lat, jurisdiction, organization, place) of every candidate."""
    out: list[Any] = []
    for pk, kind, name, lon, lat, jid in (
        Organization.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "kind", "name", "lon", "lat", "jurisdiction_id")
    ):
        out.append((kind, name, lon, lat, jid, pk, None))
    for pk, kind, name, lon, lat, jid, org in Place.objects.order_by("pk").values_list(
        "pk", "kind", "name", "lon", "lat", "jurisdiction_id", "organization_id"
    ):
        out.append((f"place:{kind}", name, lon, lat, jid, org, pk))
    return out


def _pick(r: random.Random, weighted: list[tuple[str, float]]) -> str:
    return r.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]


def _person(r: random.Random) -> str:
    return r.choice(SURNAMES) + "".join(r.choices(GIVEN, k=r.choice((1, 2))))


def _assessment(r: random.Random, point: RiskPoint, when: dt.datetime, bands: Any) -> Assessment:
    if r.random() < 0.6:
        values = [r.choices(scale, weights=w)[0] for scale, w in LEC_WEIGHTS]
        s = scoring.lec(values[0], values[1], values[2], bands)
        factors: dict[str, Any] = dict(zip(("l", "e", "c"), values, strict=True))
    else:
        lk, sv = (r.choices((1, 2, 3, 4, 5), weights=MATRIX_WEIGHTS)[0] for _ in range(2))
        s = scoring.matrix(lk, sv, bands=bands)
        factors = {"likelihood": lk, "severity": sv}
    return Assessment(
        risk_point=point,
        method=s.method,
        score=s.score,
        level=s.level,
        assessed_at=when,
        assessor=r.choice(ASSESSORS),
        next_due=config.next_due(timezone.localdate(when), s.level),
        **factors,
    )


@transaction.atomic
def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    """Add demo risk points, assessments and control measures; returns their counts."""
    domains = ensure_domains()
    sites = [s for s in _sites() if s[4] is not None]
    if not sites:
        return {"risk_points": 0, "assessments": 0, "control_measures": 0}
    r = random.Random(seed)
    bands = config.bands()
    now = timezone.now().replace(microsecond=0)
    n = max(1, round(POINTS_PER_SCALE * scale))
    points: list[RiskPoint] = []
    histories: list[list[Assessment]] = []
    for _i in range(n):
        kind, site, lon, lat, jid, org, place = r.choice(sites)
        code = _pick(r, KIND_DOMAINS.get(kind, OTHER))
        point = RiskPoint(
            name=f"{site}·{r.choice(NAMES[code])}",
            domain_id=domains[code],
            organization_id=org,
            place_id=place,
            lon=lon,
            lat=lat,
            jurisdiction_id=jid,
            responsible_person=_person(r),
            responsible_phone=f"13{r.randint(0, 9)}{r.randint(10_000_000, 99_999_999)}",
        )
        # 0–3 assessments, the latest up to about two years ago (so some are overdue).
        k = r.choices((0, 1, 2, 3), weights=(1, 5, 3, 1))[0]
        when = now - dt.timedelta(days=r.randint(0, 760), minutes=r.randint(0, 600))
        history = []
        for _j in range(k):
            history.append(_assessment(r, point, when, bands))
            when -= dt.timedelta(days=r.randint(90, 400))
        if history:
            latest = history[0]
            point.level, point.level_rank = latest.level, scoring.RANK[latest.level]
            point.score, point.method = latest.score, latest.method
            point.assessed_at, point.next_due = latest.assessed_at, latest.next_due
            point.control_tier = DEFAULT_TIER[latest.level]
        points.append(point)
        histories.append(history)
    saved = bulk_create_with_history(
        points, RiskPoint, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )
    assessments: list[Assessment] = []
    measures: list[ControlMeasure] = []
    for point, history in zip(saved, histories, strict=True):
        for a in history:
            a.risk_point = point
            assessments.append(a)
        tier = point.control_tier or "unit"
        for order, text in enumerate(r.sample(MEASURES, k=r.randint(1, 3))):
            measures.append(
                ControlMeasure(
                    risk_point=point,
                    description=text,
                    tier=tier if order == 0 else r.choice(("unit", "post")),
                    responsible_person=_person(r),
                    order=order,
                )
            )
    Assessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
    bulk_create_with_history(
        measures, ControlMeasure, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )
    return {
        "risk_points": len(saved),
        "assessments": len(assessments),
        "control_measures": len(measures),
    }
