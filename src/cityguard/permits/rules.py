"""The rules of GB 30871-2022 (safety specification for special work in hazardous chemical
enterprises) as data: kinds and grades of special work, the longest validity per kind and
grade, the ordered approval chain of each, the safety-measure checklist of each kind and
the gas-analysis limits.

Pure: no database. `config.py` lets a deployment override the durations and the gas
rules (CITYGUARD_PERMIT_MAX_HOURS, CITYGUARD_PERMIT_GAS_MAX_AGE_MINUTES …).

Each value carries the clause of GB 30871-2022 it comes from. Values marked "unverified"
are not stated in the standard (it gives no validity for those kinds) and are this
project's defaults. Summary (docs/permits.md, "Sources", lists the texts checked):
- hot work: special and grade 1 ≤ 8 h, grade 2 ≤ 72 h (5.1.5); gas sampled no more
  than 30 min before the work starts (5.3.1 c); re-analysed after a pause of more than
  30 min (special, grade 1) or 60 min (grade 2), before work every day, and monitored
  continuously during special hot work (5.3.1 d); combustible gas ≤ 0.5 % vol where the
  gas's lower explosive limit (LEL) is ≥ 4 %, ≤ 0.2 % vol where it is < 4 % (5.3.2);
  on equipment that produces, uses or stores oxygen, oxygen ≤ 23.5 % vol (5.2.7);
- confined-space entry: gas tested within 30 min before entry (6.3 a), again after
  a pause of more than 60 min (6.3 f); O₂ 19.5 %–21 % vol, ≤ 23.5 % in an oxygen-rich
  atmosphere, toxic gases within GBZ 2.1, combustible as for hot work (6.4); portable
  detectors monitor continuously during the work, a reading recorded every 2 h (6.5);
  permit ≤ 24 h (6.10);
- height ≤ 7 days (8.2.11); temporary power ≤ 15 days, 30 days in special cases (10.8),
  with a combustible-gas analysis where it is connected in a place with a fire or
  explosion hazard (10.1);
- approvers per kind and grade: Table B.1 (Annex B.2); sign-off order: the permit forms of
  Annex A (Tables A.1–A.8).
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

# Grades: hot work 5.1.1-5.1.4; height 8.1 (Table 2: the height band gives the grade by
# method A, one grade higher by method B when an objective hazard of 8.1.2 is present);
# lifting 9.1 (by the load's mass).
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
    f"{HOT_WORK}:special": 8,  # GB 30871-2022 5.1.5
    f"{HOT_WORK}:1": 8,  # GB 30871-2022 5.1.5
    f"{HOT_WORK}:2": 72,  # GB 30871-2022 5.1.5
    CONFINED_SPACE: 24,  # GB 30871-2022 6.10
    BLIND_PLATE: 24,  # unverified: GB 30871-2022 ch. 7 sets no validity (7.11: one per plate)
    HEIGHT: 168,  # GB 30871-2022 8.2.11 (at most 7 days)
    LIFTING: 24,  # unverified: GB 30871-2022 ch. 9 sets no validity
    # GB 30871-2022 10.8: normally ≤ 15 days, ≤ 30 days in special cases (override to 720);
    # power for hot work or confined-space entry lasts only as long as that work.
    TEMPORARY_POWER: 360,
    EXCAVATION: 72,  # unverified: GB 30871-2022 ch. 11 sets no validity
    ROAD_BREAKING: 72,  # unverified: GB 30871-2022 ch. 12 sets no validity
}

# Kinds for which a passing, recent gas analysis is required before approval and start:
# GB 30871-2022 5.3.1 (hot work) and 6.3 (confined space). Temporary power inside a running
# unit, tank farm or other place with a fire or explosion hazard needs one too (10.1: the
# surroundings analysed for combustible gas, results as in 5.3.2).
GAS_TEST_KINDS = (HOT_WORK, CONFINED_SPACE)
GAS_TEST_IN_HAZARDOUS_AREA = (TEMPORARY_POWER,)

# Longest age of the gas sample when the work starts, minutes: GB 30871-2022 5.3.1 c) (hot
# work) and 6.3 a) (confined space). The default of CITYGUARD_PERMIT_GAS_MAX_AGE_MINUTES.
GAS_MAX_AGE_MINUTES = 30

# A pause longer than this (minutes) needs a new gas analysis before work resumes:
# GB 30871-2022 5.3.1 d) (hot work: special and grade 1 30 min, grade 2 60 min) and
# 6.3 f) (confined space 60 min). Hot work also needs an analysis before work every day
# (5.3.1 d).
REANALYSE_AFTER_PAUSE_MINUTES: dict[str, int] = {
    f"{HOT_WORK}:special": 30,
    f"{HOT_WORK}:1": 30,
    f"{HOT_WORK}:2": 60,
    CONFINED_SPACE: 60,
}

# Gas monitored continuously during the work: special hot work (GB 30871-2022 5.3.1 d) and
# confined space (6.5: portable detectors, a reading recorded every 2 h).
CONTINUOUS_MONITORING = (f"{HOT_WORK}:special", CONFINED_SPACE)
MONITORING_RECORD_HOURS = 2  # GB 30871-2022 6.5 (confined space)

# --- approval chains -----------------------------------------------------------------------------
# Who approves (the last step): GB 30871-2022 Annex B, Table B.1. The steps before it follow
# the signature boxes of the permit forms in Annex A (Tables A.1-A.8): the person in charge
# of the work (lifting: the commander), the unit where the work is done, the reviewing or
# countersigning units, then the approver. The guardian's step is this project's own: the
# guardian checks the permit and its measures before work (4.10 a). Table B.1, note 1: the
# reviewers and countersigners follow the enterprise's own organisation. Step codes are
# stored with each permit; keep them when a label changes.


@dataclass(frozen=True)
class Step:
    code: str
    role: object  # lazy label of who signs (guardian, person in charge of the work …)


GUARDIAN = Step("guardian", _("Guardian: safety measures confirmed on site"))
ISSUER = Step("issuer", _("Person in charge of the work: measures checked"))
COMMANDER = Step("commander", _("Lifting commander"))  # Table A.5
UNIT_HEAD = Step("unit_head", _("Head of the operating unit"))  # the (grass-roots) unit
SAFETY_DEPT = Step("safety_dept", _("Safety management department"))
SPECIALIST_DEPT = Step("specialist_dept", _("Professional department of the unit"))
LEADER = Step("principal", _("Enterprise leader in charge"))  # Table B.1
CHIEF = Step("chief", _("Deputy director in charge or chief engineer"))  # Table B.1
ELECTRICAL = Step("electrical", _("Power supply unit"))  # Table B.1
AFFECTED = Step("affected", _("Units concerned (countersignature)"))  # Table B.1

STEPS = {
    s.code: s
    for s in (
        GUARDIAN,
        ISSUER,
        COMMANDER,
        UNIT_HEAD,
        SAFETY_DEPT,
        SPECIALIST_DEPT,
        LEADER,
        CHIEF,
        ELECTRICAL,
        AFFECTED,
    )
}

CHAINS: dict[str, tuple[Step, ...]] = {
    # Table A.1 (person in charge, unit, safety department, approver); Table B.1: special
    # hot work approved by the leader in charge, grade 1 by the safety management
    # department, grade 2 by the grass-roots unit where the work is done.
    f"{HOT_WORK}:special": (GUARDIAN, ISSUER, UNIT_HEAD, SAFETY_DEPT, LEADER),
    f"{HOT_WORK}:1": (GUARDIAN, ISSUER, UNIT_HEAD, SAFETY_DEPT),
    f"{HOT_WORK}:2": (GUARDIAN, ISSUER, UNIT_HEAD),
    # Table A.2 / A.3; Table B.1: approved by the grass-roots unit.
    CONFINED_SPACE: (GUARDIAN, ISSUER, UNIT_HEAD),
    BLIND_PLATE: (GUARDIAN, ISSUER, UNIT_HEAD),
    # Table A.4; Table B.1: grade I the grass-roots unit, grades II and III the unit's
    # professional department, grade IV the deputy director in charge or chief engineer.
    f"{HEIGHT}:I": (GUARDIAN, ISSUER, UNIT_HEAD),
    f"{HEIGHT}:II": (GUARDIAN, ISSUER, UNIT_HEAD, SPECIALIST_DEPT),
    f"{HEIGHT}:III": (GUARDIAN, ISSUER, UNIT_HEAD, SPECIALIST_DEPT),
    f"{HEIGHT}:IV": (GUARDIAN, ISSUER, UNIT_HEAD, CHIEF),
    # Table A.5; Table B.1: grade 1 the deputy director in charge or chief engineer, grades
    # 2 and 3 the unit's professional department (note 3: under 10 t no permit is needed,
    # but a risk analysis is).
    f"{LIFTING}:1": (GUARDIAN, COMMANDER, UNIT_HEAD, CHIEF),
    f"{LIFTING}:2": (GUARDIAN, COMMANDER, UNIT_HEAD, SPECIALIST_DEPT),
    f"{LIFTING}:3": (GUARDIAN, COMMANDER, UNIT_HEAD, SPECIALIST_DEPT),
    # Table A.6 (person in charge, unit using the power, power supply unit); Table B.1: the
    # power supply unit reviews and approves.
    TEMPORARY_POWER: (GUARDIAN, ISSUER, UNIT_HEAD, ELECTRICAL),
    # Tables A.7 / A.8; Table B.1: countersigned by the units concerned (excavation: water,
    # power, steam, process, equipment, fire, safety; road breaking: fire and safety
    # management), approved by the unit's professional department.
    EXCAVATION: (GUARDIAN, ISSUER, UNIT_HEAD, AFFECTED, SPECIALIST_DEPT),
    ROAD_BREAKING: (GUARDIAN, ISSUER, UNIT_HEAD, AFFECTED, SPECIALIST_DEPT),
}

# --- safety measures per kind (the checklist of the permit form) ----------------------------------
# A selection from the forms of Annex A (Tables A.1-A.8); the clause behind each is noted.

MEASURES: dict[str, tuple[tuple[str, object], ...]] = {
    HOT_WORK: (
        # 5.2.2, Table A.1 items 1-2
        ("isolated", _("Equipment and pipes cleaned, replaced and isolated (blind plates)")),
        # 5.2.4 (15 m applies to equipment that may leak flammables; 5.2.9 30 m / 15 m / 10 m)
        ("combustibles_removed", _("Combustibles within 15 m removed or covered")),
        ("drains_sealed", _("Drains, trenches and wells within 15 m covered and sealed")),  # 5.2.4
        ("extinguishers", _("Fire extinguishers and fire blankets at hand")),  # 5.2.1, A.1 item 8
        ("gas_cylinders", _("Gas cylinders ≥ 5 m apart and ≥ 10 m from the fire")),  # 5.2.13
        ("sparks_contained", _("Spark containment at height and for welding slag")),  # A.1 item 5
    ),
    CONFINED_SPACE: (
        ("isolated", _("Space isolated: blind plates, valves locked, power cut and tagged")),  # 6.1
        ("ventilated", _("Ventilated; no pure oxygen used for ventilation")),  # 6.2, 6.3 e)
        ("rescue", _("Rescue equipment and breathing apparatus at the entrance")),  # A.2 item 11
        # 4.13 b): ≤ 36 V; ≤ 12 V in wet or cramped vessels
        ("lighting", _("Safe-voltage lighting (≤ 12 V in wet or metal spaces)")),
        ("signals", _("Communication and signals agreed with the guardian")),  # 6.6 j), 6.8 b)
        ("counted", _("People and tools counted in and out")),  # 6.8 c)
    ),
    BLIND_PLATE: (
        ("drawing", _("Blind plate location drawing and numbered plate")),  # 7.1, 7.4
        ("pressure_relieved", _("Pressure relieved, medium drained, temperature safe")),  # 7.5, 7.8
        ("ppe", _("Protective equipment for the medium worn")),  # 7.7, 7.9
        ("spark_free_tools", _("Spark-free tools in flammable atmospheres")),  # 7.6
    ),
    HEIGHT: (
        ("harness", _("Safety harness anchored above the worker")),  # 8.2.1
        ("scaffold_checked", _("Scaffold or platform inspected and tagged")),  # 8.2.3
        ("area_fenced", _("Area below fenced and watched")),  # A.4 item 12
        ("weather", _("No work in wind of force 5 or more, storm or fog")),  # 8.2.6
    ),
    LIFTING: (
        ("plan", _("Lifting plan approved; load and radius checked")),  # 9.2.1
        ("crane_inspected", _("Crane and rigging inspected and within rated load")),  # 9.2.5, 9.2.7
        ("signaller", _("A qualified signaller appointed")),  # 9.2.6
        ("area_cleared", _("Lifting area fenced and cleared of people")),  # 9.2.12
    ),
    TEMPORARY_POWER: (
        ("licensed", _("Electrician licensed; connection by the power supply unit")),  # 4.9, 10.3
        ("rcd", _("Residual-current device fitted and tested")),  # 10.4, 10.6 h)
        ("explosion_proof", _("Explosion-proof equipment in hazardous areas")),  # 10.6 a)
        ("cables", _("Cables protected, overhead or buried")),  # 10.6 c)-f)
    ),
    EXCAVATION: (
        ("utilities_marked", _("Underground cables and pipes located and marked")),  # 11.4
        ("shoring", _("Shoring or sloping of the trench walls")),  # 11.5 d)
        ("barriers", _("Barriers and warning lights around the pit")),  # 11.2
        ("access", _("Ladders for getting out of the trench")),  # 11.7 (deeper than 2 m)
    ),
    ROAD_BREAKING: (
        ("detour", _("Detour signed and fire lanes kept open")),  # 12.1
        ("barriers", _("Barriers and warning lights at both ends")),  # 12.2, 12.4
        ("notified", _("Fire, emergency and affected units notified")),  # 12.1, A.8 item 1
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


def needs_gas_test(kind: str, hazardous_area: bool = False) -> bool:
    """Whether work of that kind needs a passing, recent gas analysis; `hazardous_area`:
    the work is in a place with a fire or explosion hazard (GB 30871-2022 10.1)."""
    return kind in GAS_TEST_KINDS or (hazardous_area and kind in GAS_TEST_IN_HAZARDOUS_AREA)


def reanalyse_after_pause_minutes(kind: str, grade: str) -> int | None:
    """Longest pause (minutes) after which the gas must be analysed again before work
    resumes (None: the standard sets none for that kind)."""
    table = REANALYSE_AFTER_PAUSE_MINUTES
    return table.get(key(kind, grade), table.get(kind))


def continuous_monitoring(kind: str, grade: str) -> bool:
    """Whether the gas is to be monitored continuously while the work goes on."""
    return key(kind, grade) in CONTINUOUS_MONITORING or kind in CONTINUOUS_MONITORING


# --- gas analysis ----------------------------------------------------------------------------------

# Oxygen in a confined space: GB 30871-2022 6.4 a). The standard sets no oxygen floor for
# hot work; the low-oxygen check below for other kinds is this project's own (unverified).
# Hot work on equipment that produces, uses or stores oxygen (the analysis marked
# "oxygen-rich"): oxygen in the equipment at most 23.5 % (5.2.7).
O2_MIN = 19.5
O2_MAX = 21.0
O2_MAX_ENRICHED = 23.5

COMBUSTIBLE_LEL_THRESHOLD = 4.0  # GB 30871-2022 5.3.2 (% vol)


def combustible_limit(lel_pct: float) -> float:
    """Largest combustible concentration (% vol) allowed for a gas of that LEL (% vol):
    GB 30871-2022 5.3.2 a) 0.5 % where the LEL is ≥ 4 %, b) 0.2 % where it is < 4 %; the
    same limits apply in confined spaces (6.4 c)."""
    return 0.5 if lel_pct >= COMBUSTIBLE_LEL_THRESHOLD else 0.2


@dataclass(frozen=True)
class GasReading:
    o2_pct: float | None
    combustible_pct: float | None
    lel_pct: float | None
    # (gas, measured, limit), same unit; limits per GBZ 2.1 (GB 30871-2022 6.4 b)
    toxic: tuple[tuple[str, float, float], ...] = ()
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
    elif kind == HOT_WORK and reading.enriched:
        if reading.o2_pct is None:
            failures.append("o2_missing")
        elif reading.o2_pct > O2_MAX_ENRICHED + 1e-12:
            failures.append("o2_high_equipment")
    elif reading.o2_pct is not None and reading.o2_pct < O2_MIN:
        failures.append("o2_low")
    for _gas, measured, limit in reading.toxic:
        if measured > limit + 1e-12:
            failures.append("toxic_high")
            break
    return failures
