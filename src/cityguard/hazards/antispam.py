"""Spam protection and rate limiting of public tips, with no third-party captcha.

Three checks, each cheap for a person and each stopping a different kind of robot:

1. A honeypot: a field named `website`, hidden from people (off-screen, `aria-hidden`,
   `tabindex=-1`, `autocomplete=off`). Form-filling robots fill every field they find;
   a tip that arrives with it filled is refused.
2. A signed challenge token, served with the form (or by `GET /api/v1/hazards/tips/challenge`):
   it carries a random nonce, the time it was issued and an HMAC of the answer to a small
   sum ("What is 3 + 4?"), signed with the site's secret key. The tip must come back
   with the token unaltered, no sooner than CITYGUARD_TIP_MIN_SECONDS after it was
   issued (robots post at once; people take longer than three seconds to describe a
   hazard) and no later than CITYGUARD_TIP_MAX_AGE_SECONDS, and with the right answer.
3. The nonce of an accepted tip is stored (`TipAttempt.nonce`, unique), so one solved
   form cannot be replayed.

The rate limit counts rows of `TipAttempt` — accepted tips and refused spam attempts —
per hashed client address over a sliding window (CITYGUARD_TIP_LIMIT per
CITYGUARD_TIP_WINDOW_SECONDS). A database table rather than a process-local cache, so
the limit holds across every web process. Addresses are stored only as an HMAC with the
site's secret key. Two submissions racing past the count at the same instant can exceed
the limit by one; that is accepted.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import config
from .models import TipAttempt

SALT = "cityguard.hazards.tip-challenge"
HONEYPOT_FIELD = "website"


@dataclass(frozen=True)
class Challenge:
    token: str
    question: str  # "3 + 4"
    issued_at: float


class SpamRefused(Exception):
    """`code`: honeypot, token, expired, too_fast, answer, replay."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def message(code: str) -> str:
    """What to tell the sender of a refused form."""
    messages = {
        "honeypot": _("The form could not be accepted."),
        "token": _("The form has expired or was altered: reload it and try again."),
        "expired": _("The form has expired or was altered: reload it and try again."),
        "too_fast": _("The form was sent too quickly: wait a few seconds and send it again."),
        "answer": _("The answer to the question is wrong."),
        "replay": _("This form has already been sent: reload it to send another tip."),
    }
    return messages.get(code, messages["honeypot"])


def _answer_mac(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}").hexdigest()[:32]


def issue(now: float | None = None) -> Challenge:
    now = time.time() if now is None else now
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(12)
    token = signing.dumps({"n": nonce, "t": int(now), "h": _answer_mac(nonce, a + b)}, salt=SALT)
    return Challenge(token=token, question=f"{a} + {b}", issued_at=now)


def check(token: str | None, answer: Any, honeypot: str | None, now: float | None = None) -> str:
    """Return the challenge's nonce, or raise `SpamRefused`."""
    now = time.time() if now is None else now
    if honeypot:
        raise SpamRefused("honeypot")
    if not token:
        raise SpamRefused("token")
    try:
        payload = signing.loads(token, salt=SALT)
        nonce, issued, mac = str(payload["n"]), float(payload["t"]), str(payload["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SpamRefused("token")
    age = now - issued
    if age > config.get("CITYGUARD_TIP_MAX_AGE_SECONDS"):
        raise SpamRefused("expired")
    if age < config.get("CITYGUARD_TIP_MIN_SECONDS"):
        raise SpamRefused("too_fast")
    try:
        number = int(str(answer).strip())
    except (TypeError, ValueError):
        raise SpamRefused("answer")
    if not constant_time_compare(_answer_mac(nonce, number), mac):
        raise SpamRefused("answer")
    if TipAttempt.objects.filter(nonce=nonce).exists():
        raise SpamRefused("replay")
    return nonce


# --- addresses and the rate limit ------------------------------------------------------------


def client_ip(meta: dict[str, Any]) -> str:
    """The client's address: REMOTE_ADDR, or with CITYGUARD_TIP_PROXY_HOPS trusted proxies
    in front, the address that many hops back in X-Forwarded-For."""
    hops = int(config.get("CITYGUARD_TIP_PROXY_HOPS"))
    remote = str(meta.get("REMOTE_ADDR") or "")
    if hops <= 0:
        return remote
    chain = [a.strip() for a in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if a.strip()]
    return chain[-hops] if len(chain) >= hops else remote


def hash_ip(ip: str) -> str:
    return salted_hmac("cityguard.hazards.tip-ip", ip).hexdigest()


def check_rate(ip_hash: str, now: Any = None) -> None:
    now = now or timezone.now()
    window = int(config.get("CITYGUARD_TIP_WINDOW_SECONDS"))
    since = now - timedelta(seconds=window)
    recent = TipAttempt.objects.filter(ip_hash=ip_hash, at__gte=since)
    limit = int(config.get("CITYGUARD_TIP_LIMIT"))
    if recent.count() >= limit:
        oldest = recent.order_by("at").values_list("at", flat=True).first() or now
        retry = max(1, int((oldest + timedelta(seconds=window) - now).total_seconds()) + 1)
        raise RateLimited(retry)


def record(ip_hash: str, *, accepted: bool, nonce: str | None = None, now: Any = None) -> None:
    TipAttempt.objects.create(
        ip_hash=ip_hash, accepted=accepted, nonce=nonce, at=now or timezone.now()
    )


def purge(now: Any = None) -> int:
    """Forget attempts older than the window, and nonces older than any token may be (a
    day at least)."""
    now = now or timezone.now()
    keep = max(
        int(config.get("CITYGUARD_TIP_WINDOW_SECONDS")),
        int(config.get("CITYGUARD_TIP_MAX_AGE_SECONDS")),
        86400,
    )
    deleted, _ = TipAttempt.objects.filter(at__lt=now - timedelta(seconds=keep)).delete()
    return deleted
