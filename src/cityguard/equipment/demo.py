"""Demo data of the special-equipment app: elevators in high-rise buildings, crowded
places and commercial complexes, boilers, pressure vessels, piping, site vehicles and
lifting machinery at enterprises, tower cranes and hoists at construction sites, a few
amusement rides and filling stations — with their periodic inspections. Most units are
in date; a few are overdue, never inspected, unregistered, stopped or scrapped, so the
due lists and indicator plan-05 have something to show.

Deterministic for a seed (records are taken in primary-key order and drawn with a seeded
`random.Random`); dates are offsets from today. Grows with `scale` through the places and
organisations of core's demo. Written in bulk (with a "created" history record).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core.choices import OrganizationKind, PlaceKind
from cityguard.core.models import Organization, Place

from . import config
from .choices import EquipmentKind, EquipmentStatus, InspectionResult
from .models import Equipment, Inspection
from .services import add_months

CHANGE_REASON = "demo"
PREFIX = {
    "elevator": ("梯", "3110"),
    "boiler": ("锅", "1100"),
    "pressure_vessel": ("容", "2100"),
    "pressure_piping": ("管", "8100"),
    "lifting": ("起", "4100"),
    "site_vehicle": ("车", "5100"),
    "ropeway": ("索", "9100"),
    "amusement_ride": ("游", "6100"),
    "filling_station": ("瓶", "2300"),
    "other": ("特", "9900"),
}
MAKERS = {
    "elevator": ["上海三菱电梯有限公司", "迅达（中国）电梯有限公司", "奥的斯电梯（中国）有限公司", "通力电梯有限公司", "日立电梯（中国）有限公司"],
    "boiler": ["上海工业锅炉有限公司", "无锡太湖锅炉有限公司"],
    "pressure_vessel": ["上海电气压力容器有限公司", "江苏双良压力容器有限公司"],
    "pressure_piping": ["上海化工管道工程有限公司"],
    "lifting": ["上海振华重工（集团）股份有限公司", "徐工集团工程机械股份有限公司", "中联重科股份有限公司"],
    "site_vehicle": ["杭叉集团股份有限公司", "安徽合力股份有限公司"],
    "amusement_ride": ["中山市金马科技娱乐设备股份有限公司"],
    "filling_station": ["上海燃气设备成套有限公司"],
}  # fmt: skip
MAINTAINERS = [
    "上海三菱电梯有限公司维保分公司",
    "迅达（中国）电梯有限公司上海分公司",
    "通力电梯有限公司上海分公司",
    "上海杨浦电梯工程有限公司",
    "上海申菱电梯维修保养有限公司",
]
BODIES = ["上海市特种设备监督检验技术研究院", "上海市杨浦区特种设备检验所"]


def _params(kind: str, rnd: random.Random, floors: int | None) -> dict[str, Any]:
    if kind == "elevator":
        return {
            "elevator_type": rnd.choice(
                ["曳引式乘客电梯", "曳引式乘客电梯", "自动扶梯", "载货电梯"]
            ),
            "rated_load_kg": rnd.choice([630, 800, 1000, 1050, 1350, 1600]),
            "rated_speed_ms": rnd.choice([1.0, 1.5, 1.75, 2.5]),
            "floors": floors or rnd.randint(6, 33),
        }
    if kind == "boiler":
        return {
            "rated_capacity_th": rnd.choice([1, 2, 4, 6, 10]),
            "rated_pressure_mpa": rnd.choice([0.7, 1.0, 1.25]),
            "fuel": "天然气",
            "medium": "蒸汽",
        }
    if kind == "pressure_vessel":
        return {
            "design_pressure_mpa": rnd.choice([0.8, 1.0, 1.6, 2.5]),
            "volume_m3": rnd.choice([1, 2, 5, 10, 20]),
            "medium": rnd.choice(["压缩空气", "氮气", "液氨", "蒸汽"]),
            "vessel_class": rnd.choice(["I", "II", "III"]),
            "safety_grade": rnd.choice([1, 2, 2, 3]),
        }
    if kind == "pressure_piping":
        return {
            "design_pressure_mpa": 1.6,
            "length_m": rnd.randint(50, 800),
            "nominal_diameter_mm": rnd.choice([50, 80, 100, 150]),
            "medium": rnd.choice(["天然气", "蒸汽"]),
            "piping_class": "GC2",
        }
    if kind == "lifting":
        return {
            "crane_type": rnd.choice(["桥式起重机", "塔式起重机", "施工升降机", "门式起重机"]),
            "rated_lifting_t": rnd.choice([3, 5, 10, 16, 20]),
            "lifting_height_m": rnd.choice([9, 12, 60, 120]),
        }
    if kind == "site_vehicle":
        return {"vehicle_type": "叉车", "rated_load_t": rnd.choice([2, 3, 5]), "power": "电动"}
    if kind == "amusement_ride":
        return {"ride_grade": "B", "max_speed_kmh": rnd.choice([20, 35]), "passengers": 24}
    if kind == "filling_station":
        return {"medium": "液化石油气", "cylinders_per_day": rnd.choice([200, 500])}
    return {}


@transaction.atomic
def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    rnd = random.Random(seed)
    today = timezone.localdate()
    due_days = config.due_days()
    seq = {"n": Equipment.objects.count()}
    units: list[Equipment] = []
    inspections: list[list[Inspection]] = []

    def add(
        kind: str, name: str, org_id: int, lon: Any, lat: Any, jid: int,
        place_id: int | None = None, floors: int | None = None, interval: int | None = None,
        address: str = "",
    ) -> None:  # fmt: skip
        seq["n"] += 1
        n = seq["n"]
        r = rnd.random()
        status = EquipmentStatus.IN_USE
        if r < 0.03:
            status = EquipmentStatus.UNREGISTERED
        elif r < 0.05:
            status = EquipmentStatus.SCRAPPED
        elif r < 0.07:
            status = EquipmentStatus.STOPPED
        elif r < 0.09:
            status = EquipmentStatus.IDLE
        year = rnd.randint(2005, today.year - 1)
        installed = dt.date(year, rnd.randint(1, 12), rnd.randint(1, 28))
        registered = installed + dt.timedelta(days=rnd.randint(5, 60))
        if registered > today:
            registered = today
        char, code = PREFIX[kind]
        number = (
            f"{char}{year % 100:02d}沪YP{n:06d}({year % 100:02d})"
            if status != EquipmentStatus.UNREGISTERED
            else None
        )
        months = interval or config.interval_months(kind)
        eq = Equipment(
            name=name, kind=kind, registration_no=number, code=f"{code}310110{year}{n:06d}",
            status=status, model_name=f"{char.upper()}-{rnd.randint(100, 999)}",
            manufacturer=rnd.choice(MAKERS.get(kind, ["上海特种设备制造有限公司"])),
            organization_id=org_id, place_id=place_id, lon=lon, lat=lat, jurisdiction_id=jid,
            maintenance_unit=rnd.choice(MAINTAINERS) if kind == "elevator" else "",
            address=address, parameters=_params(kind, rnd, floors), interval_months=interval,
            installed_on=installed, registered_on=registered if number else None,
        )  # fmt: skip
        rows: list[Inspection] = []
        if status != EquipmentStatus.UNREGISTERED:
            r2 = rnd.random()
            span = add_months(today, -months)  # the last in-date inspection is after this
            if r2 < 0.015:
                last = None  # never inspected
            elif r2 < 0.09:
                # Overdue: the last inspection is older than one interval.
                last = span - dt.timedelta(days=rnd.randint(1, 150))
            elif r2 < 0.16:
                # Due soon: inspected nearly one interval ago.
                last = span + dt.timedelta(days=rnd.randint(1, max(2, due_days)))
            else:
                last = span + dt.timedelta(
                    days=rnd.randint(due_days + 1, max(due_days + 2, (today - span).days - 1))
                )
            if last is not None and last < registered:
                last = registered
            if last is not None:
                if rnd.random() < 0.5:
                    before = add_months(last, -months)
                    if before >= registered:
                        rows.append(
                            Inspection(inspected_on=before, result=InspectionResult.PASS,
                                       body=rnd.choice(BODIES), report_no=f"JY{before.year}-{n:06d}A",
                                       next_due=last if last > before else add_months(before, months))
                        )  # fmt: skip
                result = InspectionResult.PASS
                if rnd.random() < 0.06:
                    result = InspectionResult.CONDITIONAL
                rows.append(
                    Inspection(inspected_on=last, result=result, body=rnd.choice(BODIES),
                               report_no=f"JY{last.year}-{n:06d}", next_due=add_months(last, months))
                )  # fmt: skip
                eq.last_inspection_on = last
                eq.last_result = result
                eq.next_inspection_due = add_months(last, months)
        units.append(eq)
        inspections.append(rows)

    places = Place.objects.filter(
        kind__in=[PlaceKind.HIGH_RISE, PlaceKind.CROWDED_PLACE, PlaceKind.COMMERCIAL_COMPLEX]
    ).order_by("pk")
    for place in places.values_list(
        "pk",
        "name",
        "kind",
        "organization_id",
        "lon",
        "lat",
        "jurisdiction_id",
        "floors",
        "address",
    ):
        pk, name, kind, org_id, lon, lat, jid, floors, address = place
        if kind == PlaceKind.HIGH_RISE:
            count = rnd.randint(2, 4)
        elif kind == PlaceKind.COMMERCIAL_COMPLEX:
            count = rnd.randint(4, 8)
        else:
            count = rnd.randint(1, 3)
        for i in range(count):
            add(
                "elevator",
                f"{name}{i + 1}号电梯",
                org_id,
                lon,
                lat,
                jid,
                pk,
                floors,
                None,
                address or "",
            )
        if kind == PlaceKind.CROWDED_PLACE and rnd.random() < 0.08:
            add(
                "amusement_ride",
                f"{name}游乐设施",
                org_id,
                lon,
                lat,
                jid,
                pk,
                address=address or "",
            )
        if kind == PlaceKind.COMMERCIAL_COMPLEX and rnd.random() < 0.3:
            add("boiler", f"{name}燃气锅炉", org_id, lon, lat, jid, pk, address=address or "")

    orgs = Organization.objects.filter(
        kind__in=[OrganizationKind.ENTERPRISE, OrganizationKind.CONSTRUCTION_SITE]
    ).order_by("pk")
    for pk, name, kind, lon, lat, jid, address in orgs.values_list(
        "pk", "name", "kind", "lon", "lat", "jurisdiction_id", "address"
    ):
        if kind == OrganizationKind.CONSTRUCTION_SITE:
            for i in range(rnd.randint(1, 3)):
                crane = "塔式起重机" if i == 0 else "施工升降机"
                add(
                    "lifting",
                    f"{name}{i + 1}号{crane}",
                    pk,
                    lon,
                    lat,
                    jid,
                    interval=12,
                    address=address,
                )
            continue
        r = rnd.random()
        if r < 0.25:
            for i in range(rnd.randint(1, 3)):
                add("pressure_vessel", f"{name}{i + 1}号储气罐", pk, lon, lat, jid, address=address)
        if rnd.random() < 0.10:
            add("boiler", f"{name}锅炉", pk, lon, lat, jid, address=address)
        if rnd.random() < 0.15:
            add("lifting", f"{name}桥式起重机", pk, lon, lat, jid, address=address)
        if rnd.random() < 0.15:
            for i in range(rnd.randint(1, 2)):
                add("site_vehicle", f"{name}{i + 1}号叉车", pk, lon, lat, jid, address=address)
        if rnd.random() < 0.03:
            add("pressure_piping", f"{name}工业管道", pk, lon, lat, jid, address=address)
        if rnd.random() < 0.005:
            add("filling_station", f"{name}气瓶充装站", pk, lon, lat, jid, address=address)

    created = (
        list(
            bulk_create_with_history(
                units, Equipment, batch_size=1000, default_change_reason=CHANGE_REASON
            )
        )
        if units
        else []
    )
    rows: list[Inspection] = []
    for eq, ins in zip(created, inspections, strict=True):
        for row in ins:
            row.equipment_id = eq.pk
            rows.append(row)
    Inspection.objects.bulk_create(rows, batch_size=2000)
    kinds = {k: sum(1 for u in created if u.kind == k) for k in EquipmentKind.values}
    return {
        "equipment": len(created),
        "inspections": len(rows),
        **{k: n for k, n in kinds.items() if n},
    }
