"""The demo district: Yangpu (杨浦区, Shanghai), generated deterministically from a seed.

`generate(scale, seed)` builds the whole data set in memory, with no database: the
jurisdiction tree (12 streets, their communities and grid cells), organisations of
every kind, places and contacts. `load()` writes it in bulk with a "created" history
record for every row, so `--scale 100` (about 50,000 organisations) loads in a minute
or so instead of the hour that one service call per row would take.

Boundaries are APPROXIMATE (every node is flagged `demo_geometry`): a hand-drawn
district outline split into streets by a Voronoi partition of one seed point per
street, clipped to the outline, and likewise streets into communities and communities
into grid cells, so each level tiles its parent without gaps or overlaps. Street
codes are the official statistical codes; communities and grid cells get invented
codes that extend them.

The bulk path bypasses `services.save_*`, so it keeps their rules itself: locations
are located in the tree with the same `geo.SpatialIndex`, credit codes are built by
`creditcode.make`, boundaries are valid GeoJSON within the district; the tests re-save
a sample through the services to prove it.

Other apps may add their own demo data: a module `cityguard.<app>.demo` with a
function `load_demo(*, scale, seed) -> dict[str, int]` is called, in INSTALLED_APPS order, inside
the same transaction once the registry is loaded.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import math
import os
import random
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from simple_history.utils import bulk_create_with_history

from . import creditcode, geo
from .choices import LEVEL_DEPTH, ContactRole, DayKind, Level, OrganizationKind, PlaceKind, Role
from .models import CalendarDay, Contact, Jurisdiction, Membership, Organization, Place

DATA_FILE = Path(__file__).with_name("data") / "yangpu.json"
DEFAULT_SEED = 310110
PASSWORD_ENV = "CITYGUARD_DEMO_PASSWORD"
CHANGE_REASON = "demo"
BATCH_SIZE = 2000

# Parts smaller than this (about 1 m²) are numerical slivers left by clipping.
MIN_PART_AREA = 1e-10

# Organisations per kind at scale 1. Departments (the landmark list) and street
# offices (one per street) do not grow with the scale; parks grow with its square
# root, since a district has tens of parks, not thousands.
SCALED_KINDS: dict[str, int] = {
    OrganizationKind.ENTERPRISE: 380,
    OrganizationKind.SCHOOL: 40,
    OrganizationKind.HOSPITAL: 18,
    OrganizationKind.COMMERCIAL_COMPLEX: 12,
    OrganizationKind.CONSTRUCTION_SITE: 25,
    OrganizationKind.SOCIAL: 20,
    OrganizationKind.OTHER: 5,
}
PARKS_AT_SCALE_1 = 10
# Share of enterprises that sit inside a park (and have it as parent organisation).
IN_PARK_SHARE = 0.2

# Places per kind at scale 1; commercial complexes get one place per complex.
PLACE_KINDS: dict[str, int] = {
    PlaceKind.CROWDED_PLACE: 70,
    PlaceKind.HIGH_RISE: 80,
    PlaceKind.UNDERGROUND_SPACE: 40,
    PlaceKind.CONFINED_SPACE: 40,
    PlaceKind.GLASS_CURTAIN_WALL: 30,
    PlaceKind.BILLBOARD: 30,
}

DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("demo-staff", Role.DISTRICT_STAFF),
    ("demo-street", Role.STREET_OFFICER),
    ("demo-manager", Role.ENTERPRISE_MANAGER),
    ("demo-viewer", Role.VIEWER),
)

CN_NUMERALS = "一二三四五六七八九十"


class DemoDataExists(Exception):
    """The registry already holds data and `force` was not given."""


# --- the plan: everything the demo writes, built without a database -----------------


@dataclass
class NodeSpec:
    code: str
    name: str
    name_en: str
    level: str
    parent: int | None  # index into Plan.nodes
    geom: BaseGeometry
    population: int


@dataclass
class OrgSpec:
    name: str
    kind: str
    street: int  # index of the street node it was generated in
    credit_code: str = ""
    address: str = ""
    phone: str = ""
    industry: str = ""
    employees: int | None = None
    lon: float = math.nan
    lat: float = math.nan
    node: int = -1  # deepest node containing (lon, lat)
    parent: int | None = None  # index into Plan.orgs
    boundary: BaseGeometry | None = None


@dataclass
class PlaceSpec:
    name: str
    kind: str
    owner: int  # index into Plan.orgs
    address: str
    lon: float
    lat: float
    node: int = -1
    floors: int | None = None
    height_m: float | None = None
    floor_area_m2: float | None = None
    capacity: int | None = None
    notes: str = ""


@dataclass
class ContactSpec:
    owner: int
    name: str
    role: str
    title: str
    phone: str


@dataclass
class Plan:
    scale: float
    seed: int
    nodes: list[NodeSpec]
    orgs: list[OrgSpec] = field(default_factory=list)
    places: list[PlaceSpec] = field(default_factory=list)
    contacts: list[ContactSpec] = field(default_factory=list)
    officer_street: int = -1  # node index of the demo street officer's street
    manager_org: int = -1  # org index of the demo enterprise manager's enterprise


@cache
def _data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


# --- geometry -----------------------------------------------------------------------


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    out: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            if part.area > MIN_PART_AREA:
                out.append(part)
        elif not part.is_empty and part.geom_type in ("MultiPolygon", "GeometryCollection"):
            out.extend(_polygons(part))
    return out


def _clean(geom: BaseGeometry) -> BaseGeometry:
    """Keep the polygonal parts of a clipped cell, valid, rings oriented as RFC 7946 asks.

    Coordinates are deliberately not rounded: a vertex where a cell's edge meets its
    parent's edge would move off that edge and leave a sliver against the neighbour on
    the other side. Unrounded, neighbours share their edges and every level tiles its
    parent to within floating-point noise.
    """
    parts = _polygons(geom)
    if not parts:
        raise ValueError("demo geometry collapsed to nothing")
    out: BaseGeometry = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not out.is_valid:
        parts = _polygons(shapely.make_valid(out))
        out = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return shapely.orient_polygons(out)


def _rounded(geom: BaseGeometry) -> BaseGeometry:
    """A stand-alone shape (a park) with coordinates at 1e-6°, as the services store them."""
    return _clean(shapely.set_precision(geom, 1e-6))


def _partition(region: BaseGeometry, points: np.ndarray) -> list[BaseGeometry]:
    """Split `region` into the Voronoi cells of `points` (in their order), clipped."""
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=region, ordered=True)
    parts = shapely.get_parts(cells)
    if len(parts) != len(points):
        raise ValueError("Voronoi cells do not match their seeds")
    return [_clean(shapely.intersection(cell, region)) for cell in parts]


def _round6(values: np.ndarray) -> np.ndarray:
    return np.round(values, 6)


def sample_points(
    geom: BaseGeometry, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """`n` uniformly random points inside `geom`, already rounded to 1e-6°."""
    if n <= 0:
        return np.empty(0), np.empty(0)
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    fill = max(geom.area / ((maxx - minx) * (maxy - miny)), 0.05)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    while got < n:
        m = int((n - got) / fill * 1.3) + 16
        x = _round6(rng.uniform(minx, maxx, m))
        y = _round6(rng.uniform(miny, maxy, m))
        inside = shapely.contains_xy(geom, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        got += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _spread_points(geom: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` points inside `geom`, kept apart so that no Voronoi cell is a sliver."""
    spacing = 0.6 * math.sqrt(geom.area / n)
    chosen: list[tuple[float, float]] = []
    while len(chosen) < n:
        xs, ys = sample_points(geom, 400, rng)
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            if all((x - cx) ** 2 + (y - cy) ** 2 >= spacing**2 for cx, cy in chosen):
                chosen.append((x, y))
                if len(chosen) == n:
                    break
        spacing *= 0.9
    return np.array(chosen)


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to `weights` summing exactly to `total`."""
    w = np.asarray(weights, float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    for i in np.argsort(raw - out)[::-1][: total - int(out.sum())]:
        out[i] += 1
    return [int(v) for v in out]


def geojson_text(geom: BaseGeometry) -> str:
    return json.dumps(mapping(geom), separators=(",", ":"))


# --- the jurisdiction tree ------------------------------------------------------------


def build_tree(seed: int = DEFAULT_SEED) -> list[NodeSpec]:
    """District, streets, communities and grid cells; independent of the scale."""
    data = _data()
    rng = np.random.default_rng([seed, 1])
    district = data["district"]
    streets = data["streets"]
    outline = _clean(Polygon(district["outline"]))
    nodes = [
        NodeSpec(
            district["code"],
            district["name"],
            district["name_en"],
            Level.DISTRICT,
            None,
            outline,
            sum(s["population"] for s in streets),
        )
    ]
    street_cells = _partition(outline, np.array([s["seed"] for s in streets]))
    street_nodes = []
    for street, cell in zip(streets, street_cells, strict=True):
        nodes.append(
            NodeSpec(
                street["code"],
                street["name"],
                street["name_en"],
                Level.STREET,
                0,
                cell,
                street["population"],
            )
        )
        street_nodes.append(len(nodes) - 1)

    mean_area = outline.area / len(streets) / 11
    used: set[str] = set()
    for si, street in zip(street_nodes, streets, strict=True):
        cell = nodes[si].geom
        n = int(np.clip(round(cell.area / mean_area), 8, 15))
        comm_cells = _partition(cell, _spread_points(cell, n, rng))
        names = _community_names(street, n, rng, used)
        pops = _split(street["population"], [c.area * rng.lognormal(0, 0.3) for c in comm_cells])
        for ci, (comm, (name, name_en), pop) in enumerate(
            zip(comm_cells, names, pops, strict=True), start=1
        ):
            code = f"{street['code']}{ci:03d}"
            nodes.append(NodeSpec(code, name, name_en, Level.COMMUNITY, si, comm, pop))
            cn = len(nodes) - 1
            k = int(rng.integers(2, 5))
            grids = _partition(comm, _spread_points(comm, k, rng))
            grid_pops = _split(pop, [g.area for g in grids])
            for gi, (grid, gpop) in enumerate(zip(grids, grid_pops, strict=True), start=1):
                nodes.append(
                    NodeSpec(
                        f"{code}{gi:02d}",
                        f"{name}{gi}号网格",
                        f"{name_en}, Grid {gi}",
                        Level.GRID,
                        cn,
                        grid,
                        gpop,
                    )
                )
    return nodes


def _community_names(
    street: dict[str, Any], n: int, rng: np.random.Generator, used: set[str]
) -> list[tuple[str, str]]:
    candidates = [(f"{v}居委", f"{v_en} Residents' Committee") for v, v_en in street["villages"]]
    for road, road_en in street["roads"]:
        for i in range(3):
            candidates.append(
                (f"{road}第{CN_NUMERALS[i]}居委", f"{road_en} No. {i + 1} Residents' Committee")
            )
    out = []
    for i in rng.permutation(len(candidates)).tolist():
        name = candidates[i]
        if name[0] not in used:
            used.add(name[0])
            out.append(name)
            if len(out) == n:
                return out
    raise ValueError(f"not enough community names for {street['name']}")


# --- organisations, places, contacts --------------------------------------------------


def organization_counts(scale: float) -> dict[str, int]:
    """How many organisations of each kind the demo makes at `scale`."""
    data = _data()
    counts = {
        OrganizationKind.DEPARTMENT.value: len(data["landmarks"]["department"]),
        OrganizationKind.STREET_OFFICE.value: len(data["streets"]),
        OrganizationKind.PARK.value: max(1, round(PARKS_AT_SCALE_1 * math.sqrt(scale))),
    }
    for kind, base in SCALED_KINDS.items():
        counts[str(kind)] = round(base * scale)
    counts[OrganizationKind.ENTERPRISE.value] = max(1, counts[OrganizationKind.ENTERPRISE.value])
    return counts


def expected_organizations(scale: float) -> int:
    return sum(organization_counts(scale).values())


class _Names:
    """Plausible Chinese names for people, brands and organisations."""

    def __init__(self, r: random.Random) -> None:
        data = _data()
        self.r = r
        self.brand_chars = data["brand_chars"]
        self.surnames = data["surnames"]
        self.given = data["given_chars"]
        self.industries = data["industries"]
        self.industry_weights = [w for _n, _c, w in self.industries]
        self.used: set[str] = set()

    def brand(self) -> str:
        a, b = self.r.sample(self.brand_chars, 2)
        return a + b

    def person(self) -> str:
        given = "".join(self.r.choices(self.given, k=self.r.choice((1, 2, 2, 2))))
        return self.r.choice(self.surnames) + given

    def mobile(self) -> str:
        head = self.r.choice(("139", "138", "137", "136", "135", "186", "189", "158", "177", "150"))
        return head + f"{self.r.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"021-{self.r.choice('653')}{self.r.randrange(10**7):07d}"

    def unique(self, make: Callable[[], str], fallback: Callable[[str], str]) -> str:
        for _attempt in range(20):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        n = 2
        while fallback(f"{name}{n}") in self.used:
            n += 1
        name = fallback(f"{name}{n}")
        self.used.add(name)
        return name

    def enterprise(self) -> tuple[str, str]:
        word, category, _w = self.r.choices(self.industries, self.industry_weights)[0]

        def make() -> str:
            brand = self.brand()
            roll = self.r.random()
            if roll < 0.8:
                return f"上海{brand}{word}有限公司"
            if roll < 0.88:
                return f"上海{brand}{word}股份有限公司"
            if roll < 0.95:
                return f"{brand}{word}(上海)有限公司"
            return f"上海{brand}{word}有限公司杨浦分公司"

        return self.unique(make, lambda s: s), category


def _road(r: random.Random, street: dict[str, Any]) -> str:
    return str(r.choice(street["roads"])[0])


def _stem(r: random.Random, street: dict[str, Any]) -> str:
    """A place-name stem from the street's roads and estates: 国权, 凤城新村 …"""
    if r.random() < 0.5:
        return _road(r, street).removesuffix("路")
    return str(r.choice(street["villages"])[0])


