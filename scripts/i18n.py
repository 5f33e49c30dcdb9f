"""Refresh the Chinese catalogue: extract every msgid from the code and templates, fill the
translations from the fragments in `i18n/*.po`, keep the translations already in the
catalogue, and list what is still untranslated.

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


def fragments() -> dict[tuple[str | None, str], str]:
    known: dict[tuple[str | None, str], str] = {}
    for path in sorted((ROOT / "i18n").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr:
                known.setdefault((entry.msgctxt, entry.msgid), entry.msgstr)
    return known


def extract() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cityguard.settings")
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "django-admin"), "makemessages", "-l", "zh_Hans",
         "--no-location", "--no-obsolete", "-i", "static/vendor/*", "-i", "*/tests/*"],
        cwd=APP, env=env, check=True,
    )


def main() -> int:
    check = "--check" in sys.argv
    if not check:
        previous = {}
        if CATALOGUE.exists():
            previous = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(CATALOGUE)) if e.msgstr}
        extract()
        po = polib.pofile(str(CATALOGUE))
        known = {**fragments(), **previous}
        for entry in po:
            key = (entry.msgctxt, entry.msgid)
            if not entry.msgstr and key in known:
                entry.msgstr = known[key]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.metadata.update({"Language": "zh_Hans", "Content-Type": "text/plain; charset=UTF-8",
                            "Plural-Forms": "nplurals=1; plural=0;"})
        po.save()
    po = polib.pofile(str(CATALOGUE))
    missing = [e.msgid for e in po if not e.msgstr and not e.msgid_plural]
    missing += [e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po)} messages, {len(missing)} untranslated")
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
