"""Operations on the catalogue, units and inventories, and major hazard identification.

Pages, API, imports, tasks and the demo write through these; each checks the actor's reach
(core.access) and keeps history. Identification:

- `identify(unit, actor=…, trigger=…)`: one unit, through `gb18218.assess`. Called by every
  write that changes what it depends on (the unit, its inventories).
- `recompute(units, …)`: many units at once, through `gb18218.assess_batch` — the path a
  catalogue change takes.

Both keep every computation as an immutable `Assessment` (inputs, the table values used,
result), store the latest result on the unit, keep the major hazard source registry in
step and put each active major hazard source on the risk register (`risk.services.
register_origin`, domain `hazardous_chemicals`, level from its grade per
`config.grade_levels()`), taking it off (`unregister_origin`) when it is no longer major.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core import geo
from cityguard.core.access import reach, require_change
from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.services import (
    apply_changes,
    names_jurisdiction,
    place_in_tree,
    require_write,
    validate_and_save,
)

from . import catalogue, config, gb18218, measure
from .choices import PopulationSource, SourceStatus, Trigger
from .models import (
    Assessment,
    Chemical,
    ChemicalName,
    Inventory,
    MajorHazardSource,
    SafetyDataSheet,
    Unit,
)

log = logging.getLogger(__name__)

RISK_DOMAIN = "hazardous_chemicals"
RADIUS_M = 500.0
CIRCLE_KM2 = math.pi * (RADIUS_M / 1000) ** 2


def actor_name(actor: Any) -> str:
    return actor.get_username() if actor is not None and hasattr(actor, "get_username") else ""


# --- catalogue -----------------------------------------------------------------------------


class NotFound(Exception):
    """No catalogue entry has this name, alias or CAS number."""


class Ambiguous(Exception):
    """Several catalogue entries answer to this name (grades sharing a CAS number …)."""

    def __init__(self, candidates: list[Chemical]) -> None:
        super().__init__(", ".join(c.name_zh for c in candidates))
        self.candidates = candidates


EXACT_KINDS = ("name", "alias", "name_en", "cas", "un")


def resolve(text: str, grade: str | None = None) -> Chemical:
    """The one active chemical `text` names (name, alias, English name, CAS or UN number,
    else a name without its bracketed qualifier). `grade` chooses among entries that share
    a name or CAS number. Raises NotFound or Ambiguous."""
    k = measure.key(text)
    if not k:
        raise NotFound(text)
    cas = measure.normalise_cas(text)
    keys = {k, measure.key(cas)} if cas else {k}
    active = Chemical.objects.filter(is_active=True)
    for kinds in (EXACT_KINDS, ("base",)):
        ids = set(
            ChemicalName.objects.filter(key__in=keys, kind__in=kinds).values_list(
                "chemical_id", flat=True
            )
        )
        found = list(active.filter(pk__in=ids).order_by("table1_no", "id")) if ids else []
        if grade and len(found) > 1:
            g = measure.key(grade)
            narrowed = [
                c for c in found if g in measure.key(c.grade) or g in measure.key(c.name_zh)
            ]
            found = narrowed or found
        if len(found) == 1:
            return found[0]
        if found:
            raise Ambiguous(found)
    raise NotFound(text)


def search(text: str, limit: int = 50) -> list[Chemical]:
    """Active chemicals whose name, alias, English name or CAS number matches `text`:
    exact matches first, then those starting with it, then those containing it."""
    k = measure.key(text)
    qs = Chemical.objects.filter(is_active=True)
    if not k:
        return list(qs.order_by("table1_no", "name_zh")[:limit])
    cas = measure.normalise_cas(text)
    keys = [k, measure.key(cas)] if cas else [k]
    names = ChemicalName.objects.filter(Q(key__in=keys) | Q(key__contains=k))
    # Exact before prefix before anywhere; then the closest (shortest) spelling.
    rank: dict[int, tuple[int, int]] = {}
    for chem_id, key in names.values_list("chemical_id", "key")[:5000]:
        r = (0 if key in keys else (1 if key.startswith(k) else 2), len(key))
        rank[chem_id] = min(rank.get(chem_id, (9, 0)), r)
    chems = {c.pk: c for c in qs.filter(pk__in=rank)}
    ordered = sorted(chems.values(), key=lambda c: (rank[c.pk], c.table1_no or 999, c.name_zh))
    return ordered[:limit]


def rebuild_names(chem: Chemical) -> None:
    ChemicalName.objects.filter(chemical=chem).delete()
    ChemicalName.objects.bulk_create(
        [
            ChemicalName(chemical=chem, key=k, kind=kind)
            for k, kind in catalogue.name_keys(
                chem.name_zh, chem.name_en, chem.aliases, chem.cas_numbers, chem.un_number
            )
        ]
    )


CHEMICAL_FIELDS = {
    "key",
    "table1_no",
    "name_zh",
    "name_en",
    "aliases",
    "cas_numbers",
    "un_number",
    "grade",
    "categories",
    "table3_beta",
    "highly_toxic",
    "explosive_precursor",
    "physical_state",
    "density_t_m3",
    "notes",
    "is_active",
}
# Fields whose change can change an identification.
IDENTIFYING_FIELDS = ("table1_no", "table1_threshold_t", "categories", "table3_beta", "is_active")


def require_catalogue_editor(actor: Any) -> None:
    r = reach(actor)
    if not (r.is_admin or (r.role == "district_staff" and r.path is None)):
        raise PermissionDenied(_("Only the district may change the chemical catalogue."))


def _text_list(value: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.replace("；", ";").replace(",", ";").split(";")]
    if not isinstance(value, list | tuple):
        errors.setdefault(field, []).append(_("Enter a list."))
        return []
    return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


@transaction.atomic
def save_chemical(actor: Any, data: dict[str, Any], instance: Chemical | None = None) -> Chemical:
    """Create or update a catalogue entry; units holding it are identified again when a
    field that identification depends on changed."""
    require_catalogue_editor(actor)
    obj = instance or Chemical()
    before = {f: getattr(obj, f) for f in IDENTIFYING_FIELDS} if instance else None
    apply_changes(obj, data, CHEMICAL_FIELDS)
    errors: dict[str, list[str]] = {}
    obj.aliases = _text_list(obj.aliases, "aliases", errors)
    cas_list = []
    for text in _text_list(obj.cas_numbers, "cas_numbers", errors):
        cas = measure.normalise_cas(text)
        if cas is None:
            errors.setdefault("cas_numbers", []).append(
                _("“%(value)s” is not a CAS number (check digit).") % {"value": text}
            )
        else:
            cas_list.append(cas)
    obj.cas_numbers = cas_list
    try:
        obj.categories = list(gb18218.check_categories(obj.categories or []))
    except gb18218.AssessmentError:
        errors.setdefault("categories", []).append(
            _("Use the symbols of GB 18218-2018 Table 2: %(symbols)s.")
            % {"symbols": ", ".join(gb18218.CATEGORIES)}
        )
    if obj.table1_no is not None:
        row = catalogue.table1().get(obj.table1_no)
        if row is None:
            errors.setdefault("table1_no", []).append(_("Table 1 has rows 1 to 85."))
        else:
            obj.table1_threshold_t = row["threshold_t"]
    else:
        obj.table1_threshold_t = None
    if obj.table3_beta is not None and obj.table3_beta not in gb18218.TABLE3.values():
        errors.setdefault("table3_beta", []).append(
            _("Table 3 has the values %(values)s.")
            % {"values": ", ".join(f"{v:g}" for v in sorted(set(gb18218.TABLE3.values())))}
        )
    if obj.un_number and not (obj.un_number.isdigit() and len(obj.un_number) == 4):
        errors.setdefault("un_number", []).append(_("A UN number has four digits."))
    if obj.density_t_m3 is not None and not obj.density_t_m3 > 0:
        errors.setdefault("density_t_m3", []).append(_("The density must be above zero."))
    if not obj.key:
        obj.key = f"user-{Chemical.objects.count() + 1}-{timezone.now():%Y%m%d%H%M%S}"
    validate_and_save(obj, actor, errors, exclude=[])
    rebuild_names(obj)
    SafetyDataSheet.objects.get_or_create(chemical=obj)
    if before is not None and any(before[f] != getattr(obj, f) for f in IDENTIFYING_FIELDS):
        from . import tasks

        transaction.on_commit(
            lambda: tasks.recompute_for_chemical(obj.pk, getattr(actor, "pk", None))
        )
    return obj


SDS_FIELDS = {
    "hazards",
    "first_aid",
    "fire_fighting",
    "spill_response",
    "exposure_limits",
    "source",
}


@transaction.atomic
def save_sds(actor: Any, chem: Chemical, data: dict[str, Any]) -> SafetyDataSheet:
    require_catalogue_editor(actor)
    sds, _created = SafetyDataSheet.objects.get_or_create(chemical=chem)
    apply_changes(sds, data, SDS_FIELDS)
    sds.generated = False
    return validate_and_save(sds, actor, {}, exclude=[])


# --- population within 500 m ---------------------------------------------------------------


@dataclass
class Population:
    value: float | None
    source: str
    detail: dict[str, Any]


def area_km2(boundary: str) -> float | None:
    """Area of a GeoJSON boundary in km², on a local equirectangular projection (errors
    well under 1 % at a district's size)."""
    try:
        geom = geo.parse_area(boundary)
    except geo.GeometryError:
        return None
    from shapely import affinity

    lat0 = geom.centroid.y
    scaled = affinity.scale(
        geom, xfact=111.320 * math.cos(math.radians(lat0)), yfact=110.574, origin=(0, 0)
    )
    return float(scaled.area)


class PopulationEstimator:
    """Resident population within 500 m of a point, from the population and area of the
    smallest jurisdiction (community, else street, else district) that holds the unit and
    has both: density × the area of a 500 m circle. Caches each node's density."""

    def __init__(self) -> None:
        self._density: dict[int, tuple[float, dict[str, Any]] | None] = {}
        self._estimates: dict[int, Population] = {}

    def _node_density(self, node: Jurisdiction) -> tuple[float, dict[str, Any]] | None:
        if node.pk not in self._density:
            value = None
            if node.population is not None and node.boundary:
                area = area_km2(node.boundary)
                if area and area > 0:
                    value = (
                        node.population / area,
                        {
                            "jurisdiction": node.code,
                            "name": node.name,
                            "population": node.population,
                            "area_km2": round(area, 4),
                        },
                    )
            self._density[node.pk] = value
        return self._density[node.pk]

    def chain(self, jurisdiction_id: int) -> list[Jurisdiction]:
        node = Jurisdiction.objects.filter(pk=jurisdiction_id).first()
        if node is None:
            return []
        codes = [c for c in node.path.split("/") if c]
        nodes = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
        # Deepest first, grid cells skipped: their population is rarely kept.
        return [nodes[c] for c in reversed(codes) if c in nodes and nodes[c].level != Level.GRID]

    def estimate(self, jurisdiction_id: int) -> Population:
        if jurisdiction_id not in self._estimates:
            self._estimates[jurisdiction_id] = self._estimate(jurisdiction_id)
        found = self._estimates[jurisdiction_id]
        return Population(found.value, found.source, dict(found.detail))

    def _estimate(self, jurisdiction_id: int) -> Population:
        for node in self.chain(jurisdiction_id):
            found = self._node_density(node)
            if found is not None:
                density, detail = found
                people = round(density * CIRCLE_KM2)
                return Population(
                    float(people),
                    PopulationSource.ESTIMATED,
                    {
                        **detail,
                        "density_per_km2": round(density, 2),
                        "circle_km2": round(CIRCLE_KM2, 4),
                        "estimate": people,
                    },
                )
        return Population(None, PopulationSource.UNKNOWN, {})


def population_of(unit: Unit, estimator: PopulationEstimator | None = None) -> Population:
    if unit.exposed_population is not None:
        return Population(float(unit.exposed_population), PopulationSource.ENTERED, {})
    return (estimator or PopulationEstimator()).estimate(unit.jurisdiction_id)


# --- identification ------------------------------------------------------------------------


def chemical_params(chem: Chemical) -> tuple[float | None, str, float, str, tuple[str, ...]]:
    """(Q, its source, β, its source, categories) of a catalogue entry."""
    cats = gb18218.check_categories(chem.categories or [])
    big_q, q_source = gb18218.threshold(chem.table1_threshold_t, cats)
    b, b_source = gb18218.beta(chem.table3_beta, cats)
    return big_q, q_source, b, b_source, cats


def item_of(inv: Inventory) -> gb18218.Item:
    chem = inv.chemical
    return gb18218.Item(
        name=chem.name_zh,
        quantity_t=inv.max_quantity_t,
        table1_t=chem.table1_threshold_t,
        table3_beta=chem.table3_beta,
        categories=tuple(chem.categories or ()),
    )


def _snapshot_items(invs: Sequence[Inventory], results: Sequence[gb18218.ItemResult]) -> list[Any]:
    out = []
    for inv, res in zip(invs, results, strict=True):
        chem = inv.chemical
        out.append(
            {
                **res.as_dict(),
                "chemical_id": chem.pk,
                "chemical_key": chem.key,
                "table1_no": chem.table1_no,
                "cas": chem.cas_numbers,
            }
        )
    return out


def _parameters(population: Population, assumed: bool) -> dict[str, Any]:
    return {
        "radius_m": RADIUS_M,
        "population_assumed": assumed,
        "beta_rule": "largest β among the categories when not in Table 3",
        "alpha_table": [list(band) for band in gb18218.TABLE5],
        "grade_table": [list(band) for band in gb18218.TABLE6],
    }


def _population_for_grading(population: Population) -> tuple[float, bool]:
    if population.value is None:
        return config.unknown_population(), True
    return population.value, False


@transaction.atomic
def identify(unit: Unit, *, actor: Any, trigger: str = Trigger.MANUAL) -> Assessment:
    """Identify and grade one unit now; keep the snapshot; update unit and registry."""
    invs = list(
        Inventory.objects.filter(unit=unit).select_related("chemical").order_by("chemical_id")
    )
    invs = [i for i in invs if i.chemical.is_active]
    population = population_of(unit)
    people, assumed = _population_for_grading(population)
    result = gb18218.assess([item_of(i) for i in invs], people)
    now = timezone.now()
    snap = Assessment.objects.create(
        unit=unit,
        organization_id=unit.organization_id,
        computed_at=now,
        trigger=trigger,
        actor_name=actor_name(actor),
        items=_snapshot_items(invs, result.items),
        population=population.value,
        population_source=population.source,
        population_detail=population.detail,
        s=result.s,
        is_major=result.is_major,
        alpha=result.alpha,
        r=result.r,
        grade=result.grade,
        parameters=_parameters(population, assumed and result.is_major),
    )
    _store_on_unit(unit, snap, now)
    sync_source(unit, snap, actor)
    return snap


def _store_on_unit(unit: Unit, snap: Assessment, now: Any) -> None:
    values = {
        "s": snap.s,
        "is_major": snap.is_major,
        "alpha": snap.alpha,
        "r": snap.r,
        "grade": snap.grade,
        "population_used": snap.population,
        "population_source": snap.population_source,
        "assessed_at": now,
    }
    # A plain UPDATE: the unit's own history is for what people change, not results.
    Unit.objects.filter(pk=unit.pk).update(**values)
    for k, v in values.items():
        setattr(unit, k, v)


def source_code(unit: Unit) -> str:
    return f"MH-{unit.pk:06d}"


def sync_source(unit: Unit, snap: Assessment, actor: Any) -> MajorHazardSource | None:
    """Keep the registry entry and the risk register in step with the latest result."""
    source = MajorHazardSource.objects.filter(unit=unit).first()
    if snap.is_major and unit.is_active:
        if source is None:
            source = MajorHazardSource(
                unit=unit,
                organization_id=unit.organization_id,
                code=source_code(unit),
                identified_at=snap.computed_at,
            )
        elif source.status != SourceStatus.ACTIVE:
            source.identified_at = snap.computed_at
        changed = (
            source.pk is None
            or source.status != SourceStatus.ACTIVE
            or source.grade != snap.grade
            or source.organization_id != unit.organization_id
        )
        source.grade = snap.grade
        source.status = SourceStatus.ACTIVE
        source.retired_at = None
        source.assessment = snap
        source.organization_id = unit.organization_id
        if changed:
            source._history_user = actor  # type: ignore[attr-defined,union-attr]
            source.save()
        else:
            MajorHazardSource.objects.filter(pk=source.pk).update(assessment=snap)
        register(source, unit, snap, actor)
        return source
    if source is not None and source.status == SourceStatus.ACTIVE:
        source.status = SourceStatus.RETIRED
        source.retired_at = snap.computed_at
        source.assessment = snap
        source._history_user = actor  # type: ignore[attr-defined]
        source.save()
        unregister(source, actor)
    return source


def _risk_services() -> Any:
    try:
        from cityguard.risk import services as risk_services
    except ImportError:  # pragma: no cover - the risk app is part of the project
        return None
    if not hasattr(risk_services, "register_origin"):  # pragma: no cover
        return None
    return risk_services


def risk_name(source: MajorHazardSource, unit: Unit) -> str:
    return f"{unit.organization.name} · {unit.name}"


def risk_description(snap: Assessment) -> str:
    return (
        f"GB 18218-2018 重大危险源（{snap.grade or '—'}级）："
        f"S = {snap.s:.3f}，R = {snap.r if snap.r is None else round(snap.r, 2)}，"
        f"α = {snap.alpha}。"
    )


def register(source: MajorHazardSource, unit: Unit, snap: Assessment, actor: Any) -> None:
    risk = _risk_services()
    if risk is None:
        return
    level = config.grade_levels().get(snap.grade or 1, "major")
    kwargs = {
        "organization": unit.organization,
        "domain": RISK_DOMAIN,
        "name": risk_name(source, unit),
        "level": level,
        "description": risk_description(snap),
        "lon": unit.lon,
        "lat": unit.lat,
    }
    try:
        risk.register_origin(actor, source, **kwargs)
    except PermissionDenied:
        # The change that made the unit major was allowed; the register follows from it.
        risk.register_origin(None, source, **kwargs)


def unregister(source: MajorHazardSource, actor: Any) -> None:
    risk = _risk_services()
    if risk is None:
        return
    try:
        risk.unregister_origin(actor, source)
    except PermissionDenied:
        risk.unregister_origin(None, source)


# --- many units at once --------------------------------------------------------------------


@dataclass
class RecomputeResult:
    units: int
    major: int
    changed: int


def recompute(
    units: models.QuerySet | Iterable[int],
    *,
    actor: Any = None,
    trigger: str = Trigger.CATALOGUE,
    batch_size: int = 2000,
) -> RecomputeResult:
    """Identify many units with the vectorised path; one snapshot per unit, written in
    bulk; the registry and risk register touched only where a result changed."""
    if isinstance(units, models.QuerySet):
        unit_ids = list(units.values_list("pk", flat=True))
    else:
        unit_ids = list(units)
    total = major = changed = 0
    estimator = PopulationEstimator()
    params: dict[int, tuple[float | None, str, float, str, tuple[str, ...]]] = {}
    for start in range(0, len(unit_ids), batch_size):
        chunk = unit_ids[start : start + batch_size]
        with transaction.atomic():
            t, m, c = _recompute_chunk(chunk, actor, trigger, estimator, params)
        total += t
        major += m
        changed += c
    return RecomputeResult(total, major, changed)


def _recompute_chunk(
    unit_ids: list[int],
    actor: Any,
    trigger: str,
    estimator: PopulationEstimator,
    params: dict[int, Any],
) -> tuple[int, int, int]:
    units = list(Unit.objects.filter(pk__in=unit_ids).select_related("organization"))
    if not units:
        return 0, 0, 0
    index = {u.pk: i for i, u in enumerate(units)}
    invs = list(
        Inventory.objects.filter(unit_id__in=index, chemical__is_active=True)
        .select_related("chemical")
        .order_by("unit_id", "chemical_id")
    )
    for inv in invs:
        if inv.chemical_id not in params:
            params[inv.chemical_id] = chemical_params(inv.chemical)
    pops = [population_of(u, estimator) for u in units]
    graded = [_population_for_grading(p) for p in pops]
    n_items = len(invs)
    unit_idx = np.fromiter((index[i.unit_id] for i in invs), dtype=np.intp, count=n_items)
    qty = np.fromiter((i.max_quantity_t for i in invs), dtype=float, count=n_items)
    big_q = np.fromiter(
        (np.nan if params[i.chemical_id][0] is None else params[i.chemical_id][0] for i in invs),
        dtype=float,
        count=n_items,
    )
    beta = np.fromiter((params[i.chemical_id][2] for i in invs), dtype=float, count=n_items)
    people = np.array([g[0] for g in graded], dtype=float)
    batch = gb18218.assess_batch(unit_idx, qty, big_q, beta, people)

    by_unit: dict[int, list[Inventory]] = {}
    for inv in invs:
        by_unit.setdefault(inv.unit_id, []).append(inv)
    now = timezone.now()
    name = actor_name(actor)
    snaps = []
    for i, unit in enumerate(units):
        items = []
        for inv in by_unit.get(unit.pk, []):
            q_t, q_src, b, b_src, cats = params[inv.chemical_id]
            ratio = inv.max_quantity_t / q_t if q_t else 0.0
            items.append(
                {
                    **gb18218.ItemResult(
                        inv.chemical.name_zh, inv.max_quantity_t, q_t, q_src, b, b_src, cats, ratio
                    ).as_dict(),
                    "chemical_id": inv.chemical_id,
                    "chemical_key": inv.chemical.key,
                    "table1_no": inv.chemical.table1_no,
                    "cas": inv.chemical.cas_numbers,
                }
            )
        is_major = bool(batch.is_major[i])
        snaps.append(
            Assessment(
                unit=unit,
                organization_id=unit.organization_id,
                computed_at=now,
                trigger=trigger,
                actor_name=name,
                items=items,
                population=pops[i].value,
                population_source=pops[i].source,
                population_detail=pops[i].detail,
                s=float(batch.s[i]),
                is_major=is_major,
                alpha=None if not is_major else float(batch.alpha[i]),
                r=None if not is_major else float(batch.r[i]),
                grade=None if not is_major else int(batch.grade[i]),
                parameters=_parameters(pops[i], graded[i][1] and is_major),
            )
        )
    Assessment.objects.bulk_create(snaps, batch_size=1000)
    changed = []
    rows = []
    for unit, snap in zip(units, snaps, strict=True):
        if (unit.is_major, unit.grade) != (snap.is_major, snap.grade):
            changed.append((unit, snap))
        rows.append(
            (
                snap.s,
                snap.is_major,
                snap.alpha,
                snap.r,
                snap.grade,
                snap.population,
                snap.population_source,
                now,
                unit.pk,
            )
        )
        unit.s, unit.is_major, unit.alpha, unit.r, unit.grade = (
            snap.s,
            snap.is_major,
            snap.alpha,
            snap.r,
            snap.grade,
        )
        unit.population_used, unit.population_source = snap.population, snap.population_source
        unit.assessed_at = now
    # One parameterised statement per row, run as a batch: Django's bulk_update builds a
    # CASE per column and row, which costs more than the identification itself.
    _executemany(
        Unit,
        [
            "s",
            "is_major",
            "alpha",
            "r",
            "grade",
            "population_used",
            "population_source",
            "assessed_at",
        ],
        "id",
        rows,
    )
    for unit, snap in changed:
        sync_source(unit, snap, actor)
    latest = [(s.pk, s.unit_id) for s in snaps if s.is_major]
    if latest:
        _executemany(MajorHazardSource, ["assessment"], "unit_id", latest)
    return len(units), sum(1 for s in snaps if s.is_major), len(changed)


def _executemany(
    model: type[models.Model], columns: list[str], key: str, rows: list[tuple]
) -> None:
    """UPDATE `columns` (field names) of the rows whose `key` column equals each row's
    last value; values are prepared by each field, as the ORM would store them."""
    from django.db import connection

    qn = connection.ops.quote_name
    fields: list[Any] = [model._meta.get_field(c) for c in columns]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(key)} = %s"
    prepared = [
        (
            *(f.get_db_prep_value(v, connection) for f, v in zip(fields, row[:-1], strict=True)),
            row[-1],
        )
        for row in rows
    ]
    with connection.cursor() as cur:
        cur.executemany(sql, prepared)


