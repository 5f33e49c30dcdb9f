"""Demo data of the resources app: a materials catalogue, warehouses at every reserve
level with lots and their ledger, teams of each kind, experts, shelters and fire stations
with Voronoi service areas clipped to the district.

Deterministic for a seed: locations are drawn with a seeded `random.Random` inside the
district; dates are offsets from today. Written in bulk (with a "created" history record);
the bulk path keeps the services' rules itself: every lot's quantity is matched by an
"in" (or donation) ledger row, so the ledger reconciles.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core import geo
from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.services import jurisdiction_index

from .choices import MovementKind, ReserveLevel, ReserveMode, TeamKind
from .coverage import area_km2, voronoi_areas
from .models import (
    Expert,
    FireStation,
    Material,
    Shelter,
    StockLot,
    StockMovement,
    Team,
    Warehouse,
)
from .services import bump

CHANGE_REASON = "demo"

# code, name, English name, category, unit, shelf life (days) or None
MATERIALS: list[tuple[str, str, str, str, str, int | None]] = [
    ("tent", "帐篷", "Tent", "shelter", "顶", None),
    ("quilt", "棉被", "Quilt", "shelter", "床", 1825),
    ("folding_bed", "折叠床", "Folding bed", "shelter", "张", None),
    ("life_jacket", "救生衣", "Life jacket", "flood", "件", 1825),
    ("assault_boat", "冲锋舟", "Assault boat", "flood", "艘", None),
    ("sandbag", "沙袋", "Sandbag", "flood", "个", 1095),
    ("water_pump", "抽水泵", "Water pump", "flood", "台", None),
    ("generator", "发电机", "Generator", "power", "台", None),
    ("emergency_light", "应急照明灯", "Emergency light", "power", "盏", 1095),
    ("gas_mask", "防毒面具", "Gas mask", "protection", "个", 1460),
    ("protective_suit", "防护服", "Protective suit", "protection", "套", 1095),
    ("helmet", "安全帽", "Safety helmet", "protection", "顶", 1095),
    ("water", "矿泉水", "Bottled water", "food", "箱", 365),
    ("instant_noodles", "方便面", "Instant noodles", "food", "箱", 180),
    ("biscuits", "压缩饼干", "Compressed biscuits", "food", "箱", 730),
    ("first_aid_kit", "急救包", "First-aid kit", "medical", "个", 730),
    ("stretcher", "担架", "Stretcher", "rescue", "副", None),
    ("chainsaw", "油锯", "Chainsaw", "rescue", "台", None),
    ("hydraulic_cutter", "液压破拆工具", "Hydraulic cutter", "rescue", "套", None),
    ("extinguisher", "灭火器", "Fire extinguisher", "rescue", "具", 1825),
]
TEAM_NAMES = {
    TeamKind.FIRE: ["消防救援站", "专职消防队", "微型消防站"],
    TeamKind.PROFESSIONAL: [
        "防汛抢险队",
        "燃气抢修队",
        "电力抢修队",
        "市政排水抢险队",
        "医疗救护队",
    ],
    TeamKind.ENTERPRISE: ["企业应急救援队", "园区义务消防队"],
    TeamKind.VOLUNTEER: ["志愿者服务队", "蓝天救援队", "社区应急志愿队"],
}
SKILLS = {
    TeamKind.FIRE: "灭火, 破拆, 高空救援, 危化品处置",
    TeamKind.PROFESSIONAL: "排涝, 抢修, 医疗救护",
    TeamKind.ENTERPRISE: "初期火灾扑救, 泄漏处置",
    TeamKind.VOLUNTEER: "疏散引导, 物资搬运, 心理疏导",
}
SPECIALTIES = [
    "危险化学品",
    "消防",
    "特种设备",
    "建筑施工",
    "防汛防台",
    "医疗救护",
    "燃气安全",
    "地质灾害",
]
TITLES = ["高级工程师", "教授", "研究员", "工程师", "主任医师"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超"]
FACILITIES = ["应急供水", "应急厕所", "应急供电", "医疗救护点", "物资储备", "广播系统", "应急照明"]
SHELTER_SITES = ["中学", "小学", "体育馆", "公园", "绿地", "社区活动中心", "文化馆"]


def _points(rnd: random.Random, n: int) -> list[tuple[float, float, int]]:
    """n (lon, lat, deepest jurisdiction id) inside the district."""
    index, district = jurisdiction_index()
    if district is None or n <= 0:
        return []
    x0, y0, x1, y1 = district.bounds
    out: list[tuple[float, float, int]] = []
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        lon, lat = round(x0 + rnd.random() * (x1 - x0), 6), round(y0 + rnd.random() * (y1 - y0), 6)
        pk = index.locate(lon, lat)
        if pk is not None:
            out.append((lon, lat, pk))
    return out


def _street_label(street: Jurisdiction | None) -> str:
    return street.name if street is not None else ""


def _person(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def _phone(rnd: random.Random) -> str:
    return f"13{rnd.randint(0, 9)}{rnd.randint(10_000_000, 99_999_999)}"


def _bulk(model: type, rows: list[Any]) -> list[Any]:
    if not rows:
        return []
    return list(
        bulk_create_with_history(rows, model, batch_size=1000, default_change_reason=CHANGE_REASON)
    )


def _materials() -> list[Material]:
    existing = {m.code: m for m in Material.objects.all()}
    new = [
        Material(code=c, name=n, name_en=e, category=cat, unit=u, shelf_life_days=life)
        for c, n, e, cat, u, life in MATERIALS
        if c not in existing
    ]
    _bulk(Material, new)
    codes = [m[0] for m in MATERIALS]
    return list(Material.objects.filter(code__in=codes).order_by("code"))


@transaction.atomic
def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    rnd = random.Random(seed)
    today = timezone.localdate()
    materials = _materials()
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("path"))
    paths = dict(Jurisdiction.objects.values_list("pk", "path"))
    street_of_path = {s.path: s for s in streets}

    def street_for(jid: int) -> Jurisdiction | None:
        p = paths.get(jid, "")
        return next((s for sp, s in street_of_path.items() if p.startswith(sp)), None)

    orgs = list(
        Organization.objects.filter(kind="enterprise")
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )

    # Warehouses: one city and two district stores, one per street, communities and
    # households by scale; physical reserves mostly, some agreement and capacity ones.
    plan: list[str] = [ReserveLevel.CITY, ReserveLevel.DISTRICT, ReserveLevel.DISTRICT]
    plan += [ReserveLevel.STREET] * max(1, len(streets))
    plan += [ReserveLevel.COMMUNITY] * max(1, round(24 * scale))
    plan += [ReserveLevel.HOUSEHOLD] * max(1, round(6 * scale))
    spots = _points(rnd, len(plan))
    warehouses = []
    for i, ((lon, lat, jid), level) in enumerate(zip(spots, plan, strict=False)):
        street = street_for(jid)
        base = street.name if street else ""
        labels: dict[str, str] = {
            ReserveLevel.CITY: "市级应急物资储备库(杨浦分库)",
            ReserveLevel.DISTRICT: f"区应急物资储备库{'一二'[min(i - 1, 1)]}号库",
            ReserveLevel.STREET: f"{base}应急物资储备点",
            ReserveLevel.COMMUNITY: f"{base}第{i}居委应急物资柜",
            ReserveLevel.HOUSEHOLD: f"家庭应急包示范点{i}",
        }
        label = labels[level]
        mode = ReserveMode.PHYSICAL
        if level in (ReserveLevel.CITY, ReserveLevel.DISTRICT) and rnd.random() < 0.3:
            mode = rnd.choice([ReserveMode.AGREEMENT, ReserveMode.CAPACITY])
        warehouses.append(
            Warehouse(
                name=label, code=f"WH{i + 1:04d}", reserve_level=level, mode=mode,
                lon=lon, lat=lat, jurisdiction_id=jid, manager=_person(rnd), phone=_phone(rnd),
                organization_id=rnd.choice(orgs) if mode != ReserveMode.PHYSICAL and orgs else None,
                area_m2=round(rnd.uniform(20, 3000 if level != "household" else 5), 1),
            )
        )  # fmt: skip
    warehouses = _bulk(Warehouse, warehouses)

    # Lots, each with its "in" (or donation) row so the ledger reconciles.
    lots: list[StockLot] = []
    per_level = {
        "city": (12, 2000),
        "district": (10, 800),
        "street": (8, 200),
        "community": (5, 50),
        "household": (3, 5),
    }
    for wh in warehouses:
        n_mat, top = per_level[wh.reserve_level]
        for m in rnd.sample(materials, min(n_mat, len(materials))):
            for _lot in range(rnd.choice((1, 1, 2))):
                # Kept reserves are rotated: most lots are well inside their shelf life.
                oldest = int(m.shelf_life_days * 0.8) if m.shelf_life_days else 700
                received = today - dt.timedelta(days=rnd.randint(10, max(11, min(700, oldest))))
                expires = None
                if m.shelf_life_days:
                    # A few lots fall inside the rotation window (or have expired).
                    expires = received + dt.timedelta(days=m.shelf_life_days)
                    if rnd.random() < 0.12:
                        expires = today + dt.timedelta(days=rnd.randint(-5, 45))
                lots.append(
                    StockLot(
                        warehouse=wh, material=m, lot_no=f"{m.code[:3].upper()}{rnd.randint(1000, 9999)}",
                        quantity=Decimal(rnd.randint(1, top)), received_on=received, expires_on=expires,
                    )
                )  # fmt: skip
    lots = _bulk(StockLot, lots)
    movements = [
        StockMovement(
            warehouse_id=lot.warehouse_id,
            material_id=lot.material_id,
            lot=lot,
            kind=MovementKind.DONATION if rnd.random() < 0.05 else MovementKind.IN,
            quantity=lot.quantity,
            at=timezone.make_aware(dt.datetime.combine(lot.received_on or today, dt.time(9, 0))),
            lots=[{"lot": lot.pk, "quantity": str(lot.quantity)}],
            note=CHANGE_REASON,
        )
        for lot in lots
    ]
    for mv in movements:
        if mv.kind == MovementKind.DONATION:
            mv.donor = "爱心企业捐赠"
    StockMovement.objects.bulk_create(movements, batch_size=2000)

    # Teams.
    n_teams = max(4, round(40 * scale))
    kinds = [TeamKind.FIRE, TeamKind.PROFESSIONAL, TeamKind.ENTERPRISE, TeamKind.VOLUNTEER]
    teams = []
    for i, (lon, lat, jid) in enumerate(_points(rnd, n_teams)):
        kind = kinds[i % 4]
        street = street_for(jid)
        teams.append(
            Team(
                name=f"{street.name if street else ''}{rnd.choice(TEAM_NAMES[kind])}{i + 1}",
                kind=kind, headcount=rnd.randint(8, 60), skills=SKILLS[kind],
                equipment=rnd.choice(["消防车2辆, 破拆工具", "抢险车1辆, 抽水泵4台", "担架10副, 急救包20个", "发电机2台, 照明灯10盏"]),
                leader=_person(rnd), phone=_phone(rnd), lon=lon, lat=lat, jurisdiction_id=jid,
                organization_id=rnd.choice(orgs) if kind == TeamKind.ENTERPRISE and orgs else None,
            )
        )  # fmt: skip
    teams = _bulk(Team, teams)

    # Experts.
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    experts = []
    if root is not None:
        experts = _bulk(
            Expert,
            [
                Expert(
                    name=_person(rnd), specialty=rnd.choice(SPECIALTIES), title=rnd.choice(TITLES),
                    employer=rnd.choice(["同济大学", "复旦大学", "上海理工大学", "区应急管理局", "市消防救援总队"]),
                    phone=_phone(rnd), jurisdiction=root,
                )
                for _ in range(max(3, round(30 * scale)))
            ],
        )  # fmt: skip

    # Shelters.
    shelters = []
    for i, (lon, lat, jid) in enumerate(_points(rnd, max(3, round(30 * scale)))):
        site = rnd.choice(SHELTER_SITES)
        outdoor = site in ("公园", "绿地")
        cap = rnd.choice([300, 500, 800, 1200, 2000, 5000]) * (2 if outdoor else 1)
        shelters.append(
            Shelter(
                name=f"{_street_label(street_for(jid))}{site}应急避难场所{i + 1}",
                kind="outdoor" if outdoor else "indoor", capacity=cap,
                occupancy=0 if rnd.random() < 0.8 else rnd.randint(0, cap),
                area_m2=round(cap * rnd.uniform(1.5, 3.0), 0),
                facilities=", ".join(rnd.sample(FACILITIES, 4)), status="standby",
                manager=_person(rnd), phone=_phone(rnd), lon=lon, lat=lat, jurisdiction_id=jid,
            )
        )  # fmt: skip
    shelters = _bulk(Shelter, shelters)

    # Fire stations, with their Voronoi cells clipped to the district as service areas.
    _index, district = jurisdiction_index()
    stations = []
    spots = _points(rnd, max(3, round(10 * scale)))
    if district is not None and spots:
        cells = voronoi_areas(district, [s[0] for s in spots], [s[1] for s in spots])
        for i, ((lon, lat, jid), cell) in enumerate(zip(spots, cells, strict=True)):
            # Trim a margin off some cells so the coverage page has gaps to show.
            if i % 3 == 0 and not cell.is_empty:
                cell = cell.buffer(-0.002) if not cell.buffer(-0.002).is_empty else cell
            text = (
                json.dumps(geo.to_geojson(cell), separators=(",", ":")) if not cell.is_empty else ""
            )
            bounds = cell.bounds if not cell.is_empty else (None,) * 4
            street = street_for(jid)
            stations.append(
                FireStation(
                    name=f"{street.name if street else ''}消防救援{i + 1}站", kind="standard_1" if i % 4 else "small",
                    headcount=rnd.randint(20, 45), vehicles=rnd.randint(3, 8), phone="119",
                    lon=lon, lat=lat, jurisdiction_id=jid, service_area=text,
                    service_area_km2=round(area_km2(cell), 3) if not cell.is_empty else None,
                    min_lon=bounds[0], min_lat=bounds[1], max_lon=bounds[2], max_lat=bounds[3],
                )
            )  # fmt: skip
        stations = _bulk(FireStation, stations)
    bump("warehouse", "team", "shelter", "fire_station")
    return {
        "materials": len(materials),
        "warehouses": len(warehouses),
        "lots": len(lots),
        "movements": len(movements),
        "teams": len(teams),
        "experts": len(experts),
        "shelters": len(shelters),
        "fire_stations": len(stations),
    }