def _address(r: random.Random, street: dict[str, Any]) -> str:
    return f"上海市杨浦区{_road(r, street)}{r.randint(1, 1999)}号"


def _landmark(kind: str, i: int) -> tuple[str, str | None] | None:
    """The i-th well-known organisation of `kind` and its street code, if any."""
    landmarks = _data()["landmarks"].get(kind, [])
    if i >= len(landmarks):
        return None
    entry = landmarks[i]
    return (entry, None) if isinstance(entry, str) else (entry[0], entry[1])


def _org_name(kind: str, r: random.Random, names: _Names, street: dict[str, Any]) -> str:
    """A generated name for an organisation of `kind` in `street`."""
    stem = _stem(r, street)
    brand = names.brand()
    patterns: dict[str, Sequence[str]] = {
        OrganizationKind.SCHOOL: (
            f"杨浦区{stem}小学",
            f"上海市{stem}中学",
            f"杨浦区{stem}幼儿园",
            f"上海市杨浦区{stem}初级中学",
        ),
        OrganizationKind.HOSPITAL: (
            f"上海杨浦{brand}门诊部",
            f"上海{brand}口腔门诊部",
            f"杨浦区{stem}社区卫生服务站",
        ),
        OrganizationKind.PARK: (f"杨浦{brand}科技园", f"{stem}创意园", f"{brand}智造园"),
        OrganizationKind.COMMERCIAL_COMPLEX: (f"杨浦{brand}广场", f"{stem}{brand}生活广场"),
        OrganizationKind.CONSTRUCTION_SITE: (
            f"{_road(r, street)}{r.randint(1, 999)}号地块新建工程项目部",
            f"杨浦区{stem}街坊旧区改造项目部",
            f"{stem}{brand}大厦工程项目部",
        ),
        OrganizationKind.SOCIAL: (
            f"杨浦区{stem}社会工作服务社",
            f"杨浦区{stem}志愿者协会",
            f"上海市杨浦区{stem}养老院",
            f"杨浦区{stem}青少年活动中心",
        ),
        OrganizationKind.OTHER: (f"杨浦区{stem}菜市场", f"{stem}停车场管理处"),
    }
    choices = patterns[kind]
    return names.unique(lambda: r.choice(choices), lambda s: s)