# --- units and inventories ----------------------------------------------------------------

UNIT_FIELDS = {
    "organization",
    "organization_id",
    "kind",
    "name",
    "code",
    "boundary_note",
    "exposed_population",
    "is_active",
    "lon",
    "lat",
    "jurisdiction",
    "jurisdiction_id",
}


@transaction.atomic
def save_unit(actor: Any, data: dict[str, Any], instance: Unit | None = None) -> Unit:
    """Create or update a unit (it stands where its organisation does unless given a
    location), then identify it again."""
    require_write(actor)
    obj = instance or Unit()
    if instance is not None:
        require_change(actor, instance)
    apply_changes(obj, data, UNIT_FIELDS)
    errors: dict[str, list[str]] = {}
    if obj.exposed_population is not None:
        try:
            people = measure.number(obj.exposed_population)
        except measure.QuantityError:
            people = -1
        if people < 0 or not float(people).is_integer():
            errors.setdefault("exposed_population", []).append(
                _("Enter a whole number of people, zero or more.")
            )
        else:
            obj.exposed_population = int(people)
    org = (
        Organization.objects.filter(pk=obj.organization_id).first() if obj.organization_id else None
    )
    if org is None:
        errors.setdefault("organization", []).append(_("Choose the organisation."))
    elif obj.lon is None and obj.lat is None and not obj.jurisdiction_id:
        obj.lon, obj.lat = org.lon, org.lat
        if org.lon is None:
            obj.jurisdiction_id = org.jurisdiction_id
    if not errors:
        place_in_tree(obj, errors, names_jurisdiction(data))
    if not errors:
        require_change(actor, obj)
    obj = validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])
    identify(obj, actor=actor, trigger=Trigger.UNIT)
    return obj


