"""Chinese is the users' language: every message the code shows has a translation."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

import cityguard

CATALOGUE = Path(cityguard.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation() -> None:
    po = polib.pofile(str(CATALOGUE))
    assert len(po) > 100
    missing = [e.msgid for e in po if not e.msgstr and not e.msgid_plural]
    assert missing == [], f"untranslated: {missing[:20]}"


def test_catalogue_translations_contain_chinese() -> None:
    po = polib.pofile(str(CATALOGUE))
    # Proper nouns and codes may stay Latin; the bulk must be Chinese.
    chinese = [e for e in po if any("\u4e00" <= ch <= "\u9fff" for ch in e.msgstr)]
    assert len(chinese) / len(po) > 0.9


def test_compiled_catalogue_is_used() -> None:
    """The .mo compiled at set-up is what Django reads (a stale or missing one fails here)."""
    from cityguard.core.models import Organization

    po = polib.pofile(str(CATALOGUE))
    expected = po.find("organisation").msgstr
    with translation.override("zh-hans"):
        assert str(Organization._meta.verbose_name) == expected
    with translation.override("en"):
        assert str(Organization._meta.verbose_name) == "organisation"


def test_every_fragment_message_is_merged_into_the_catalogue() -> None:
    """Translations are written in i18n/*.po and merged by scripts/i18n.py into the
    catalogue; a fragment message missing from it was not merged (or not committed)."""
    catalogue = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE))}
    fragments = Path(cityguard.__file__).parents[2] / "i18n"
    missing = [
        f"{path.name}: {e.msgid[:60]}"
        for path in sorted(fragments.glob("*.po"))
        for e in polib.pofile(str(path))
        if (e.msgctxt, e.msgid) not in catalogue
    ]
    assert missing == [], f"run scripts/i18n.py and commit the catalogue: {missing[:10]}"
