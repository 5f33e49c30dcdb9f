"""Delivery channels: one interface for every way the platform reaches a person or a system.

Alarm notifications (monitoring) and warning publication (warnings) both deliver through
these plug-ins and keep their own delivery records. A channel either returns normally
(delivered) or raises `DeliveryError` with a reason the delivery record keeps.

Built in: `email` (Django's mail backend: SMTP when EMAIL_HOST is set, files under
var/mail otherwise) and `webhook` (an HTTP POST of the message as JSON). Another channel
(SMS gateway, WeCom robot, loudspeakers…) is a class with `name`, `label`, `can_reach` and
`send`, registered with `register()` from its app's `ready()`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _


class DeliveryError(Exception):
    """The channel could not deliver; the message says why."""


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str = ""
    phone: str = ""
    webhook_url: str = ""
    user_id: int | None = None
    # Free-form: the contact's role, organisation, street… for the delivery record.
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    # Machine-readable content sent by webhooks (and kept by other channels if useful).
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class Channel(Protocol):
    name: str
    label: Any

    def can_reach(self, recipient: Recipient) -> bool: ...

    def send(self, recipient: Recipient, message: Message) -> None: ...


class EmailChannel:
    name = "email"
    label = _("E-mail")

    def can_reach(self, recipient: Recipient) -> bool:
        return bool(recipient.email)

    def send(self, recipient: Recipient, message: Message) -> None:
        if not recipient.email:
            raise DeliveryError(str(_("No e-mail address.")))
        try:
            sent = send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
                fail_silently=False,
            )
        except Exception as exc:  # the backend's own error is the reason
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if sent != 1:
            raise DeliveryError(str(_("The mail server did not accept the message.")))


class WebhookChannel:
    """POSTs {"subject", "body", "data", "recipient"} as JSON to the recipient's URL."""

    name = "webhook"
    label = _("Webhook")

    def can_reach(self, recipient: Recipient) -> bool:
        return recipient.webhook_url.startswith(("http://", "https://"))

    def send(self, recipient: Recipient, message: Message) -> None:
        if not self.can_reach(recipient):
            raise DeliveryError(str(_("No webhook address.")))
        body = json.dumps(
            {
                "subject": message.subject,
                "body": message.body,
                "data": message.data,
                "recipient": recipient.name,
            },
            ensure_ascii=False,
            default=str,
        ).encode()
        request = urllib.request.Request(
            recipient.webhook_url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(
                request, timeout=settings.CITYGUARD_WEBHOOK_TIMEOUT
            ) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(str(getattr(exc, "reason", exc))) from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")


def send_each(
    channel: Channel, recipients: Iterable[Recipient], message: Message
) -> tuple[int, list[str]]:
    """Send `message` through `channel` to every recipient it can reach (the others are
    skipped): how many were sent, and "address: reason" for each that failed."""
    sent = 0
    failures: list[str] = []
    for recipient in recipients:
        if not channel.can_reach(recipient):
            continue
        try:
            channel.send(recipient, message)
        except DeliveryError as exc:
            address = recipient.email or recipient.webhook_url or recipient.name
            failures.append(f"{address}: {exc}")
        else:
            sent += 1
    return sent, failures


_REGISTRY: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    _REGISTRY[channel.name] = channel


def get(name: str) -> Channel:
    """The channel of that name; KeyError if none is registered."""
    return _REGISTRY[name]


def all_channels() -> list[Channel]:
    return list(_REGISTRY.values())


register(EmailChannel())
register(WebhookChannel())