def check_quantity(value: Any, field: str = "max_quantity_t") -> float:
    try:
        q = measure.number(value)
    except measure.QuantityError:
        raise ValidationError({field: [_("Enter a number of tonnes.")]})
    if q < 0:
        raise ValidationError({field: [_("A quantity cannot be negative.")]})
    if q > 1e7:
        raise ValidationError({field: [_("Enter at most 10,000,000 t.")]})
    return q


def _inventory_write(actor: Any, unit: Unit) -> None:
    require_write(actor)
    require_change(actor, unit)


@transaction.atomic
def set_inventory(
    actor: Any,
    unit: Unit,
    chemical: Chemical,
    max_quantity_t: Any,
    notes: str = "",
    *,
    trigger: str = Trigger.INVENTORY,
) -> Inventory:
    """Set the design maximum quantity of one chemical in a unit; identify the unit."""
    _inventory_write(actor, unit)
    q = check_quantity(max_quantity_t)
    inv = Inventory.objects.filter(unit=unit, chemical=chemical).first() or Inventory(
        unit=unit, chemical=chemical
    )
    inv.max_quantity_t = q
    inv.notes = notes or ""
    inv = validate_and_save(inv, actor, {}, exclude=[])
    identify(unit, actor=actor, trigger=trigger)
    return inv


