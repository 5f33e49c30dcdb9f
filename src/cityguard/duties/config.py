"""Settings of the duties app, each read from Django settings (any CITYGUARD_* environment
variable becomes one), else the default below.

| name                                 | default | meaning                                     |
|--------------------------------------|---------|---------------------------------------------|
| CITYGUARD_DUTY_EVIDENCE_MAX_BYTES    | 10 MiB  | largest evidence file accepted              |
| CITYGUARD_DUTY_EVIDENCE_PER_UPLOAD   | 5       | most files in one completion                |
| CITYGUARD_DUTY_EVIDENCE_TYPES        | pdf, jpeg, png, webp, docx, xlsx | file types accepted |
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "CITYGUARD_DUTY_EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    "CITYGUARD_DUTY_EVIDENCE_PER_UPLOAD": 5,
    "CITYGUARD_DUTY_EVIDENCE_TYPES": ["pdf", "jpeg", "png", "webp", "docx", "xlsx"],
}


def get(name: str) -> Any:
    value = getattr(settings, name, None)
    return DEFAULTS[name] if value is None else value


def max_bytes() -> int:
    return int(get("CITYGUARD_DUTY_EVIDENCE_MAX_BYTES"))


def per_upload() -> int:
    return int(get("CITYGUARD_DUTY_EVIDENCE_PER_UPLOAD"))


def types() -> list[str]:
    return [str(t).lower() for t in get("CITYGUARD_DUTY_EVIDENCE_TYPES")]
