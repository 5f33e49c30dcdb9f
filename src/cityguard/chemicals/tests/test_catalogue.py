"""The seeded catalogue, its search and the resolution of names, aliases and CAS numbers."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityguard.chemicals import catalogue, measure, services
from cityguard.chemicals.models import Chemical, SafetyDataSheet

pytestmark = pytest.mark.django_db


def test_every_table1_row_is_seeded_with_its_threshold() -> None:
    with catalogue.TABLE1_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 85
    for row in rows:
        chem = Chemical.objects.get(table1_no=int(row["no"]), name_zh=row["name_zh"])
        assert chem.table1_threshold_t == float(row["threshold_t"])
        cas = [c for c in row["cas"].split(";") if c]
        assert chem.cas_numbers == cas
        assert chem.categories, f"row {row['no']} has no Table 2 category"
    # Row 13 also holds carbon monoxide, which has no row of its own.
    co = Chemical.objects.get(key="carbon-monoxide")
    assert co.table1_no == 13 and co.table1_threshold_t == 20 and co.table3_beta == 2
    assert Chemical.objects.filter(table1_no__isnull=False).count() == 86


def test_seed_cas_numbers_have_valid_check_digits() -> None:
    for chem in Chemical.objects.all():
        for cas in chem.cas_numbers:
            assert measure.cas_is_valid(cas), (chem.name_zh, cas)


def test_every_chemical_has_a_safety_data_sheet() -> None:
    assert SafetyDataSheet.objects.count() == Chemical.objects.count()
    chlorine = SafetyDataSheet.objects.get(chemical__key="t1-12")
    assert "MAC 1 mg/m³" in chlorine.exposure_limits and not chlorine.generated
    for field in catalogue.SDS_FIELDS:
        assert getattr(chlorine, field)


URBAN = {
    # name as typed → (Table 2 categories, Table 1 threshold or None)
    "汽油": (["W5.1"], 200),
    "柴油": (["W5.4"], None),
    "液化石油气": (["W2"], 50),
    "天然气": (["W2"], 50),
    "甲烷": (["W2"], 50),
    "乙醇": (["W5.3"], 500),
    "丙酮": (["W5.3"], 500),
    "甲苯": (["W5.3"], 500),
    "二甲苯": (["W5.4"], None),
    "盐酸": ([], None),
    "硫酸": ([], None),
    "氢氧化钠": ([], None),
    "双氧水": (["W9.2"], None),
    "次氯酸钠": ([], None),
    "氨水": ([], None),
    "氧气": (["W4"], 200),
    "乙炔": (["W2"], 1),
    "氮气": ([], None),
}


@pytest.mark.parametrize(("name", "expected"), URBAN.items())
def test_urban_chemicals_are_in_the_catalogue(name: str, expected: tuple) -> None:
    chem = services.resolve(name)
    cats, q = expected
    assert chem.categories == cats
    assert chem.table1_threshold_t == q


@pytest.mark.parametrize(
    "text",
    [
        "7782-50-5",
        "７７８２－５０－５",
        "7782505",
        " 液 氯 ",
        "氯气",
        "Chlorine",
        "Ｃｈｌｏｒｉｎｅ",
        "CHLORINE",
        "UN1017",
    ],
)
def test_resolve_is_tolerant_of_width_spacing_and_case(text: str) -> None:
    assert services.resolve(text).key == "t1-12"


def test_nitrocellulose_grade_not_cas_selects_the_row() -> None:
    with pytest.raises(services.Ambiguous) as err:
        services.resolve("9004-70-0")
    assert sorted(c.table1_no for c in err.value.candidates) == [37, 38, 39, 40, 41, 42]
    with pytest.raises(services.Ambiguous):
        services.resolve("硝化棉")
    wet = services.resolve("9004-70-0", grade="含乙醇≥２５％")  # full-width digits
    assert wet.table1_no == 39 and wet.table1_threshold_t == 10
    assert services.resolve("硝化纤维素（含水≥25%）").table1_no == 41
    assert services.resolve("硝化纤维素(含水≥25%)").table1_no == 41


def test_ammonium_nitrate_grades_and_shared_cas() -> None:
    with pytest.raises(services.Ambiguous):
        services.resolve("6484-52-2")
    assert services.resolve("6484-52-2", grade="含可燃物≤0.2%").table1_threshold_t == 50
    # Hydrochloric acid shares the CAS number of anhydrous hydrogen chloride (row 11).
    with pytest.raises(services.Ambiguous):
        services.resolve("7647-01-0")
    assert services.resolve("氯化氢").table1_no == 11


def test_unknown_name_is_not_found() -> None:
    with pytest.raises(services.NotFound):
        services.resolve("不存在的化学品")
    with pytest.raises(services.NotFound):
        services.resolve("   ")


def test_search_ranks_exact_matches_first() -> None:
    found = services.search("硝酸")
    names = [c.name_zh for c in found]
    assert len(found) >= 5
    assert any(n.startswith("硝酸（发红烟") for n in names)
    assert names[0] in {"硝酸（发红烟的除外，含硝酸>70%）", "硝酸（含硝酸≤70%）"}
    assert services.search("tolu")[0].key == "t1-64"
    assert [c.key for c in services.search("１０８－８８－３")] == ["t1-64"]


def test_catalogue_change_is_district_only_and_validated(users: SimpleNamespace) -> None:
    chem = Chemical.objects.get(key="diesel")
    with pytest.raises(PermissionDenied):
        services.save_chemical(users.west_officer, {"notes": "x"}, chem)
    with pytest.raises(ValidationError) as err:
        services.save_chemical(
            users.admin, {"cas_numbers": ["68334-30-6"], "categories": ["W12"]}, chem
        )
    assert set(err.value.message_dict) == {"cas_numbers", "categories"}
    chem.refresh_from_db()
    assert chem.cas_numbers == ["68334-30-5"]
    saved = services.save_chemical(users.admin, {"aliases": "轻柴油；0号柴油"}, chem)
    assert saved.aliases == ["轻柴油", "0号柴油"]
    assert services.resolve("0号柴油").pk == chem.pk