@transaction.atomic
def remove_inventory(actor: Any, inv: Inventory) -> None:
    unit = inv.unit
    _inventory_write(actor, unit)
    inv._history_user = actor  # type: ignore[attr-defined]
    inv.delete()
    identify(unit, actor=actor, trigger=Trigger.INVENTORY)


@transaction.atomic
def replace_inventories(
    actor: Any,
    unit: Unit,
    rows: Sequence[tuple[Chemical, Any, str]],
    *,
    trigger: str = Trigger.INVENTORY,
) -> Assessment:
    """Make the unit's inventory exactly `rows` (chemical, quantity, notes) in one change
    and one identification; nothing is written if any row is bad."""
    _inventory_write(actor, unit)
    errors: dict[str, list[str]] = {}
    wanted: dict[int, tuple[Chemical, float, str]] = {}
    for n, (chem, qty, notes) in enumerate(rows):
        try:
            q = check_quantity(qty)
        except ValidationError as exc:
            errors.setdefault(f"items.{n}.max_quantity_t", []).extend(
                exc.message_dict["max_quantity_t"]
            )
            continue
        if chem.pk in wanted:
            errors.setdefault(f"items.{n}.chemical", []).append(_("This chemical is listed twice."))
            continue
        wanted[chem.pk] = (chem, q, notes or "")
    if errors:
        raise ValidationError(errors)
    existing = {i.chemical_id: i for i in Inventory.objects.filter(unit=unit)}
    for chem_id, inv in existing.items():
        if chem_id not in wanted:
            inv._history_user = actor  # type: ignore[attr-defined]
            inv.delete()
    for chem_id, (chem, q, notes) in wanted.items():
        inv = existing.get(chem_id) or Inventory(unit=unit, chemical=chem)
        if inv.pk and inv.max_quantity_t == q and inv.notes == notes:
            continue
        inv.max_quantity_t = q
        inv.notes = notes
        validate_and_save(inv, actor, {}, exclude=[])
    return identify(unit, actor=actor, trigger=trigger)


