"""Alarm notifications: after an alarm opens or escalates (after commit, as a job).

Who is told:
- in the platform: the enterprise managers of the sensor's organisation, the street
  officers whose jurisdiction contains the sensor, and, for critical alarms, district staff
  and administrators;
- by e-mail (`core.channels` "email"): the contacts of the sensor's organisation that have
  an e-mail address;
- by webhook (`core.channels` "webhook"): CITYGUARD_ALARM_WEBHOOK_URL, if set.

Every delivery is a Notification row (channel, status sent/failed, error); the alarm's
timeline gets a "notified" event with the counts.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from cityguard.core import channels
from cityguard.core.choices import Role
from cityguard.core.models import Contact, Membership

from . import config
from .choices import AlarmEventKind, Severity
from .models import Alarm, AlarmEvent, Notification

log = logging.getLogger(__name__)


def after_commit_many(notes: list[tuple[int, str]]) -> None:
    """Queue the notifications of alarms ((id, "opened"|"escalated"), …) as one job once
    the current transaction commits."""
    if notes:
        batch = list(notes)
        transaction.on_commit(lambda: deliver(batch))


@db_task()
def deliver(notes: list[tuple[int, str]]) -> list[dict[str, int]]:
    return [notify_alarm(alarm_id, kind) for alarm_id, kind in notes]


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def recipients(alarm: Alarm) -> list[Any]:
    """Users to tell in the platform."""
    who = (
        Q(role=Role.ENTERPRISE_MANAGER, organization_id=alarm.organization_id)
        if (alarm.organization_id)
        else Q(pk__in=[])
    )
    who |= Q(role=Role.STREET_OFFICER, jurisdiction__path__in=_prefixes(alarm.jurisdiction.path))
    if alarm.severity == Severity.CRITICAL:
        who |= Q(role__in=[Role.DISTRICT_STAFF, Role.DISTRICT_ADMIN])
    members = Membership.objects.filter(who, user__is_active=True).select_related("user")
    seen: dict[int, Any] = {}
    for m in members:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def message(alarm: Alarm, kind: str) -> channels.Message:
    sensor = alarm.sensor
    what = _("Alarm escalated") if kind == "escalated" else _("Alarm")
    subject = _("%(what)s: %(sensor)s — %(severity)s") % {
        "what": what,
        "sensor": sensor.name or sensor.code,
        "severity": alarm.get_severity_display(),
    }
    body = _(
        "Sensor %(code)s (%(kind)s) at %(place)s: rule %(rule)s, value %(value)s %(unit)s, "
        "threshold in force %(thr)s, since %(at)s."
    ) % {
        "code": sensor.code,
        "kind": sensor.get_kind_display(),
        "place": alarm.jurisdiction.name,
        "rule": alarm.rule.name,
        "value": "—" if alarm.last_value is None else f"{alarm.last_value:g}",
        "unit": sensor.unit,
        "thr": "—" if alarm.threshold is None else f"{alarm.threshold:g}",
        "at": alarm.opened_at.strftime("%Y-%m-%d %H:%M:%S"),
    }
    data = {
        "alarm": alarm.pk,
        "kind": kind,
        "sensor": sensor.code,
        "sensor_kind": sensor.kind,
        "severity": alarm.severity,
        "state": alarm.state,
        "rule": alarm.rule.name,
        "value": alarm.last_value,
        "peak_value": alarm.peak_value,
        "threshold": alarm.threshold,
        "lon": sensor.lon,
        "lat": sensor.lat,
        "jurisdiction": alarm.jurisdiction.code,
        "opened_at": alarm.opened_at.isoformat(),
    }
    return channels.Message(subject=subject, body=body, data=data)


def notify_alarm(alarm_id: int, kind: str) -> dict[str, int]:
    alarm = (
        Alarm.objects.select_related("sensor", "rule", "jurisdiction").filter(pk=alarm_id).first()
    )
    if alarm is None:
        return {"platform": 0, "sent": 0, "failed": 0}
    with translation.override(settings.LANGUAGE_CODE):
        msg = message(alarm, kind)
        rows: list[Notification] = [
            Notification(
                user=user,
                alarm=alarm,
                channel="platform",
                recipient=user.get_username(),
                title=msg.subject[:300],
                body=msg.body,
            )
            for user in recipients(alarm)
        ]
        deliveries: list[tuple[str, channels.Recipient]] = []
        if alarm.organization_id:
            for c in Contact.objects.filter(organization_id=alarm.organization_id).exclude(
                email=""
            ):
                deliveries.append(
                    (
                        "email",
                        channels.Recipient(name=c.name, email=c.email, meta={"contact": c.pk}),
                    )
                )
        url = config.alarm_webhook_url()
        if url:
            deliveries.append(("webhook", channels.Recipient(name="webhook", webhook_url=url)))
        sent = failed = 0
        for channel_name, recipient in deliveries:
            status, error = "sent", ""
            try:
                channels.get(channel_name).send(recipient, msg)
                sent += 1
            except channels.DeliveryError as exc:
                status, error = "failed", str(exc)
                failed += 1
            except Exception as exc:  # a plug-in's own failure must not lose the record
                log.exception("alarm %s: %s delivery failed", alarm.pk, channel_name)
                status, error = "failed", f"{type(exc).__name__}: {exc}"
                failed += 1
            target = recipient.email or recipient.webhook_url
            rows.append(
                Notification(
                    user=None,
                    alarm=alarm,
                    channel=channel_name,
                    recipient=f"{recipient.name} <{target}>"[:300],
                    title=msg.subject[:300],
                    body=msg.body,
                    status=status,
                    error=error,
                )
            )
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
            platform = sum(1 for r in rows if r.channel == "platform")
            AlarmEvent.objects.create(
                alarm=alarm,
                kind=AlarmEventKind.NOTIFIED,
                severity=alarm.severity,
                note=_(
                    "%(platform)s users told in the platform; %(sent)s deliveries sent, "
                    "%(failed)s failed."
                )
                % {"platform": platform, "sent": sent, "failed": failed},
            )
    return {"platform": platform, "sent": sent, "failed": failed}
