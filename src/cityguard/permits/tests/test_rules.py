"""Pure GB 30871-2022 rules: durations, chains, gas limits (clauses noted beside each)."""

from cityguard.permits import rules


def test_max_hours_per_kind_and_grade():
    assert rules.max_hours("hot_work", "special") == 8  # 5.1.5
    assert rules.max_hours("hot_work", "1") == 8  # 5.1.5
    assert rules.max_hours("hot_work", "2") == 72  # 5.1.5
    assert rules.max_hours("confined_space", "") == 24  # 6.10
    assert rules.max_hours("height", "IV") == 7 * 24  # 8.2.11
    assert rules.max_hours("temporary_power", "") == 15 * 24  # 10.8
    assert rules.max_hours("hot_work", "2", {"hot_work:2": 48}) == 48
    assert rules.max_hours("temporary_power", "", {"temporary_power": 720}) == 720


# Table B.1: the approver of each kind and grade.
APPROVERS = {
    ("hot_work", "special"): "principal",  # leader in charge
    ("hot_work", "1"): "safety_dept",
    ("hot_work", "2"): "unit_head",
    ("confined_space", ""): "unit_head",
    ("blind_plate", ""): "unit_head",
    ("height", "I"): "unit_head",
    ("height", "II"): "specialist_dept",
    ("height", "III"): "specialist_dept",
    ("height", "IV"): "chief",
    ("lifting", "1"): "chief",
    ("lifting", "2"): "specialist_dept",
    ("lifting", "3"): "specialist_dept",
    ("temporary_power", ""): "electrical",
    ("excavation", ""): "specialist_dept",
    ("road_breaking", ""): "specialist_dept",
}


def test_chains_end_with_the_approver_of_table_b1():
    kinds = {(kind, g) for kind, grades in rules.GRADES.items() for g in grades or ("",)}
    assert set(APPROVERS) == kinds
    for (kind, grade), approver in APPROVERS.items():
        steps = rules.chain(kind, grade)
        assert steps[-1].code == approver, (kind, grade)
        assert steps[0].code == "guardian"
        codes = [s.code for s in steps]
        assert len(codes) == len(set(codes)) and all(c in rules.STEPS for c in codes)
    # Table A.1: the unit signs before the safety department, which signs before the leader.
    assert [s.code for s in rules.chain("hot_work", "special")] == [
        "guardian",
        "issuer",
        "unit_head",
        "safety_dept",
        "principal",
    ]
    # Tables A.7 / A.8: the units concerned countersign before the approval.
    for kind in ("excavation", "road_breaking"):
        assert [s.code for s in rules.chain(kind, "")][-2:] == ["affected", "specialist_dept"]
    # Table A.5: the lifting commander, not the person in charge, signs first.
    assert rules.chain("lifting", "3")[1].code == "commander"


def test_gas_timing():
    assert rules.GAS_MAX_AGE_MINUTES == 30  # 5.3.1 c), 6.3 a)
    assert rules.reanalyse_after_pause_minutes("hot_work", "special") == 30  # 5.3.1 d)
    assert rules.reanalyse_after_pause_minutes("hot_work", "1") == 30
    assert rules.reanalyse_after_pause_minutes("hot_work", "2") == 60
    assert rules.reanalyse_after_pause_minutes("confined_space", "") == 60  # 6.3 f)
    assert rules.reanalyse_after_pause_minutes("height", "I") is None
    assert rules.continuous_monitoring("hot_work", "special")  # 5.3.1 d)
    assert not rules.continuous_monitoring("hot_work", "1")
    assert rules.continuous_monitoring("confined_space", "")  # 6.5
    assert rules.MONITORING_RECORD_HOURS == 2


def test_grades():
    assert rules.valid_grade("hot_work", "1")
    assert not rules.valid_grade("hot_work", "")
    assert rules.valid_grade("confined_space", "")
    assert not rules.valid_grade("confined_space", "1")


def test_combustible_limit_depends_on_lel():  # 5.3.2
    assert rules.combustible_limit(3.9) == 0.2
    assert rules.combustible_limit(4.0) == 0.5
    assert rules.gas_failures("hot_work", rules.GasReading(None, 0.5, 4.0)) == []
    assert rules.gas_failures("hot_work", rules.GasReading(None, 0.2, 3.0)) == []
    assert rules.gas_failures("hot_work", rules.GasReading(None, 0.21, 3.0)) == ["combustible_high"]
    ok = rules.GasReading(20.5, 0.45, 5.0)
    assert rules.gas_failures("hot_work", ok) == []
    assert rules.gas_failures("hot_work", rules.GasReading(20.5, 0.45, 3.0)) == ["combustible_high"]


def test_oxygen_for_confined_space():  # 6.4
    assert rules.gas_failures("confined_space", rules.GasReading(19.5, 0.1, 5)) == []
    assert rules.gas_failures("confined_space", rules.GasReading(21.0, 0.1, 5)) == []
    assert rules.gas_failures("confined_space", rules.GasReading(23.5, 0.1, 5, enriched=True)) == []
    assert rules.gas_failures("confined_space", rules.GasReading(23.6, 0.1, 5, enriched=True)) == [
        "o2_high"
    ]
    assert rules.gas_failures("confined_space", rules.GasReading(19.4, 0.1, 5)) == ["o2_low"]
    assert rules.gas_failures("confined_space", rules.GasReading(21.5, 0.1, 5)) == ["o2_high"]
    assert rules.gas_failures("confined_space", rules.GasReading(21.5, 0.1, 5, enriched=True)) == []
    assert rules.gas_failures("confined_space", rules.GasReading(None, 0.1, 5)) == ["o2_missing"]
    toxic = rules.GasReading(20.9, 0.1, 5, (("H2S", 12.0, 10.0),))
    assert rules.gas_failures("confined_space", toxic) == ["toxic_high"]


def test_oxygen_for_hot_work_on_oxygen_equipment():  # 5.2.7
    on_equipment = rules.GasReading(23.5, 0.1, 5, enriched=True)
    assert rules.gas_failures("hot_work", on_equipment) == []
    too_rich = rules.GasReading(23.6, 0.1, 5, enriched=True)
    assert rules.gas_failures("hot_work", too_rich) == ["o2_high_equipment"]
    assert rules.gas_failures("hot_work", rules.GasReading(None, 0.1, 5, enriched=True)) == [
        "o2_missing"
    ]
    # Not on oxygen equipment: the standard caps no oxygen for hot work.
    assert rules.gas_failures("hot_work", rules.GasReading(23.6, 0.1, 5)) == []


def test_temporary_power_needs_gas_only_in_a_hazardous_area():  # 10.1
    assert rules.needs_gas_test("temporary_power", hazardous_area=True)
    assert not rules.needs_gas_test("temporary_power")
    assert rules.needs_gas_test("hot_work") and rules.needs_gas_test("confined_space")
    assert not rules.needs_gas_test("height", hazardous_area=True)
    assert rules.gas_failures("temporary_power", rules.GasReading(None, 0.6, 5.0)) == [
        "combustible_high"
    ]
