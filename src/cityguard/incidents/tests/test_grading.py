import pytest

from cityguard.incidents import grading


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "level", "criterion"),
    [
        (0, 0, 0, 4, ""),
        (2, 9, 9_999_999, 4, ""),
        (3, 0, 0, 3, "deaths"),
        (9, 0, 0, 3, "deaths"),
        (10, 0, 0, 2, "deaths"),
        (29, 0, 0, 2, "deaths"),
        (30, 0, 0, 1, "deaths"),
        (0, 10, 0, 3, "serious_injuries"),
        (0, 49, 0, 3, "serious_injuries"),
        (0, 50, 0, 2, "serious_injuries"),
        (0, 99, 0, 2, "serious_injuries"),
        (0, 100, 0, 1, "serious_injuries"),
        (0, 0, 10_000_000, 3, "direct_loss_cny"),
        (0, 0, 49_999_999, 3, "direct_loss_cny"),
        (0, 0, 50_000_000, 2, "direct_loss_cny"),
        (0, 0, 99_999_999, 2, "direct_loss_cny"),
        (0, 0, 100_000_000, 1, "direct_loss_cny"),
        # any one criterion sets the grade: the most severe wins
        (1, 100, 0, 1, "serious_injuries"),
        (3, 49, 60_000_000, 2, "direct_loss_cny"),
        (0, 12, 0, 3, "serious_injuries"),
    ],
)
def test_grade_edges(deaths: int, injuries: int, loss: int, level: int, criterion: str) -> None:
    g = grading.grade(deaths, injuries, loss)
    assert (g.level, g.criterion) == (level, criterion)


def test_names() -> None:
    g = grading.grade(0, 12, 0)
    assert g.as_dict() == {
        "level": 3,
        "name_zh": "较大",
        "name_en": "Relatively serious",
        "criterion": "serious_injuries",
    }
    assert [grading.NAMES_ZH[i] for i in grading.LEVELS] == ["特别重大", "重大", "较大", "一般"]
    assert grading.roman(2) == "II"


@pytest.mark.parametrize("bad", [-1, 1.5, "3", None, True, float("nan")])
def test_bad_figures(bad: object) -> None:
    with pytest.raises(grading.GradeError) as exc:
        grading.grade(0, bad, 0)
    assert exc.value.field == "serious_injuries"


def test_integral_float_accepted() -> None:
    assert grading.grade(3.0, 0, 0).level == 3
