"""Refresh the Chinese catalogue: extract every msgid from the code and templates, fill the
translations from the fragments in `i18n/*.po` (the only place translations are written),
and list what is still untranslated.

    .venv/bin/python scripts/i18n.py          # update src/cityguard/locale/zh_Hans/…/django.po
    .venv/bin/python scripts/i18n.py --check  # exit 1 if any msgid has no translation
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "cityguard"
CATALOGUE = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


Key = tuple[str | None, str]


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def fragments() -> dict[Key, polib.POEntry]:
    known: dict[Key, polib.POEntry] = {}
    for path in sorted((ROOT / "i18n").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if _translated(entry):
                known.setdefault((entry.msgctxt, entry.msgid), entry)
    return known


def extract() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cityguard.settings")
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "django-admin"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "-i",
            "static/vendor/*",
            "-i",
            "*/tests/*",
        ],
        cwd=APP,
        env=env,
        check=True,
    )


def main() -> int:
    check = "--check" in sys.argv
    if not check:
        extract()
        po = polib.pofile(str(CATALOGUE))
        known = fragments()
        for entry in po:
            if "fuzzy" in entry.flags:
                # msgmerge's guesses from similar msgids are wrong more often than not.
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
                entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            source = known.get((entry.msgctxt, entry.msgid))
            if source is not None and not _translated(entry):
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: source.msgstr_plural.get(0) or source.msgstr}
                else:
                    entry.msgstr = source.msgstr
        po.metadata.update(
            {
                "Language": "zh_Hans",
                "Content-Type": "text/plain; charset=UTF-8",
                "Plural-Forms": "nplurals=1; plural=0;",
            }
        )
        po.save()
    po = polib.pofile(str(CATALOGUE))
    missing = [e.msgid for e in po if not _translated(e)]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po)} messages, {len(missing)} untranslated")
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
