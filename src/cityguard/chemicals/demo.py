"""Demo data of the chemicals app, on top of the core demo district.

`load_demo(scale=…, seed=…)` picks about 40 × scale enterprises (seeded `random.Random`)
and gives them production and storage units with inventories (about 200 × scale units),
licences (some expiring, some expired, some cancelled), a ledger of flows with stock
counts (a few that do not reconcile), transport filings and a small blacklist. Rows are
written in bulk, with a "created" history record where the model keeps history; then every
unit is identified with the vectorised path (`services.recompute`), which fills the major
hazard source registry and the risk register. The first units are stocked so that there is
a major hazard source of each grade.

The bulk path keeps the services' rules itself: quantities in tonnes ≥ 0, purchases of
controlled chemicals with a permit number, suppliers with a valid licence, stock never
below zero, no filing with a blacklisted vehicle, driver or carrier.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core.models import Organization

from . import services
from .choices import (
    BlacklistKind,
    Direction,
    FlowKind,
    LicenceKind,
    LicenceStatus,
    Trigger,
    UnitKind,
)
from .models import (
    BlacklistEntry,
    Chemical,
    Flow,
    Inventory,
    Licence,
    StockCount,
    TransportFiling,
    Unit,
)
from .transport import identifier_key

ENTERPRISES_PER_SCALE = 40
BATCH = 2000

# Profiles: (unit name stems, chemical keys with a typical design quantity in t).
PROFILES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, float], ...]]] = {
    "fuel": (
        ("加油站储罐区", "油库罐区", "装卸区"),
        (("t1-66", 60), ("diesel", 80), ("t1-52", 8), ("t1-49", 3)),
    ),
    "chemical": (
        ("液氯储罐区", "氨站", "溶剂罐区", "甲类仓库", "反应车间"),
        (
            ("t1-12", 1.5),
            ("t1-1", 4),
            ("t1-64", 80),
            ("xylene", 60),
            ("t1-65", 90),
            ("t1-59", 60),
            ("hydrochloric-acid", 30),
            ("sulfuric-acid", 40),
            ("sodium-hydroxide", 20),
        ),
    ),
    "gas": (
        ("气瓶仓库", "低温储罐区", "充装车间"),
        (("t1-56", 40), ("t1-54", 0.3), ("nitrogen", 30), ("argon", 20), ("t1-51", 0.8)),
    ),
    "water": (
        ("加药间", "消毒剂仓库"),
        (
            ("sodium-hypochlorite", 20),
            ("t1-12", 1.0),
            ("ammonia-water", 8),
            ("hydrogen-peroxide", 10),
        ),
    ),
    "lab": (
        ("试剂库", "危化品暂存间"),
        (
            ("t1-67", 2),
            ("t1-59", 1),
            ("t1-65", 1),
            ("sodium-cyanide", 0.02),
            ("t1-81", 0.5),
            ("hydrogen-peroxide", 0.5),
            ("t1-68", 0.2),
        ),
    ),
}
# The first five units get these stocks and populations: a major hazard source of each
# grade, worked out with the standard (see the comments).
GRADED: tuple[tuple[tuple[tuple[str, float], ...], int], ...] = (
    ((("t1-12", 100.0),), 150),  # S 20; R = 2 × 4 × 20 = 160 → grade 1
    ((("t1-12", 40.0),), 120),  # S 8; R = 2 × 4 × 8 = 64 → grade 2
    ((("t1-1", 50.0), ("t1-12", 2.0)), 60),  # S 5.4; R = 1.5 × (10 + 1.6) = 17.4 → grade 3
    ((("t1-66", 250.0), ("diesel", 300.0)), 20),  # S 1.31; R = 1 × 1.5 × 1.25 + … → grade 4
    ((("t1-52", 60.0),), 45),  # LPG S 1.2; R = 1.2 × 1.5 × 1.2 = 2.16 → grade 4
)
CANCEL_REASONS = (
    "企业申请注销",
    "有效期届满未申请延续",
    "企业依法终止",
    "经营场所不具备安全条件，许可被撤销后注销",
)
PLATES = "ABCDEFGHJKLMN"
UNVERIFIED = "许可证 苏危化经〔2024〕0099 不在本区登记库中，无法核验。"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _name(r: random.Random) -> str:
    return r.choice(SURNAMES) + r.choice(
        ["伟", "芳", "磊", "军", "洋", "勇", "静", "强", "敏", "杰"]
    )


def _plate(r: random.Random) -> str:
    return f"沪{r.choice(PLATES)}{r.randint(10000, 99999)}"


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    r = random.Random(seed * 7919 + 18218)
    orgs = list(
        Organization.objects.filter(kind="enterprise", is_active=True)
        .exclude(lon__isnull=True)
        .order_by("pk")
    )
    if not orgs:
        return {"chemical_units": 0}
    n = min(len(orgs), max(1, round(ENTERPRISES_PER_SCALE * scale)))
    picked = r.sample(orgs, n)
    chems = {c.key: c for c in Chemical.objects.all()}
    with transaction.atomic():
        units, inventories = _units(r, picked, chems)
        licences, cancelled = _licences(r, picked)
        blacklist = _blacklist(r, scale)
        flows, counts = _flows(r, picked, chems, licences)
        filings = _filings(r, picked, chems, blacklist)
    result = services.recompute([u.pk for u in units], trigger=Trigger.DEMO)
    return {
        "chemical_enterprises": n,
        "chemical_units": len(units),
        "chemical_inventories": inventories,
        "major_hazard_sources": result.major,
        "chemical_licences": len(licences),
        "cancelled_licences": cancelled,
        "chemical_flows": flows,
        "stock_counts": counts,
        "transport_filings": filings,
        "blacklist_entries": len(blacklist),
    }


def _units(
    r: random.Random, orgs: list[Organization], chems: dict[str, Chemical]
) -> tuple[list[Unit], int]:
    units: list[Unit] = []
    plan: list[list[tuple[str, float]]] = []
    profiles = list(PROFILES)
    for org in orgs:
        profile = r.choice(profiles)
        stems, stock = PROFILES[profile]
        for k in range(r.randint(2, 8)):
            graded = len(units) < len(GRADED)
            people: int | None
            if graded:
                items, people = GRADED[len(units)]
                rows = list(items)
            else:
                people = r.choice([None, None, 0, 5, 18, 35, 60, 90, 150, 400])
                chosen = r.sample(stock, r.randint(1, min(4, len(stock))))
                # Mostly well below the thresholds; one in ten stocked heavily.
                factor = 6.0 if r.random() < 0.1 else 1.0
                rows = [(key, round(q * factor * r.uniform(0.3, 1.6), 3)) for key, q in chosen]
            units.append(
                Unit(
                    organization=org,
                    kind=UnitKind.STORAGE if k % 3 else UnitKind.PRODUCTION,
                    name=f"{k + 1}号{r.choice(stems)}",
                    code=f"U{org.pk:05d}-{k + 1:02d}",
                    boundary_note="以围堰为界" if k % 3 else "以进出料切断阀为界",
                    exposed_population=people,
                    lon=org.lon,
                    lat=org.lat,
                    jurisdiction_id=org.jurisdiction_id,
                )
            )
            plan.append(rows)
    units = bulk_create_with_history(units, Unit, batch_size=BATCH, default_change_reason="demo")
    invs = [
        Inventory(unit=u, chemical=chems[key], max_quantity_t=q)
        for u, rows in zip(units, plan, strict=True)
        for key, q in rows
        if key in chems
    ]
    bulk_create_with_history(invs, Inventory, batch_size=BATCH, default_change_reason="demo")
    return units, len(invs)


def _licences(r: random.Random, orgs: list[Organization]) -> tuple[list[Licence], int]:
    today = timezone.localdate()
    out: list[Licence] = []
    cancelled = 0
    for i, org in enumerate(orgs):
        if r.random() > 0.6:
            continue
        issued = today - dt.timedelta(days=r.randint(30, 1000))
        until = issued + dt.timedelta(days=3 * 365)
        lic = Licence(
            organization=org,
            number=f"沪杨危化经字〔{issued.year}〕{i + 1:06d}",
            kind=r.choice([LicenceKind.WITH_STORAGE, LicenceKind.WITHOUT_STORAGE]),
            scope="汽油、柴油、液化石油气、甲苯、二甲苯、乙醇、丙酮、盐酸、硫酸、氢氧化钠、过氧化氢溶液",
            authority="杨浦区应急管理局",
            issued_on=issued,
            valid_from=issued,
            valid_until=until,
        )
        roll = r.random()
        if roll < 0.12:
            lic.status = LicenceStatus.CANCELLED
            lic.status_reason = r.choice(CANCEL_REASONS)
            lic.status_date = min(today, issued + dt.timedelta(days=r.randint(60, 700)))
            cancelled += 1
        elif roll < 0.16:
            lic.status = LicenceStatus.SUSPENDED
            lic.status_reason = "重大事故隐患整改期间暂扣"
            lic.status_date = today - dt.timedelta(days=r.randint(1, 60))
        out.append(lic)
    out = bulk_create_with_history(out, Licence, batch_size=BATCH, default_change_reason="demo")
    return out, cancelled


def _blacklist(r: random.Random, scale: float) -> list[BlacklistEntry]:
    today = timezone.localdate()
    entries = []
    reasons = {
        BlacklistKind.VEHICLE: ("未按规定路线行驶", "罐体检验过期", "超载运输"),
        BlacklistKind.DRIVER: ("无从业资格证驾驶危货车辆", "疲劳驾驶致事故"),
        BlacklistKind.CARRIER: ("道路危险货物运输许可被吊销", "多次违规运输"),
    }
    for i in range(max(3, round(6 * min(scale, 20)))):
        kind = list(reasons)[i % 3]
        ident = {
            BlacklistKind.VEHICLE: _plate(r),
            BlacklistKind.DRIVER: f"3101{r.randint(10**13, 10**14 - 1)}",
            BlacklistKind.CARRIER: f"{r.choice(['顺危', '通达', '恒运'])}危险品运输有限公司{i}",
        }[kind]
        listed = today - dt.timedelta(days=r.randint(10, 900))
        entry = BlacklistEntry(
            kind=kind,
            identifier=ident,
            identifier_key=identifier_key(ident),
            name=_name(r) if kind == BlacklistKind.DRIVER else "",
            reason=r.choice(reasons[kind]),
            listed_on=listed,
        )
        if i % 4 == 3:
            entry.lifted_on = min(today, listed + dt.timedelta(days=180))
            entry.lift_reason = "整改完成，经复核解除"
        entries.append(entry)
    return bulk_create_with_history(entries, BlacklistEntry, default_change_reason="demo")


def _flows(
    r: random.Random,
    orgs: list[Organization],
    chems: dict[str, Chemical],
    licences: list[Licence],
) -> tuple[int, int]:
    now = timezone.now()
    valid = [lic for lic in licences if lic.is_valid_on(timezone.localdate())]
    flows: list[Flow] = []
    counts: list[StockCount] = []
    keys = ["t1-64", "t1-66", "diesel", "t1-59", "xylene", "hydrochloric-acid", "sodium-cyanide"]
    for i, org in enumerate(orgs[: max(1, len(orgs) // 2)]):
        for key in r.sample(keys, 2):
            chem = chems[key]
            start = now - dt.timedelta(days=120)
            counts.append(
                StockCount(organization=org, chemical=chem, counted_at=start, quantity_t=0.0)
            )
            balance = 0.0
            inflow = outflow = 0.0
            supplier = r.choice(valid) if valid else None
            for step in range(r.randint(3, 9)):
                at = start + dt.timedelta(days=10 * step + r.randint(1, 9), hours=r.randint(8, 17))
                if balance < 1 or r.random() < 0.4:
                    q = round(r.uniform(1, 8), 3)
                    if chem.key == "sodium-cyanide":
                        q = round(q / 100, 4)
                    direction, kind = Direction.IN, FlowKind.PURCHASE
                    balance += q
                    inflow += q
                else:
                    q = round(min(balance, r.uniform(0.5, 5)), 3)
                    if q <= 0:
                        continue
                    kind = r.choice([FlowKind.USE, FlowKind.SALE, FlowKind.USE])
                    direction = Direction.OUT
                    balance -= q
                    outflow += q
                own_supplier = supplier is not None and supplier.organization_id != org.pk
                flow = Flow(
                    organization=org,
                    chemical=chem,
                    kind=kind,
                    direction=direction,
                    occurred_at=at,
                    quantity=q,
                    quantity_unit="t",
                    quantity_t=q,
                    lot=f"LOT-{org.pk}-{chem.pk}-{step // 3}",
                    documents=f"发票 No.{r.randint(10**7, 10**8 - 1)}",
                )
                if kind == FlowKind.PURCHASE and own_supplier:
                    assert supplier is not None
                    flow.counterparty = supplier.organization
                    flow.counterparty_name = supplier.organization.name
                    flow.counterparty_licence_no = supplier.number
                    flow.counterparty_licence = supplier
                elif kind == FlowKind.PURCHASE:
                    # A supplier from elsewhere: its licence cannot be verified here.
                    flow.counterparty_name = "外省化工贸易有限公司"
                    flow.counterparty_licence_no = "苏危化经〔2024〕0099"
                    flow.warnings = [UNVERIFIED]
                    flow.flagged = True
                elif kind == FlowKind.SALE:
                    flow.counterparty_name = "某涂装加工厂"
                if kind == FlowKind.PURCHASE and chem.controlled:
                    flow.permit_no = f"购买备案 {i:04d}-{step:02d}"
                flows.append(flow)
            # The closing count: mostly right, now and then short by a few percent.
            declared = round(balance * (r.uniform(0.9, 0.97) if r.random() < 0.15 else 1.0), 3)
            expected = inflow - outflow
            count = StockCount(
                organization=org,
                chemical=chem,
                counted_at=now - dt.timedelta(hours=1),
                quantity_t=declared,
                opening_t=0.0,
                in_t=inflow,
                out_t=outflow,
                expected_t=expected,
                discrepancy_t=declared - expected,
            )
            count.flagged = abs(declared - expected) > max(0.001, 0.005 * abs(expected)) + 1e-9
            counts.append(count)
    flows += _chain(orgs, chems, valid, now)
    Flow.objects.bulk_create(flows, batch_size=BATCH)
    StockCount.objects.bulk_create(counts, batch_size=BATCH)
    return len(flows), len(counts)


def _chain(
    orgs: list[Organization], chems: dict[str, Chemical], valid: list[Licence], now: dt.datetime
) -> list[Flow]:
    """One lot that passes through three organisations, for the trace page: a licensed
    trader buys it from outside the district and sells part to a second licensed trader,
    which uses some and sells some to a third; each side records its own entry."""
    holders: dict[int, Licence] = {}
    for lic in valid:
        holders.setdefault(lic.organization_id, lic)
    licensed = [o for o in orgs if o.pk in holders]
    others = [o for o in orgs if o.pk not in {x.pk for x in licensed[:2]}]
    if len(licensed) < 2 or not others:
        return []
    a, b, c = licensed[0], licensed[1], others[0]
    chem = chems["t1-69"]  # ethyl acetate: no other demo ledger uses it
    lot = "LOT-DEMO-0001"

    def flow(org: Organization, kind: str, direction: str, q: float, days: int, **kw: Any) -> Flow:
        return Flow(
            organization=org,
            chemical=chem,
            kind=kind,
            direction=direction,
            occurred_at=now - dt.timedelta(days=days),
            quantity=q,
            quantity_unit="t",
            quantity_t=q,
            lot=lot,
            **kw,
        )

    return [
        flow(
            a,
            FlowKind.PURCHASE,
            Direction.IN,
            20,
            50,
            counterparty_name="外省化工贸易有限公司",
            counterparty_licence_no="苏危化经〔2024〕0099",
            warnings=[UNVERIFIED],
            flagged=True,
        ),
        flow(a, FlowKind.SALE, Direction.OUT, 8, 40, counterparty=b, counterparty_name=b.name),
        flow(
            b,
            FlowKind.PURCHASE,
            Direction.IN,
            8,
            40,
            counterparty=a,
            counterparty_name=a.name,
            counterparty_licence_no=holders[a.pk].number,
            counterparty_licence=holders[a.pk],
        ),
        flow(b, FlowKind.USE, Direction.OUT, 5, 30),
        flow(b, FlowKind.SALE, Direction.OUT, 2, 25, counterparty=c, counterparty_name=c.name),
        flow(
            c,
            FlowKind.PURCHASE,
            Direction.IN,
            2,
            25,
            counterparty=b,
            counterparty_name=b.name,
            counterparty_licence_no=holders[b.pk].number,
            counterparty_licence=holders[b.pk],
        ),
        flow(c, FlowKind.USE, Direction.OUT, 1.5, 20),
        flow(a, FlowKind.USE, Direction.OUT, 4, 20),
    ]


def _filings(
    r: random.Random,
    orgs: list[Organization],
    chems: dict[str, Chemical],
    blacklist: list[BlacklistEntry],
) -> int:
    listed = {(e.kind, e.identifier_key) for e in blacklist if e.lifted_on is None}
    now = timezone.now()
    out = []
    carriers = ["安达危险品运输有限公司", "申通危货物流有限公司", "沪东化学品运输有限公司"]
    for org in orgs:
        for _k in range(r.randint(0, 3)):
            plate = _plate(r)
            if (BlacklistKind.VEHICLE, identifier_key(plate)) in listed:
                continue
            carrier = r.choice(carriers)
            if (BlacklistKind.CARRIER, identifier_key(carrier)) in listed:
                continue
            start = now + dt.timedelta(days=r.randint(-60, 20), hours=r.randint(0, 12))
            chem = chems[r.choice(["t1-66", "diesel", "t1-52", "t1-64", "t1-12"])]
            q = round(r.uniform(2, 30), 1)
            out.append(
                TransportFiling(
                    organization=org,
                    chemical=chem,
                    quantity=q,
                    quantity_unit="t",
                    quantity_t=q,
                    vehicle_plate=identifier_key(plate),
                    trailer_plate="",
                    driver_name=_name(r),
                    driver_id=f"DZ{r.randint(10**7, 10**8 - 1)}",
                    escort_name=_name(r),
                    escort_id=f"YY{r.randint(10**6, 10**7 - 1)}",
                    carrier_name=carrier,
                    carrier_code="",
                    origin="上海化学工业区",
                    destination=org.address or org.name,
                    route="G1501—军工路—周家嘴路",
                    window_start=start,
                    window_end=start + dt.timedelta(hours=r.randint(2, 10)),
                    status="completed" if start < now - dt.timedelta(days=1) else "filed",
                )
            )
    bulk_create_with_history(out, TransportFiling, batch_size=BATCH, default_change_reason="demo")
    return len(out)