_INDUSTRY: dict[str, str] = {
    OrganizationKind.DEPARTMENT: "公共管理、社会保障和社会组织",
    OrganizationKind.STREET_OFFICE: "公共管理、社会保障和社会组织",
    OrganizationKind.SCHOOL: "教育",
    OrganizationKind.HOSPITAL: "卫生和社会工作",
    OrganizationKind.PARK: "租赁和商务服务业",
    OrganizationKind.COMMERCIAL_COMPLEX: "批发和零售业",
    OrganizationKind.CONSTRUCTION_SITE: "建筑业",
    OrganizationKind.SOCIAL: "公共管理、社会保障和社会组织",
    OrganizationKind.OTHER: "居民服务、修理和其他服务业",
}

# Registration authority and type (GB 32100): 11 organ of state, 12 public
# institution, 52 private non-enterprise unit, 91 enterprise.
_CREDIT_PREFIX: dict[str, str] = {
    OrganizationKind.DEPARTMENT: "11",
    OrganizationKind.STREET_OFFICE: "11",
    OrganizationKind.SCHOOL: "12",
    OrganizationKind.HOSPITAL: "12",
    OrganizationKind.SOCIAL: "52",
}

_EMPLOYEES: dict[str, tuple[int, int]] = {
    OrganizationKind.DEPARTMENT: (40, 400),
    OrganizationKind.STREET_OFFICE: (60, 200),
    OrganizationKind.SCHOOL: (40, 600),
    OrganizationKind.HOSPITAL: (30, 2500),
    OrganizationKind.PARK: (10, 80),
    OrganizationKind.COMMERCIAL_COMPLEX: (50, 600),
    OrganizationKind.CONSTRUCTION_SITE: (30, 400),
    OrganizationKind.SOCIAL: (3, 60),
    OrganizationKind.OTHER: (3, 40),
}

