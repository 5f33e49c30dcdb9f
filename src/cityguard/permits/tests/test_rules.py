"""Pure GB 30871 rules: durations, chains, gas limits."""

from cityguard.permits import rules


def test_max_hours_per_kind_and_grade():
    assert rules.max_hours("hot_work", "special") == 8
    assert rules.max_hours("hot_work", "1") == 8
    assert rules.max_hours("hot_work", "2") == 72
    assert rules.max_hours("confined_space", "") == 24
    assert rules.max_hours("hot_work", "2", {"hot_work:2": 48}) == 48


def test_chains_end_with_the_approver_per_grade():
    assert rules.chain("hot_work", "special")[-1].code == "principal"
    assert rules.chain("hot_work", "1")[-1].code == "safety_dept"
    assert rules.chain("hot_work", "2")[-1].code == "unit_head"
    assert rules.chain("hot_work", "2")[0].code == "guardian"


def test_grades():
    assert rules.valid_grade("hot_work", "1")
    assert not rules.valid_grade("hot_work", "")
    assert rules.valid_grade("confined_space", "")
    assert not rules.valid_grade("confined_space", "1")


def test_combustible_limit_depends_on_lel():
    assert rules.combustible_limit(3.9) == 0.2
    assert rules.combustible_limit(4.0) == 0.5
    ok = rules.GasReading(20.5, 0.45, 5.0)
    assert rules.gas_failures("hot_work", ok) == []
    assert rules.gas_failures("hot_work", rules.GasReading(20.5, 0.45, 3.0)) == ["combustible_high"]


def test_oxygen_for_confined_space():
    assert rules.gas_failures("confined_space", rules.GasReading(19.4, 0.1, 5)) == ["o2_low"]
    assert rules.gas_failures("confined_space", rules.GasReading(21.5, 0.1, 5)) == ["o2_high"]
    assert rules.gas_failures("confined_space", rules.GasReading(21.5, 0.1, 5, enriched=True)) == []
    assert rules.gas_failures("confined_space", rules.GasReading(None, 0.1, 5)) == ["o2_missing"]
    toxic = rules.GasReading(20.9, 0.1, 5, (("H2S", 12.0, 10.0),))
    assert rules.gas_failures("confined_space", toxic) == ["toxic_high"]
