"""GB 18218-2018 arithmetic on cases derived from the standard (no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cityguard.chemicals import gb18218
from cityguard.chemicals.gb18218 import Item, assess

CHLORINE = Item("氯", 3.0, table1_t=5, table3_beta=4, categories=("J3", "W4"))
AMMONIA = Item("氨", 20.0, table1_t=10, table3_beta=2, categories=("J3", "W2"))


def test_chlorine_and_ammonia_case() -> None:
    # 3 t chlorine (Q 5, β 4) + 20 t ammonia (Q 10, β 2), 60 people → α 1.5.
    result = assess([CHLORINE, AMMONIA], 60)
    assert result.s == pytest.approx(2.6)
    assert result.is_major
    assert result.alpha == 1.5
    assert result.r == pytest.approx(9.6)
    assert result.grade == 4
    ratios = [i.ratio for i in result.items]
    assert ratios == pytest.approx([0.6, 2.0])
    assert [i.beta_source for i in result.items] == ["table3", "table3"]
    assert [i.threshold_source for i in result.items] == ["table1", "table1"]
    assert result.as_dict()["r"] == 9.6 and result.as_dict()["s"] == 2.6


def test_s_exactly_one_is_major() -> None:
    # 0.7 + 0.2 + 0.1 is 0.9999999999999999 in binary floating point; the standard says ≥ 1.
    items = [
        Item("a", 0.7, table1_t=1, categories=("W2",)),
        Item("b", 0.2, table1_t=1, categories=("W2",)),
        Item("c", 0.1, table1_t=1, categories=("W2",)),
    ]
    assert 0.7 / 1 + 0.2 / 1 + 0.1 / 1 < 1  # the trap this guards against
    result = assess(items, 0)
    assert result.s == 1
    assert result.is_major
    # β 1.5 (W2), α 0.5 → R = 0.75, grade 4
    assert result.r == pytest.approx(0.75)
    assert result.grade == 4


def test_just_below_one_is_not_major() -> None:
    result = assess([Item("a", 4.999, table1_t=5)], 500)
    assert result.s == pytest.approx(0.9998)
    assert not result.is_major
    assert result.r is None and result.grade is None and result.alpha is None


def test_table2_fallback_takes_lowest_threshold_and_largest_beta() -> None:
    # Not in Table 1, categories W5.3 (Q 1000, β 1), J3 (Q 50, β 2), W2 (Q 10, β 1.5):
    # Q = 10 (lowest), β = 2 (largest; our documented choice).
    item = Item("x", 25.0, categories=("W5.3", "J3", "W2"))
    result = assess([item], 100)
    (res,) = result.items
    assert res.threshold_t == 10 and res.threshold_source == "table2"
    assert res.beta == 2 and res.beta_source == "table4"
    assert res.categories == ("J3", "W2", "W5.3")  # Table 2 order
    assert result.s == pytest.approx(2.5)
    assert result.r == pytest.approx(2.0 * 2 * 2.5)  # α 2 for ≥ 100 people: R = 10
    assert result.grade == 3


def test_table1_threshold_wins_over_categories() -> None:
    # Petrol: Table 1 Q 200 although its category W5.1 would give 10.
    petrol = Item("汽油", 100, table1_t=200, categories=("W5.1",))
    (res,) = assess([petrol], 10).items
    assert res.threshold_t == 200 and res.ratio == 0.5 and res.beta == 1.5


def test_no_threshold_does_not_count() -> None:
    acid = Item("盐酸", 1000.0)
    result = assess([acid, Item("氯", 5, table1_t=5, table3_beta=4)], 0)
    assert result.items[0].threshold_t is None and result.items[0].ratio == 0
    assert result.s == 1 and result.r == pytest.approx(0.5 * 4)


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, 0.5),
        (1, 1.0),
        (29, 1.0),
        (30, 1.2),
        (49, 1.2),
        (50, 1.5),
        (99, 1.5),
        (100, 2.0),
        (29.9, 1.0),
        (10_000, 2.0),
    ],
)
def test_alpha_bands_at_their_edges(population: float, expected: float) -> None:
    assert gb18218.alpha(population) == expected
    assert gb18218.alpha_array(np.array([population]))[0] == expected


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "60", None, True])
def test_alpha_refuses_bad_population(bad: object) -> None:
    with pytest.raises(gb18218.AssessmentError):
        gb18218.alpha(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("r", "expected"),
    [(0, 4), (9.999, 4), (10, 3), (49.99, 3), (50, 2), (99.99, 2), (100, 1), (1e6, 1)],
)
def test_grade_edges(r: float, expected: int) -> None:
    assert gb18218.grade(r) == expected
    assert gb18218.grade_array(np.array([r]))[0] == expected


def test_grade_edges_through_assess() -> None:
    # R exactly 10, 50 and 100 reached through the formula, with sums that are not exact
    # in binary (0.1 + 0.2 …).
    def unit(scale: float) -> list[Item]:
        # ratios 0.6 + 0.3 + 0.1: exactly 1 on paper, 0.9999999999999999 in binary.
        return [
            Item("a", 0.6 * scale, table1_t=1 * scale, categories=("J1",)),
            Item("b", 0.3 * scale, table1_t=1 * scale, categories=("J1",)),
            Item("c", 0.1 * scale, table1_t=1 * scale, categories=("J1",)),
        ]

    r10 = assess([Item("cl", 6.25, table1_t=5, table3_beta=4)], 100)  # 2 × 4 × 1.25 = 10
    assert r10.r == pytest.approx(10) and r10.grade == 3
    r50 = assess([Item("cl", 31.25, table1_t=5, table3_beta=4)], 100)  # 2 × 4 × 6.25 = 50
    assert r50.r == pytest.approx(50) and r50.grade == 2
    r100 = assess([Item("cl", 62.5, table1_t=5, table3_beta=4)], 100)  # = 100
    assert r100.r == pytest.approx(100) and r100.grade == 1
    tricky = assess(unit(1.0), 100)
    assert tricky.s == 1 and tricky.is_major
    # Σβq/Q = 4 × 1 (J1: β 4), α 2 → R = 8.
    assert tricky.r == pytest.approx(8) and tricky.grade == 4


def test_unknown_population_leaves_grade_open() -> None:
    result = assess([CHLORINE, AMMONIA], None)
    assert result.is_major and result.r is None and result.grade is None


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "3", None])
def test_bad_quantities_are_refused_naming_the_item(bad: object) -> None:
    with pytest.raises(gb18218.AssessmentError) as err:
        assess([CHLORINE, Item("x", bad, table1_t=1)], 10)  # type: ignore[arg-type]
    assert err.value.index == 1


def test_unknown_category_is_refused() -> None:
    with pytest.raises(gb18218.AssessmentError) as err:
        assess([Item("x", 1, categories=("W99",))], 10)
    assert err.value.index == 0
    assert gb18218.check_categories(["w5.3", " j1 "]) == ("J1", "W5.3")


def test_tables_match_the_standard() -> None:
    assert len(gb18218.TABLE2) == 24
    assert gb18218.TABLE2["W5.4"][0] == 5000 and gb18218.TABLE2["J1"][0] == 5
    assert gb18218.TABLE3["异氰酸甲酯"] == 20 and len(gb18218.TABLE3) == 14
    assert gb18218.beta(None, ("W5.2",)) == (1.0, "table4")
    assert gb18218.beta(None, ()) == (1.0, "default")
    assert gb18218.threshold(None, ()) == (None, "none")


def test_batch_equals_scalar_and_loop() -> None:
    rng = np.random.default_rng(7)
    n_units, n_items = 500, 1800
    unit = np.sort(rng.integers(0, n_units, n_items))
    q = rng.uniform(0, 40, n_items).round(3)
    big_q = rng.choice([1, 5, 10, 50, 200, 500, np.nan], n_items)
    beta = rng.choice([1, 1.5, 2, 4, 20], n_items)
    population = rng.integers(0, 150, n_units).astype(float)
    population[::17] = np.nan
    batch = gb18218.assess_batch(unit, q, big_q, beta, population)
    loop = gb18218.assess_loop(
        unit.tolist(), q.tolist(), big_q.tolist(), beta.tolist(), population.tolist()
    )
    for u in range(n_units):
        idx = np.nonzero(unit == u)[0]
        items = [
            Item(
                "i",
                float(q[i]),
                table1_t=None if np.isnan(big_q[i]) else float(big_q[i]),
                table3_beta=float(beta[i]),
            )
            for i in idx
        ]
        pop = None if np.isnan(population[u]) else float(population[u])
        scalar = assess(items, pop)
        assert batch.s[u] == pytest.approx(scalar.s, abs=1e-9)
        assert bool(batch.is_major[u]) == scalar.is_major == loop[u][1]
        if scalar.grade is None:
            assert batch.grade[u] == 0 and loop[u][3] is None
        else:
            assert batch.r[u] == pytest.approx(scalar.r)
            assert int(batch.grade[u]) == scalar.grade == loop[u][3]


def test_batch_refuses_negative_quantities() -> None:
    with pytest.raises(gb18218.AssessmentError):
        gb18218.assess_batch(
            np.array([0]), np.array([-1.0]), np.array([1.0]), np.array([1.0]), np.array([10.0])
        )


def test_module_does_not_import_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import cityguard.chemicals.gb18218, cityguard.chemicals.measure; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