_TITLES: dict[str, tuple[str, str]] = {
    OrganizationKind.DEPARTMENT: ("局长", "安全保卫科科长"),
    OrganizationKind.STREET_OFFICE: ("主任", "平安办主任"),
    OrganizationKind.SCHOOL: ("校长", "保卫处处长"),
    OrganizationKind.HOSPITAL: ("院长", "保卫科科长"),
    OrganizationKind.PARK: ("总经理", "安全主管"),
    OrganizationKind.COMMERCIAL_COMPLEX: ("总经理", "消防安全经理"),
    OrganizationKind.CONSTRUCTION_SITE: ("项目经理", "专职安全员"),
    OrganizationKind.SOCIAL: ("负责人", "安全员"),
    OrganizationKind.OTHER: ("负责人", "安全员"),
    OrganizationKind.ENTERPRISE: ("法定代表人", "安全管理员"),
}

_ORG8 = list(creditcode.ALPHABET)


def _credit_code(r: random.Random, kind: str, used: set[str]) -> str:
    prefix = _CREDIT_PREFIX.get(kind, "91")
    while True:
        if prefix == "91" and r.random() < 0.75:
            # Codes issued since 2015 carry an organisation code starting "MA".
            org8 = "MA" + "".join(r.choices(_ORG8, k=6))
        else:
            org8 = "".join(r.choices("0123456789", k=8))
        code = creditcode.make(prefix, "310110", org8)
        if code not in used:
            used.add(code)
            return code


def _park_boundary(
    street_geom: BaseGeometry, rng: np.random.Generator, others: list[BaseGeometry]
) -> BaseGeometry:
    """A rough polygon of 100–300 m radius inside the street, clear of other parks
    where 30 tries allow (at scale 100 the district runs out of room)."""
    for attempt in range(60):
        xs, ys = sample_points(street_geom, 1, rng)
        cx, cy = float(xs[0]), float(ys[0])
        k = int(rng.integers(6, 10))
        # Spread round the centre, so the hull always contains it.
        angles = (np.arange(k) + rng.uniform(-0.3, 0.3, k)) * (2 * math.pi / k)
        radius = rng.uniform(0.0010, 0.0028) * rng.uniform(0.7, 1.0, k)
        ring = np.column_stack(
            [
                cx + radius * np.cos(angles) / math.cos(math.radians(cy)),
                cy + radius * np.sin(angles),
            ]
        )
        raw = shapely.intersection(Polygon(ring).convex_hull, street_geom)
        if raw.area < 1e-7:
            continue
        shape = _rounded(raw)
        if attempt < 30 and any(shape.intersects(o) for o in others):
            continue
        return shape
    raise ValueError("no room for a park")


