"""The pure scoring module: every band edge, the scales, the vectorised form."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cityguard.risk import scoring
from cityguard.risk.scoring import Bands, ScoreError


@pytest.mark.parametrize(
    ("d", "level"),
    [
        (0.01, "low"),
        (70, "low"),
        (70.000001 + 1e-6, "general"),
        (70.01, "general"),
        (160, "general"),
        (160.01, "large"),
        (320, "large"),
        (320.01, "major"),
        (1e6, "major"),
    ],
)
def test_lec_band_edges(d: float, level: str) -> None:
    assert scoring.lec_level(d) == level


@pytest.mark.parametrize(
    ("r", "level"),
    [
        (1, "low"),
        (8, "low"),
        (8.99, "low"),
        (9, "general"),
        (14, "general"),
        (14.99, "general"),
        (15, "large"),
        (19.99, "large"),
        (20, "major"),
        (25, "major"),
    ],
)
def test_matrix_band_edges(r: float, level: str) -> None:
    assert scoring.matrix_level(r) == level


@pytest.mark.parametrize(
    ("lec", "d", "level"),
    [
        ((10, 1, 7), 70, "low"),  # on the edge: belongs below
        ((10, 0.5, 15), 75, "general"),
        ((10, 1, 15), 150, "general"),
        ((10, 6, 3), 180, "large"),
        ((10, 10, 3), 300, "large"),
        ((3, 3, 40), 360, "major"),
        ((6, 3, 15), 270, "large"),
        ((0.1, 0.5, 1), 0.05, "low"),
    ],
)
def test_lec_scores(lec: tuple[float, float, float], d: float, level: str) -> None:
    s = scoring.lec(*lec)
    assert (s.method, s.score, s.level) == ("lec", d, level)
    assert s.colour == scoring.COLOURS[level]


def test_matrix_scores_on_every_cell() -> None:
    for lk, sv in itertools.product(range(1, 6), repeat=2):
        s = scoring.matrix(lk, sv)
        r = lk * sv
        expected = "major" if r >= 20 else "large" if r >= 15 else "general" if r >= 9 else "low"
        assert (s.score, s.level) == (r, expected)
    assert scoring.matrix(4, 5).as_dict() == {
        "method": "matrix",
        "score": 20,
        "level": "major",
        "colour": "red",
    }
    assert scoring.matrix("3", 3.0).level == "general"  # numbers may come as text or float


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((7, 3, 15), "l"),
        ((6, 4, 15), "e"),
        ((6, 3, 16), "c"),
        ((None, 3, 15), "l"),
        (("x", 3, 15), "l"),
        ((True, 3, 15), "l"),
        ((6, 3, float("nan")), "c"),
    ],
)
def test_lec_refuses_values_off_the_scale(args: tuple, field: str) -> None:
    with pytest.raises(ScoreError) as exc:
        scoring.lec(*args)
    assert exc.value.field == field
    assert exc.value.allowed == {"l": scoring.LEC_L, "e": scoring.LEC_E, "c": scoring.LEC_C}[field]


@pytest.mark.parametrize(
    ("lk", "sv", "field"),
    [(0, 3, "likelihood"), (6, 3, "likelihood"), (2.5, 3, "likelihood"), (3, 0, "severity")],
)
def test_matrix_refuses_values_outside_one_to_five(lk: float, sv: float, field: str) -> None:
    with pytest.raises(ScoreError) as exc:
        scoring.matrix(lk, sv)
    assert exc.value.field == field
    assert scoring.format_allowed(exc.value.allowed) == "1, 2, 3, 4, 5"


def test_score_dispatches_and_refuses_unknown_methods() -> None:
    assert scoring.score("lec", {"l": 6, "e": 3, "c": 15}).score == 270
    assert scoring.score("matrix", {"likelihood": 4, "severity": 5}).level == "major"
    with pytest.raises(ScoreError) as exc:
        scoring.score("bowtie", {})
    assert exc.value.field == "method"


def test_format_allowed_lists_the_lec_scale() -> None:
    assert scoring.format_allowed(scoring.LEC_L) == "10, 6, 3, 1, 0.5, 0.2, 0.1"


def test_bands_are_configurable_and_checked() -> None:
    custom = Bands.from_mapping({"lec": {"major": 400}, "matrix": {"general": 10}})
    assert custom.lec_major == 400 and custom.lec_large == 160
    assert scoring.lec_level(360, custom) == "large"
    assert scoring.matrix_level(9, custom) == "low"
    assert Bands.from_mapping(None) == scoring.DEFAULT_BANDS
    with pytest.raises(ValueError):
        Bands.from_mapping({"lec": {"major": 100, "large": 160}})


def test_vectorised_scoring_agrees_with_the_loop() -> None:
    combos = np.array(list(itertools.product(scoring.LEC_L, scoring.LEC_E, scoring.LEC_C)))
    d, ranks = scoring.lec_ranks(combos[:, 0], combos[:, 1], combos[:, 2])
    names = scoring.levels_of_ranks(ranks)
    for row, dv, name in zip(combos, d, names, strict=True):
        s = scoring.lec(*row)
        assert (s.score, s.level) == (pytest.approx(dv), name)
    assert scoring.valid_lec(combos[:, 0], combos[:, 1], combos[:, 2]).all()
    assert not scoring.valid_lec(np.array([7.0]), np.array([3.0]), np.array([15.0]))[0]

    cells = np.array(list(itertools.product(range(1, 6), repeat=2)))
    _r, mranks = scoring.matrix_ranks(cells[:, 0], cells[:, 1])
    for (lk, sv), rank in zip(cells, mranks, strict=True):
        assert scoring.RANK[scoring.matrix(int(lk), int(sv)).level] == rank
    # Edges exactly at the band boundary, vectorised.
    _d, edge_ranks = scoring.lec_ranks(np.array([70.0, 160.0, 320.0]), 1, 1)
    assert edge_ranks.tolist() == [1, 2, 3]
    _r, edge_m = scoring.matrix_ranks(np.array([9.0, 15.0, 20.0, 8.0]), 1)
    assert edge_m.tolist() == [2, 3, 4, 1]


def test_scoring_module_imports_no_django() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(scoring.__file__).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names] + [
        n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
    ]
    assert not [n for n in names if n.startswith("django") or n.startswith("cityguard")]
