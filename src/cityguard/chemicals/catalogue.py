"""The catalogue's seed and its search index.

`entries()` reads the two data files of the app — `data/table1_named_substances.csv` (GB
18218-2018 Table 1, as published) and `data/catalogue.json` (what the standard does not
give: English names, UN numbers, Table 2 categories, flags, densities, safety data sheets,
and the chemicals common in an urban district that have no Table 1 row) — into plain dicts.
`load(...)` writes them, creating or updating by `key`; the data migration calls it with
the historical models, `cityguard` code may call it again after the files change.

`name_keys(...)` gives the normalised spellings a chemical is found by; it is used when
loading and whenever a chemical is saved.
"""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from . import gb18218, measure

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE1_FILE = DATA_DIR / "table1_named_substances.csv"
CATALOGUE_FILE = DATA_DIR / "catalogue.json"
_GRADE = re.compile(r"[(\[［【]([^)\]］】]*)[)\]］】]")
_SPLIT = re.compile(r"[，,、]")


@cache
def table1() -> dict[int, dict[str, Any]]:
    """Table 1 rows by number: name, aliases, CAS numbers, threshold."""
    rows: dict[int, dict[str, Any]] = {}
    with TABLE1_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            no = int(row["no"])
            rows[no] = {
                "no": no,
                "name_zh": row["name_zh"].strip(),
                "aliases": [a.strip() for a in row["aliases_zh"].split(";") if a.strip()],
                "cas": [c.strip() for c in row["cas"].split(";") if c.strip()],
                "threshold_t": float(row["threshold_t"]),
            }
    return rows


def grade_of(name_zh: str) -> str:
    """The bracketed qualifier of a Table 1 name (the grade that selects the row)."""
    import unicodedata

    found = _GRADE.findall(unicodedata.normalize("NFKC", name_zh))
    return "；".join(g.strip() for g in found if g.strip())


@cache
def entries() -> list[dict[str, Any]]:
    """Every seed chemical as the field values of a Chemical, plus its `sds`."""
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    rows = table1()
    out: list[dict[str, Any]] = []
    for no_text, extra in data["table1"].items():
        row = rows[int(no_text)]
        aliases = list(dict.fromkeys([*row["aliases"], *extra.get("extra_aliases", [])]))
        out.append(
            {
                "key": extra["key"],
                "table1_no": row["no"],
                "table1_threshold_t": row["threshold_t"],
                "name_zh": row["name_zh"],
                "name_en": extra["name_en"],
                "aliases": aliases,
                "cas_numbers": row["cas"],
                "un_number": extra.get("un", ""),
                "grade": grade_of(row["name_zh"]),
                "categories": list(gb18218.check_categories(extra.get("categories", []))),
                "table3_beta": gb18218.TABLE3.get(extra["table3"]) if extra.get("table3") else None,
                "highly_toxic": bool(extra.get("highly_toxic")),
                "explosive_precursor": bool(extra.get("explosive_precursor")),
                "physical_state": extra.get("state", ""),
                "density_t_m3": extra.get("density_t_m3"),
                "notes": extra.get("note", ""),
                "sds": extra["sds"],
            }
        )
    for extra in data["others"]:
        no = extra.get("table1_no")
        out.append(
            {
                "key": extra["key"],
                "table1_no": no,
                "table1_threshold_t": rows[no]["threshold_t"] if no else None,
                "name_zh": extra["name_zh"],
                "name_en": extra["name_en"],
                "aliases": extra.get("aliases", []),
                "cas_numbers": extra.get("cas", []),
                "un_number": extra.get("un", ""),
                "grade": extra.get("grade") or grade_of(extra["name_zh"]),
                "categories": list(gb18218.check_categories(extra.get("categories", []))),
                "table3_beta": gb18218.TABLE3.get(extra["table3"]) if extra.get("table3") else None,
                "highly_toxic": bool(extra.get("highly_toxic")),
                "explosive_precursor": bool(extra.get("explosive_precursor")),
                "physical_state": extra.get("state", ""),
                "density_t_m3": extra.get("density_t_m3"),
                "notes": extra.get("note", ""),
                "sds": extra["sds"],
            }
        )
    return out


def name_keys(
    name_zh: str, name_en: str, aliases: list[str], cas_numbers: list[str], un_number: str = ""
) -> list[tuple[str, str]]:
    """(normalised key, kind) of every spelling a chemical is found by, deduplicated."""
    found: dict[tuple[str, str], None] = {}

    def add(text: str, kind: str) -> None:
        k = measure.key(text)
        if k:
            found.setdefault((k, kind), None)

    add(name_zh, "name")
    base = measure.base_name(name_zh)
    add(base, "base")
    for part in _SPLIT.split(base):
        # "甲烷，天然气" is two names for one row.
        if part.strip() and part.strip() != base:
            add(part, "base")
    for alias in aliases:
        add(alias, "alias")
        add(measure.base_name(alias), "base")
    if name_en:
        add(name_en, "name_en")
    for cas in cas_numbers:
        add(cas, "cas")
    if un_number:
        add(f"UN{un_number}", "un")
    return list(found)


SDS_FIELDS = ("hazards", "first_aid", "fire_fighting", "spill_response", "exposure_limits")


def load(chemical_model: Any, name_model: Any, sds_model: Any) -> dict[str, int]:
    """Create or update every seed chemical (by key), its names and its safety data sheet.
    A chemical edited by hand keeps its edits except for the fields the seed defines."""
    created = updated = 0
    existing = {c.key: c for c in chemical_model.objects.all()}
    for entry in entries():
        fields = {k: v for k, v in entry.items() if k not in {"sds", "key"}}
        obj = existing.get(entry["key"])
        if obj is None:
            obj = chemical_model.objects.create(key=entry["key"], **fields)
            created += 1
        else:
            for k, v in fields.items():
                setattr(obj, k, v)
            obj.save()
            updated += 1
        name_model.objects.filter(chemical=obj).delete()
        name_model.objects.bulk_create(
            [
                name_model(chemical=obj, key=k, kind=kind)
                for k, kind in name_keys(
                    obj.name_zh, obj.name_en, obj.aliases, obj.cas_numbers, obj.un_number
                )
            ]
        )
        sds = entry["sds"]
        sds_model.objects.update_or_create(
            chemical=obj,
            defaults={
                **{f: sds.get(f, "") for f in SDS_FIELDS},
                "generated": bool(sds.get("generated")),
                "source": "CityGuard seed" if not sds.get("generated") else "",
            },
        )
    return {"created": created, "updated": updated}
