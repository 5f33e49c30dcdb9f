"""The rules of GB 30871-2022 (危险化学品企业特殊作业安全规范) as data: kinds and grades of
special work, the longest validity per kind and grade, the ordered approval chain of each,
the safety-measure checklist of each kind and the gas-analysis limits.

Pure: no database. `config.py` lets a deployment override the durations and the gas
rules (CITYGUARD_PERMIT_MAX_HOURS, CITYGUARD_PERMIT_GAS_MAX_AGE_MINUTES …).

Defaults as documented in GB 30871-2022 (check against your copy of the standard):
- hot work (动火): special and grade 1 ≤ 8 h, grade 2 ≤ 72 h (5.5); gas analysed no more
  than 30 min before work (5.3.4); combustible gas ≤ 0.5 % vol where the gas's lower
  explosive limit (LEL) is ≥ 4 %, ≤ 0.2 % vol where it is < 4 % (5.3.4 c);
- confined-space entry (受限空间): O₂ 19.5 %–21 % vol (≤ 23.5 % in an oxygen-rich
  atmosphere), combustible as for hot work, toxic gases within occupational limits (6.3),
  permit ≤ 24 h;
- the other kinds: durations configurable, defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# --- kinds and grades --------------------------------------------------------------------------

HOT_WORK = "hot_work"
CONFINED_SPACE = "confined_space"
BLIND_PLATE = "blind_plate"
HEIGHT = "height"
LIFTING = "lifting"
TEMPORARY_POWER = "temporary_power"
EXCAVATION = "excavation"
ROAD_BREAKING = "road_breaking"

NO_GRADE = ""

# kind → the grades it has (an empty tuple: the kind has no grades).
GRADES: dict[str, tuple[str, ...]] = {
    HOT_WORK: ("special", "1", "2"),
    CONFINED_SPACE: (),
    BLIND_PLATE: (),
    HEIGHT: ("I", "II", "III", "IV"),
    LIFTING: ("1", "2", "3"),
    TEMPORARY_POWER: (),
    EXCAVATION: (),
    ROAD_BREAKING: (),
}

GRADE_LABELS = {
    (HOT_WORK, "special"): _("Special hot work"),
    (HOT_WORK, "1"): _("Grade 1 hot work"),
    (HOT_WORK, "2"): _("Grade 2 hot work"),
    (HEIGHT, "I"): _("Grade I (2–5 m)"),
    (HEIGHT, "II"): _("Grade II (5–15 m)"),
    (HEIGHT, "III"): _("Grade III (15–30 m)"),
    (HEIGHT, "IV"): _("Grade IV (over 30 m)"),
    (LIFTING, "1"): _("Grade 1 (over 100 t)"),
    (LIFTING, "2"): _("Grade 2 (40–100 t)"),
    (LIFTING, "3"): _("Grade 3 (under 40 t)"),
}

# Longest validity in hours per "kind" or "kind:grade" (the more specific key wins).
MAX_HOURS: dict[str, float] = {
    f"{HOT_WORK}:special": 8,
    f"{HOT_WORK}:1": 8,
    f"{HOT_WORK}:2": 72,
    CONFINED_SPACE: 24,
    BLIND_PLATE: 24,
    HEIGHT: 168,
    LIFTING: 24,
    TEMPORARY_POWER: 360,
    EXCAVATION: 72,
    ROAD_BREAKING: 72,
}

# Kinds for which a passing, recent gas analysis is required before approval and start.
GAS_TEST_KINDS = (HOT_WORK, CONFINED_SPACE)

# --- approval chains -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    code: str
    role: object  # lazy label of who signs: 监护人, 基层单位负责人 …


GUARDIAN = Step("guardian", _("Guardian: safety measures confirmed on site"))
ISSUER = Step("issuer", _("Work issuer: measures and gas analysis checked"))
UNIT_HEAD = Step("unit_head", _("Head of the operating unit"))
SAFETY_DEPT = Step("safety_dept", _("Safety management department"))
PRINCIPAL = Step("principal", _("Principal responsible person of the enterprise"))
ELECTRICAL = Step("electrical", _("Power supply unit"))
AFFECTED = Step("affected", _("Units affected (utilities, traffic)"))

STEPS = {
    s.code: s for s in (GUARDIAN, ISSUER, UNIT_HEAD, SAFETY_DEPT, PRINCIPAL, ELECTRICAL, AFFECTED)
}

CHAINS: dict[str, tuple[Step, ...]] = {
    f"{HOT_WORK}:special": (GUARDIAN, ISSUER, UNIT_HEAD, SAFETY_DEPT, PRINCIPAL),
    f"{HOT_WORK}:1": (GUARDIAN, ISSUER, UNIT_HEAD, SAFETY_DEPT),
    f"{HOT_WORK}:2": (GUARDIAN, ISSUER, UNIT_HEAD),
    CONFINED_SPACE: (GUARDIAN, ISSUER, UNIT_HEAD),
    BLIND_PLATE: (GUARDIAN, UNIT_HEAD),
    f"{HEIGHT}:I": (GUARDIAN, UNIT_HEAD),
    f"{HEIGHT}:II": (GUARDIAN, UNIT_HEAD),
    f"{HEIGHT}:III": (GUARDIAN, UNIT_HEAD, SAFETY_DEPT),
    f"{HEIGHT}:IV": (GUARDIAN, UNIT_HEAD, SAFETY_DEPT),
    f"{LIFTING}:1": (GUARDIAN, UNIT_HEAD, SAFETY_DEPT, PRINCIPAL),
    f"{LIFTING}:2": (GUARDIAN, UNIT_HEAD, SAFETY_DEPT),
    f"{LIFTING}:3": (GUARDIAN, UNIT_HEAD),
    TEMPORARY_POWER: (GUARDIAN, ELECTRICAL, UNIT_HEAD),
    EXCAVATION: (GUARDIAN, AFFECTED, UNIT_HEAD),
    ROAD_BREAKING: (GUARDIAN, AFFECTED, UNIT_HEAD),
}

# --- safety measures per kind (the checklist of the permit form) ----------------------------------

MEASURES: dict[str, tuple[tuple[str, object], ...]] = {
    HOT_WORK: (
        ("isolated", _("Equipment and pipes cleaned, replaced and isolated (blind plates)")),
        ("combustibles_removed", _("Combustibles within 15 m removed or covered")),
        ("drains_sealed", _("Drains, trenches and wells within 15 m covered and sealed")),
        ("extinguishers", _("Fire extinguishers and fire blankets at hand")),
        ("gas_cylinders", _("Gas cylinders ≥ 5 m apart and ≥ 10 m from the fire")),
        ("sparks_contained", _("Spark containment at height and for welding slag")),
    ),
    CONFINED_SPACE: (
        ("isolated", _("Space isolated: blind plates, valves locked, power cut and tagged")),
        ("ventilated", _("Ventilated; no pure oxygen used for ventilation")),
        ("rescue", _("Rescue equipment and breathing apparatus at the entrance")),
        ("lighting", _("Safe-voltage lighting (≤ 12 V in wet or metal spaces)")),
        ("signals", _("Communication and signals agreed with the guardian")),
        ("counted", _("People and tools counted in and out")),
    ),
    BLIND_PLATE: (
        ("drawing", _("Blind plate location drawing and numbered plate")),
        ("pressure_relieved", _("Pressure relieved, medium drained, temperature safe")),
        ("ppe", _("Protective equipment for the medium worn")),
        ("spark_free_tools", _("Spark-free tools in flammable atmospheres")),
    ),
    HEIGHT: (
        ("harness", _("Safety harness anchored above the worker")),
        ("scaffold_checked", _("Scaffold or platform inspected and tagged")),
        ("area_fenced", _("Area below fenced and watched")),
        ("weather", _("No work in wind of force 5 or more, storm or fog")),
    ),
    LIFTING: (
        ("plan", _("Lifting plan approved; load and radius checked")),
        ("crane_inspected", _("Crane and rigging inspected and within rated load")),
        ("signaller", _("A qualified signaller appointed")),
        ("area_cleared", _("Lifting area fenced and cleared of people")),
    ),
    TEMPORARY_POWER: (
        ("licensed", _("Electrician licensed; connection by the power supply unit")),
        ("rcd", _("Residual-current device fitted and tested")),
        ("explosion_proof", _("Explosion-proof equipment in hazardous areas")),
        ("cables", _("Cables protected, overhead or buried")),
    ),
    EXCAVATION: (
        ("utilities_marked", _("Underground cables and pipes located and marked")),
        ("shoring", _("Shoring or sloping of the trench walls")),
        ("barriers", _("Barriers and warning lights around the pit")),
        ("access", _("Ladders for getting out of the trench")),
    ),
    ROAD_BREAKING: (
        ("detour", _("Detour signed and fire lanes kept open")),
        ("barriers", _("Barriers and warning lights at both ends")),
        ("notified", _("Fire, emergency and affected units notified")),
    ),
}


def key(kind: str, grade: str) -> str:
    return f"{kind}:{grade}" if grade else kind


def grades_of(kind: str) -> tuple[str, ...]:
    return GRADES.get(kind, ())


def valid_grade(kind: str, grade: str) -> bool:
    grades = grades_of(kind)
    return grade in grades if grades else grade == NO_GRADE


def chain(kind: str, grade: str) -> tuple[Step, ...]:
    return CHAINS.get(key(kind, grade)) or CHAINS.get(kind) or (GUARDIAN, UNIT_HEAD)


def max_hours(kind: str, grade: str, table: dict[str, float] | None = None) -> float:
    table = {**MAX_HOURS, **(table or {})}
    found = table.get(key(kind, grade), table.get(kind))
    return float(found if found is not None else 24)


def measures(kind: str) -> tuple[tuple[str, object], ...]:
    return MEASURES.get(kind, ())


def needs_gas_test(kind: str) -> bool:
    return kind in GAS_TEST_KINDS


# --- gas analysis ----------------------------------------------------------------------------------

O2_MIN = 19.5
O2_MAX = 21.0
O2_MAX_ENRICHED = 23.5


def combustible_limit(lel_pct: float) -> float:
    """Largest combustible concentration (% vol) allowed for a gas of that LEL (% vol)."""
    return 0.5 if lel_pct >= 4 else 0.2


@dataclass(frozen=True)
class GasReading:
    o2_pct: float | None
    combustible_pct: float | None
    lel_pct: float | None
    toxic: tuple[tuple[str, float, float], ...] = ()  # (gas, measured, limit), same unit
    enriched: bool = False


def gas_failures(kind: str, reading: GasReading) -> list[str]:
    """Codes of the rules a reading breaks ([] = it passes) for work of that kind."""
    failures: list[str] = []
    if reading.combustible_pct is None or reading.lel_pct is None:
        failures.append("combustible_missing")
    elif reading.combustible_pct > combustible_limit(reading.lel_pct) + 1e-12:
        failures.append("combustible_high")
    if kind == CONFINED_SPACE:
        if reading.o2_pct is None:
            failures.append("o2_missing")
        else:
            top = O2_MAX_ENRICHED if reading.enriched else O2_MAX
            if reading.o2_pct < O2_MIN:
                failures.append("o2_low")
            elif reading.o2_pct > top + 1e-12:
                failures.append("o2_high")
    elif reading.o2_pct is not None and reading.o2_pct < O2_MIN:
        failures.append("o2_low")
    for _gas, measured, limit in reading.toxic:
        if measured > limit + 1e-12:
            failures.append("toxic_high")
            break
    return failures