def generate(scale: float = 1.0, seed: int = DEFAULT_SEED) -> Plan:
    """The whole demo data set, in memory. Same scale and seed → identical plan."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    data = _data()
    nodes = build_tree(seed)
    plan = Plan(scale=scale, seed=seed, nodes=nodes)
    r = random.Random(f"cityguard-demo-{seed}")
    rng = np.random.default_rng([seed, 2])
    names = _Names(r)
    codes: set[str] = set()
    street_idx = [i for i, n in enumerate(nodes) if n.level == Level.STREET]
    street_data = {i: s for i, s in zip(street_idx, data["streets"], strict=True)}
    by_code = {nodes[i].code: i for i in street_idx}
    plan.officer_street = by_code[data["officer_street"]]
    # Denser where more people live and where there is more room.
    weights = [math.sqrt(nodes[i].geom.area * street_data[i]["population"]) for i in street_idx]
    counts = organization_counts(scale)
    orgs = plan.orgs

    def pick_street() -> int:
        return r.choices(street_idx, weights)[0]

    def new_org(kind: str, k: int) -> OrgSpec:
        """The k-th organisation of `kind`: the landmarks first, then generated ones."""
        landmark = _landmark(kind, k)
        if landmark is not None:
            name, code = landmark
            si = by_code[code] if code else pick_street()
            names.used.add(name)
        else:
            si = pick_street()
            name = _org_name(kind, r, names, street_data[si])
        return OrgSpec(name, kind, si)

    # Departments and street offices: fixed.
    for k in range(counts[OrganizationKind.DEPARTMENT]):
        orgs.append(new_org(OrganizationKind.DEPARTMENT, k))
    for i in street_idx:
        street = street_data[i]
        office = OrgSpec(f"杨浦区{street['name']}办事处", OrganizationKind.STREET_OFFICE, i)
        seed_x, seed_y = street["seed"]
        if nodes[i].geom.contains(shapely.Point(seed_x, seed_y)):
            office.lon, office.lat = seed_x, seed_y
        orgs.append(office)

    # Parks, with boundaries: enterprises placed inside one take it as parent.
    parks: list[int] = []
    park_shapes: list[BaseGeometry] = []
    for k in range(counts[OrganizationKind.PARK]):
        spec = new_org(OrganizationKind.PARK, k)
        boundary = _park_boundary(nodes[spec.street].geom, rng, park_shapes)
        park_shapes.append(boundary)
        spec.boundary = boundary
        point = boundary.representative_point()
        spec.lon, spec.lat = round(point.x, 6), round(point.y, 6)
        if not boundary.contains(shapely.Point(spec.lon, spec.lat)):
            xs, ys = sample_points(boundary, 1, rng)
            spec.lon, spec.lat = float(xs[0]), float(ys[0])
        orgs.append(spec)
        parks.append(len(orgs) - 1)
    park_weights = [orgs[p].boundary.area for p in parks]  # type: ignore[union-attr]

    for kind in (
        OrganizationKind.HOSPITAL,
        OrganizationKind.SCHOOL,
        OrganizationKind.COMMERCIAL_COMPLEX,
        OrganizationKind.CONSTRUCTION_SITE,
        OrganizationKind.SOCIAL,
        OrganizationKind.OTHER,
    ):
        for k in range(counts[kind]):
            orgs.append(new_org(kind, k))

    for k in range(counts[OrganizationKind.ENTERPRISE]):
        if k == 0:
            # The demo enterprise manager's company: always in the officer's street.
            spec = OrgSpec("", OrganizationKind.ENTERPRISE, plan.officer_street)
        elif parks and r.random() < IN_PARK_SHARE:
            park = r.choices(parks, park_weights)[0]
            spec = OrgSpec("", OrganizationKind.ENTERPRISE, orgs[park].street, parent=park)
        else:
            spec = OrgSpec("", OrganizationKind.ENTERPRISE, pick_street())
        spec.name, spec.industry = names.enterprise()
        orgs.append(spec)
        if k == 0:
            plan.manager_org = len(orgs) - 1

    # Locations: sampled in bulk per street (or per park), then located in the tree.
    groups: dict[tuple[str, int], list[int]] = {}
    for i, o in enumerate(orgs):
        if math.isnan(o.lon):
            key = ("park", o.parent) if o.parent is not None else ("street", o.street)
            groups.setdefault(key, []).append(i)  # type: ignore[arg-type]
    for (what, where), members in groups.items():
        geom = orgs[where].boundary if what == "park" else nodes[where].geom
        xs, ys = sample_points(geom, len(members), rng)
        for i, x, y in zip(members, xs.tolist(), ys.tolist(), strict=True):
            orgs[i].lon, orgs[i].lat = x, y

    index = geo.SpatialIndex(
        geo.Area(i, n.geom, LEVEL_DEPTH[Level(n.level)]) for i, n in enumerate(nodes)
    )
    located = index.locate_many([o.lon for o in orgs], [o.lat for o in orgs])
    for o, node in zip(orgs, located, strict=True):
        if node is None:
            raise ValueError(f"demo organisation {o.name} lies outside the district")
        o.node = node

    for owner, o in enumerate(orgs):
        street = street_data[o.street]
        o.credit_code = _credit_code(r, o.kind, codes)
        o.address = _address(r, street)
        o.phone = names.landline()
        if o.kind == OrganizationKind.ENTERPRISE:
            o.employees = max(1, int(rng.lognormal(3.0, 1.2)))
        else:
            o.industry = _INDUSTRY.get(o.kind, "")
            lo, hi = _EMPLOYEES[o.kind]
            o.employees = r.randint(lo, hi)
        principal, safety = _TITLES[o.kind]
        plan.contacts.append(
            ContactSpec(owner, names.person(), ContactRole.PRINCIPAL, principal, names.mobile())
        )
        plan.contacts.append(
            ContactSpec(owner, names.person(), ContactRole.SAFETY_MANAGER, safety, names.mobile())
        )

    _generate_places(plan, r, rng, names, street_data, index)
    return plan


_CROWDED_SUFFIX: dict[str, Sequence[str]] = {
    OrganizationKind.SCHOOL: ("体育馆", "礼堂", "食堂"),
    OrganizationKind.HOSPITAL: ("门急诊楼", "住院楼"),
    OrganizationKind.COMMERCIAL_COMPLEX: ("影城", "美食广场", "溜冰场"),
    OrganizationKind.SOCIAL: ("活动大厅",),
    OrganizationKind.OTHER: ("交易大厅",),
    OrganizationKind.ENTERPRISE: ("职工食堂", "会议中心"),
    OrganizationKind.PARK: ("共享会议中心", "人才公寓"),
}


def _generate_places(
    plan: Plan,
    r: random.Random,
    rng: np.random.Generator,
    names: _Names,
    street_data: dict[int, dict[str, Any]],
    index: geo.SpatialIndex,
) -> None:
    orgs = plan.orgs
    by_kind: dict[str, list[int]] = {}
    for i, o in enumerate(orgs):
        by_kind.setdefault(o.kind, []).append(i)
    enterprises = by_kind.get(OrganizationKind.ENTERPRISE, [])
    property_cos = [i for i in enterprises if "物业" in orgs[i].name] or enterprises
    makers = [i for i in enterprises if orgs[i].industry == "制造业"] or enterprises
    advertisers = [i for i in enterprises if "广告" in orgs[i].name] or enterprises
    crowded_owners = [
        i
        for kind in _CROWDED_SUFFIX
        for i in by_kind.get(kind, [])
        if kind != OrganizationKind.ENTERPRISE
    ] + enterprises[: max(1, len(enterprises) // 20)]

    specs: list[PlaceSpec] = []

    def add(kind: str, owner: int, name: str, address: str = "", **attrs: Any) -> None:
        street = street_data[orgs[owner].street]
        specs.append(
            PlaceSpec(
                name=name,
                kind=kind,
                owner=owner,
                address=address or _address(r, street),
                lon=orgs[owner].lon,
                lat=orgs[owner].lat,
                **attrs,
            )
        )

    for owner in by_kind.get(OrganizationKind.COMMERCIAL_COMPLEX, []):
        floors = r.randint(4, 12)
        add(
            PlaceKind.COMMERCIAL_COMPLEX,
            owner,
            orgs[owner].name,
            floors=floors,
            height_m=round(floors * 5.2, 1),
            floor_area_m2=float(r.randrange(50_000, 320_000, 1000)),
            capacity=r.randrange(5_000, 40_000, 500),
        )
    scale = plan.scale
    for kind, base in PLACE_KINDS.items():
        for _k in range(round(base * scale)):
            brand = names.brand()
            if kind == PlaceKind.CROWDED_PLACE:
                owner = r.choice(crowded_owners)
                suffixes = _CROWDED_SUFFIX.get(orgs[owner].kind, ("活动中心",))
                name = f"{orgs[owner].name}{r.choice(suffixes)}"
                add(
                    kind,
                    owner,
                    name,
                    floors=r.randint(1, 5),
                    floor_area_m2=float(r.randrange(800, 20_000, 100)),
                    capacity=r.randrange(200, 3_000, 50),
                )
            elif kind in (PlaceKind.HIGH_RISE, PlaceKind.GLASS_CURTAIN_WALL):
                owner = r.choice(property_cos)
                floors = r.randint(10, 45)
                road = _road(r, street_data[orgs[owner].street]).removesuffix("路")
                name = r.choice((f"{brand}大厦", f"{brand}国际中心", f"{road}{brand}广场"))
                notes = ""
                if kind == PlaceKind.GLASS_CURTAIN_WALL:
                    notes = (
                        f"玻璃幕墙面积约{r.randrange(2_000, 30_000, 500)}平方米，"
                        f"建成于{r.randint(1995, 2020)}年"
                    )
                add(
                    kind,
                    owner,
                    name,
                    floors=floors,
                    height_m=round(floors * r.uniform(3.3, 4.2), 1),
                    floor_area_m2=float(r.randrange(10_000, 150_000, 500)),
                    capacity=floors * r.randrange(50, 200, 10),
                    notes=notes,
                )
            elif kind == PlaceKind.UNDERGROUND_SPACE:
                owner = r.choice(property_cos)
                road = _road(r, street_data[orgs[owner].street])
                name = r.choice(
                    (
                        f"{brand}大厦地下车库",
                        f"{road}{r.randint(1, 999)}号民防工程",
                        f"{road}地下商业街",
                    )
                )
                add(
                    kind,
                    owner,
                    name,
                    floors=r.randint(1, 3),
                    floor_area_m2=float(r.randrange(1_000, 30_000, 100)),
                    capacity=r.randrange(50, 2_000, 50),
                )
            elif kind == PlaceKind.CONFINED_SPACE:
                owner = r.choice(makers)
                what = r.choice(("污水处理池", "化粪池", "地下管沟", "储罐", "污水井"))
                add(kind, owner, f"{orgs[owner].name}{what}")
            else:  # billboard
                owner = r.choice(advertisers)
                spot = f"{_road(r, street_data[orgs[owner].street])}{r.randint(1, 1999)}号"
                add(
                    kind,
                    owner,
                    f"{spot}户外广告牌",
                    address=f"上海市杨浦区{spot}",
                    height_m=round(r.uniform(4, 30), 1),
                    notes=f"牌面面积约{r.randrange(10, 300, 5)}平方米",
                )

    if specs:
        # Each place stands near its organisation (within a few hundred metres).
        district = plan.nodes[0].geom
        shapely.prepare(district)
        dx = _round6(np.array([s.lon for s in specs]) + rng.normal(0, 0.0008, len(specs)))
        dy = _round6(np.array([s.lat for s in specs]) + rng.normal(0, 0.0008, len(specs)))
        inside = shapely.contains_xy(district, dx, dy)
        for s, x, y, ok in zip(specs, dx.tolist(), dy.tolist(), inside.tolist(), strict=True):
            if ok:
                s.lon, s.lat = x, y
        located = index.locate_many([s.lon for s in specs], [s.lat for s in specs])
        for s, node in zip(specs, located, strict=True):
            if node is None:
                raise ValueError(f"demo place {s.name} lies outside the district")
            s.node = node
    plan.places = specs


# --- writing ------------------------------------------------------------------------------


@dataclass
class LoadResult:
    counts: dict[str, int]
    users: list[tuple[str, str]]  # (username, role)
    password: str | None  # the generated password, or None when it came from the env
    wiped: bool = False


def has_data() -> bool:
    return Jurisdiction.objects.exists() or Organization.objects.exists()


def refusal() -> str:
    """Why the demo was not loaded, and how to load it anyway."""
    return _(
        "The database already holds jurisdictions or organisations, so the demo was not "
        "loaded. Run “cityguard demo --force” to delete them, with everything that depends "
        "on them, and load the demo district."
    )


def _bulk(model: type[models.Model], objs: list[Any], actor: Any) -> list[Any]:
    return bulk_create_with_history(  # type: ignore[no-any-return]
        objs,
        model,
        batch_size=BATCH_SIZE,
        default_user=actor,
        default_change_reason=CHANGE_REASON,
    )


def _write_tree(plan: Plan, actor: Any) -> list[int]:
    pks: list[int] = [0] * len(plan.nodes)
    paths: list[str] = [""] * len(plan.nodes)
    for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID):
        idx = [i for i, n in enumerate(plan.nodes) if n.level == level]
        objs = []
        for i in idx:
            n = plan.nodes[i]
            parent_path = paths[n.parent] if n.parent is not None else "/"
            paths[i] = f"{parent_path}{n.code}/"
            minx, miny, maxx, maxy = n.geom.bounds
            c = n.geom.representative_point()
            objs.append(
                Jurisdiction(
                    code=n.code,
                    name=n.name,
                    name_en=n.name_en,
                    level=level,
                    parent_id=pks[n.parent] if n.parent is not None else None,
                    path=paths[i],
                    boundary=geojson_text(n.geom),
                    min_lon=minx,
                    min_lat=miny,
                    max_lon=maxx,
                    max_lat=maxy,
                    centroid_lon=round(c.x, 6),
                    centroid_lat=round(c.y, 6),
                    population=n.population,
                    demo_geometry=True,
                )
            )
        for i, obj in zip(idx, _bulk(Jurisdiction, objs, actor), strict=True):
            pks[i] = obj.pk
    return pks


def _write_orgs(plan: Plan, node_pks: list[int], actor: Any) -> list[int]:
    pks: list[int] = [0] * len(plan.orgs)

    def build(i: int) -> Organization:
        o = plan.orgs[i]
        return Organization(
            name=o.name,
            kind=o.kind,
            credit_code=o.credit_code,
            address=o.address,
            phone=o.phone,
            industry=o.industry,
            employees=o.employees,
            lon=o.lon,
            lat=o.lat,
            jurisdiction_id=node_pks[o.node],
            boundary=geojson_text(o.boundary) if o.boundary is not None else "",
            parent_id=pks[o.parent] if o.parent is not None else None,
        )

    # Parents first, so that members can point at them.
    for wave in (
        [i for i, o in enumerate(plan.orgs) if o.parent is None],
        [i for i, o in enumerate(plan.orgs) if o.parent is not None],
    ):
        for start in range(0, len(wave), BATCH_SIZE * 5):
            chunk = wave[start : start + BATCH_SIZE * 5]
            saved = _bulk(Organization, [build(i) for i in chunk], actor)
            for i, obj in zip(chunk, saved, strict=True):
                pks[i] = obj.pk
    return pks


def _write_places(plan: Plan, node_pks: list[int], org_pks: list[int], actor: Any) -> int:
    objs = [
        Place(
            name=p.name,
            kind=p.kind,
            organization_id=org_pks[p.owner],
            address=p.address,
            floors=p.floors,
            height_m=p.height_m,
            floor_area_m2=p.floor_area_m2,
            capacity=p.capacity,
            notes=p.notes,
            lon=p.lon,
            lat=p.lat,
            jurisdiction_id=node_pks[p.node],
        )
        for p in plan.places
    ]
    for start in range(0, len(objs), BATCH_SIZE * 5):
        _bulk(Place, objs[start : start + BATCH_SIZE * 5], actor)
    return len(objs)


def _write_contacts(plan: Plan, org_pks: list[int], actor: Any) -> int:
    objs = [
        Contact(
            organization_id=org_pks[c.owner],
            name=c.name,
            role=c.role,
            title=c.title,
            phone=c.phone,
        )
        for c in plan.contacts
    ]
    for start in range(0, len(objs), BATCH_SIZE * 5):
        _bulk(Contact, objs[start : start + BATCH_SIZE * 5], actor)
    return len(objs)


# --- wiping ---------------------------------------------------------------------------------

_CORE_MODELS: tuple[type[models.Model], ...] = (Contact, Place, Organization, Jurisdiction)


def _cityguard_models() -> list[type[models.Model]]:
    labels = {c.label for c in apps.get_app_configs() if c.name.startswith("cityguard.")}
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        # Auto-created many-to-many tables belong with the model that declares them.
        owner = meta.auto_created if isinstance(meta.auto_created, type) else model
        if owner._meta.app_label in labels:
            out.append(model)
    return out


def detach_memberships() -> list[tuple[int, str | None, str | None]]:
    """Unlink memberships from the registry, remembering what they pointed at."""
    links = []
    qs = Membership.objects.filter(
        models.Q(jurisdiction__isnull=False) | models.Q(organization__isnull=False)
    ).select_related("jurisdiction", "organization")
    for m in qs:
        links.append(
            (
                m.pk,
                m.jurisdiction.code if m.jurisdiction else None,
                m.organization.credit_code if m.organization else None,
            )
        )
    qs.update(jurisdiction=None, organization=None)
    return links


def relink_memberships(links: Iterable[tuple[int, str | None, str | None]]) -> None:
    """Point detached memberships at the records with the same code, where any exists."""
    for pk, jcode, ccode in links:
        Membership.objects.filter(pk=pk).update(
            jurisdiction=Jurisdiction.objects.filter(code=jcode).first() if jcode else None,
            organization=Organization.objects.filter(credit_code=ccode).first() if ccode else None,
        )


# The working-day calendar of 2025 and 2026 as the State Council's holiday notices set it
# for those years: the weekdays off, and the weekend days worked.
# Demo data: an administrator keeps the real calendar on the calendar page.
DEMO_CALENDAR: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "2025": (
        ("元旦", ("01-01",), ()),
        ("春节", ("01-28", "01-29", "01-30", "01-31", "02-03", "02-04"), ("01-26", "02-08")),
        ("清明节", ("04-04",), ()),
        ("劳动节", ("05-01", "05-02", "05-05"), ("04-27",)),
        ("端午节", ("06-02",), ()),
        (
            "国庆节、中秋节",
            ("10-01", "10-02", "10-03", "10-06", "10-07", "10-08"),
            ("09-28", "10-11"),
        ),
    ),
    "2026": (
        ("元旦", ("01-01", "01-02"), ("01-04",)),
        ("春节", ("02-16", "02-17", "02-18", "02-19", "02-20", "02-23"), ("02-14", "02-28")),
        ("清明节", ("04-06",), ()),
        ("劳动节", ("05-01", "05-04", "05-05"), ("05-09",)),
        ("端午节", ("06-19",), ()),
        ("中秋节", ("09-25",), ()),
        ("国庆节", ("10-01", "10-02", "10-05", "10-06", "10-07"), ("09-20", "10-10")),
    ),
}


def write_calendar() -> int:
    """Add the demo calendar's days that are not listed yet (a listed day is kept)."""
    wanted: dict[dt.date, CalendarDay] = {}
    for year, holidays in DEMO_CALENDAR.items():
        for name, off, worked in holidays:
            for kind, days in ((DayKind.HOLIDAY, off), (DayKind.WORKDAY, worked)):
                for md in days:
                    day = dt.date.fromisoformat(f"{year}-{md}")
                    wanted[day] = CalendarDay(day=day, kind=kind, name=name)
    listed = set(CalendarDay.objects.filter(day__in=wanted).values_list("day", flat=True))
    new = [obj for day, obj in wanted.items() if day not in listed]
    bulk_create_with_history(new, CalendarDay, default_change_reason="demo")
    return len(new)