SOURCE_FIELDS = {
    "main_name",
    "main_phone",
    "technical_name",
    "technical_phone",
    "operational_name",
    "operational_phone",
}


@transaction.atomic
def save_source_people(
    actor: Any, source: MajorHazardSource, data: dict[str, Any]
) -> MajorHazardSource:
    """Record the three responsible persons of a major hazard source."""
    require_write(actor)
    require_change(actor, source.unit)
    apply_changes(source, data, SOURCE_FIELDS)
    return validate_and_save(source, actor, {}, exclude=[])


# --- the calculator (API and page) --------------------------------------------------------


class ItemError(Exception):
    """An item of a calculation that cannot be used: `index`, `field`, message."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.field = field
        self.message = message


def ambiguous_message(text: str, candidates: Sequence[Chemical]) -> str:
    names = "；".join(c.name_zh for c in candidates[:10])
    return _(
        "“%(value)s” names several catalogue entries (%(names)s): name one, or give its grade."
    ) % {
        "value": text,
        "names": names,
    }


def calculate(items: Sequence[dict[str, Any]], population: float | None) -> dict[str, Any]:
    """Identify and grade a unit described by `items` (chemical, quantity_t, optional
    categories and grade) without storing anything. A chemical of the catalogue takes its
    Table 1 threshold and Table 3 β; given categories replace the catalogue's. A chemical
    not in the catalogue needs its categories. Raises ItemError naming the item."""
    resolved: list[tuple[gb18218.Item, Chemical | None, str]] = []
    for index, raw in enumerate(items):
        text = str(raw.get("chemical") or "").strip()
        given = raw.get("categories")
        cats: tuple[str, ...] | None = None
        if given:
            try:
                cats = gb18218.check_categories(given)
            except gb18218.AssessmentError:
                raise ItemError(
                    index,
                    "categories",
                    _(
                        "Item %(n)s (“%(value)s”): use the symbols of GB 18218-2018 Table 2: %(symbols)s."
                    )
                    % {"n": index + 1, "value": text, "symbols": ", ".join(gb18218.CATEGORIES)},
                )
        try:
            chem: Chemical | None = resolve(text, raw.get("grade"))
        except Ambiguous as exc:
            raise ItemError(index, "chemical", ambiguous_message(text, exc.candidates))
        except NotFound:
            chem = None
            if not cats:
                raise ItemError(
                    index,
                    "chemical",
                    _(
                        "Item %(n)s: “%(value)s” is not in the catalogue; give its GB 18218-2018 "
                        "Table 2 categories."
                    )
                    % {"n": index + 1, "value": text},
                )
        try:
            quantity = gb18218.check_quantity(raw.get("quantity_t"), index)
        except gb18218.AssessmentError:
            raise ItemError(
                index,
                "quantity_t",
                _(
                    "Item %(n)s (“%(value)s”): the quantity must be a number of tonnes, zero or more."
                )
                % {"n": index + 1, "value": text},
            )
        if chem is not None:
            item = gb18218.Item(
                chem.name_zh,
                quantity,
                chem.table1_threshold_t,
                chem.table3_beta,
                cats if cats is not None else tuple(chem.categories or ()),
            )
        else:
            item = gb18218.Item(text, quantity, None, None, cats or ())
        resolved.append((item, chem, text))
    result = gb18218.assess([r[0] for r in resolved], population)
    out_items = []
    for (item, chem, text), res in zip(resolved, result.items, strict=True):
        out_items.append(
            {
                **res.as_dict(),
                "chemical": text,
                "name": item.name,
                "chemical_id": chem.pk if chem else None,
            }
        )
    return {
        "standard": gb18218.STANDARD,
        "s": round(result.s, 6),
        "is_major": result.is_major,
        "exposed_population": population,
        "alpha": result.alpha,
        "r": None if result.r is None else round(result.r, 6),
        "grade": result.grade,
        "items": out_items,
    }