def wipe() -> dict[str, int]:
    """Delete the registry and every row of the project's apps that depends on it.

    Raw SQL rather than QuerySet.delete(): the latter loads every row and writes a
    history record per row, minutes at scale 100. Foreign keys are deferred (Django
    creates them so on SQLite and PostgreSQL), so order within the transaction does not
    matter; rows elsewhere that would dangle are deleted, or their link nulled where the
    field is SET_NULL, until nothing dangles. Memberships are left to
    `detach_memberships`. Must run inside a transaction.
    """
    qn = connection.ops.quote_name
    deleted: dict[str, int] = {}
    with connection.cursor() as cur:
        for model in _CORE_MODELS:
            for m in (model, model.history.model):  # type: ignore[attr-defined]
                cur.execute(f"DELETE FROM {qn(m._meta.db_table)}")
                deleted[m._meta.label] = cur.rowcount
        candidates = [
            m for m in _cityguard_models() if m not in _CORE_MODELS and m is not Membership
        ]
        while True:
            changed = 0
            for model in candidates:
                for f in model._meta.concrete_fields:
                    if not (f.many_to_one or f.one_to_one) or not f.db_constraint:  # type: ignore[attr-defined]
                        continue
                    target = f.related_model
                    table, col = qn(model._meta.db_table), qn(f.column)
                    ttable = qn(target._meta.db_table)  # type: ignore[union-attr]
                    tcol = qn(f.target_field.column)  # type: ignore[attr-defined]
                    dangling = f"{col} IS NOT NULL AND {col} NOT IN (SELECT {tcol} FROM {ttable})"
                    if f.null and f.remote_field.on_delete is models.SET_NULL:  # type: ignore[union-attr]
                        cur.execute(f"UPDATE {table} SET {col} = NULL WHERE {dangling}")
                    else:
                        cur.execute(f"DELETE FROM {table} WHERE {dangling}")
                        if cur.rowcount:
                            label = model._meta.label
                            deleted[label] = deleted.get(label, 0) + cur.rowcount
                    changed += max(cur.rowcount, 0)
            if not changed:
                break
    return deleted


# --- users and other apps --------------------------------------------------------------------


def analyze() -> None:
    """Refresh the query planner's statistics after a bulk load: left alone, PostgreSQL
    plans the map's viewport queries for the empty tables it last saw."""
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for model in _CORE_MODELS:
                cur.execute(f"ANALYZE {qn(model._meta.db_table)}")
        elif connection.vendor == "sqlite":
            cur.execute("ANALYZE")


def demo_password() -> tuple[str, bool]:
    """(password, generated?) — from CITYGUARD_DEMO_PASSWORD, else a fresh random one."""
    env = os.environ.get(PASSWORD_ENV, "")
    return (env, False) if env else (secrets.token_urlsafe(12), True)


def _demo_users(
    plan: Plan, node_pks: list[int], org_pks: list[int], password: str
) -> list[tuple[str, str]]:
    User = get_user_model()
    # One hash for all: hashing is deliberately slow (about half a second each).
    hashed = make_password(password)
    out = []
    for username, role in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.password = hashed
        user.is_active = True
        user.save()
        jurisdiction_id = node_pks[plan.officer_street] if role == Role.STREET_OFFICER else None
        organization_id = org_pks[plan.manager_org] if role == Role.ENTERPRISE_MANAGER else None
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "jurisdiction_id": jurisdiction_id,
                "organization_id": organization_id,
            },
        )
        out.append((username, str(role)))
    return out


def _app_hooks() -> list[Callable[..., dict[str, int] | None]]:
    hooks = []
    for config in apps.get_app_configs():
        if not config.name.startswith("cityguard.") or config.name == "cityguard.core":
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        hook = getattr(importlib.import_module(name), "load_demo", None)
        if callable(hook):
            hooks.append(hook)
    return hooks


def load(
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    actor: Any = None,
    log: Callable[[str], None] | None = None,
) -> LoadResult:
    """Generate and write the demo. Refuses over existing data unless `force`, which
    deletes the registry (and what depends on it) first and keeps users' memberships by
    re-linking them to the records with the same codes."""
    log = log or (lambda _msg: None)
    if has_data() and not force:
        raise DemoDataExists(refusal())
    plan = generate(scale, seed)
    password, generated = demo_password()
    with transaction.atomic():
        wiped = has_data()
        links = []
        if wiped:
            links = detach_memberships()
            wipe()
        node_pks = _write_tree(plan, actor)
        org_pks = _write_orgs(plan, node_pks, actor)
        n_places = _write_places(plan, node_pks, org_pks, actor)
        n_contacts = _write_contacts(plan, org_pks, actor)
        n_calendar = write_calendar()
        relink_memberships(links)
        users = _demo_users(plan, node_pks, org_pks, password)
        app_counts: dict[str, int] = {}
        for hook in _app_hooks():
            # Each domain app adds its records on top of the registry just written.
            app_counts.update(hook(scale=scale, seed=seed) or {})
    analyze()
    return LoadResult(
        counts={
            "jurisdictions": len(plan.nodes),
            "streets": sum(1 for n in plan.nodes if n.level == Level.STREET),
            "communities": sum(1 for n in plan.nodes if n.level == Level.COMMUNITY),
            "grid_cells": sum(1 for n in plan.nodes if n.level == Level.GRID),
            "organizations": len(plan.orgs),
            "places": n_places,
            "contacts": n_contacts,
            "calendar_days": n_calendar,
            **app_counts,
        },
        users=users,
        password=password if generated else None,
        wiped=wiped,
    )
