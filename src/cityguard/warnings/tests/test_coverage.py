"""Publication and coverage: one delivery per recipient and channel, the public page as a
channel, recipients by role; coverage = reached ÷ recipients in the area."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from cityguard.core import channels
from cityguard.core import services as core_services
from cityguard.indicators.registry import Period
from cityguard.indicators.registry import get as indicator
from cityguard.warnings import services
from cityguard.warnings.models import Delivery

from .conftest import same_by_street


def test_publication_reaches_contacts_by_channel(issued: Any, contacts: Any) -> None:
    warning = issued()
    rows = {
        (d.recipient_name, d.channel): (d.status, d.reason, d.street.code if d.street else None)
        for d in Delivery.objects.filter(warning=warning)
    }
    west, east = "310110001", "310110002"
    assert rows[("王安全", "email")] == ("sent", "", west)
    assert rows[("张主任", "email")] == ("sent", "", east)
    # A phone alone: no channel reaches it (no SMS gateway is configured).
    assert rows[("李值班", "")] == ("failed", "No channel can reach this recipient.", west)
    # A technical contact is not among the roles that receive warnings.
    assert not any(name == "赵技术" for name, _ch in rows)
    public = Delivery.objects.get(warning=warning, audience="public")
    assert (public.channel, public.status) == ("public_page", "sent")
    assert sorted(m.to[0] for m in mail.outbox) == ["wang@example.cn", "zhang@example.cn"]
    assert "暴雨" in mail.outbox[0].subject
    cov = services.coverage(warning)
    assert (cov.total, cov.reached, cov.percent, cov.on_target) == (3, 2, 66.7, False)
    by_street = {r["code"]: (r["total"], r["reached"], r["percent"]) for r in cov.by_street}
    assert by_street == {west: (2, 1, 50.0), east: (1, 1, 100.0)}


def test_roles_are_configurable(issued: Any, contacts: Any, settings: Any) -> None:
    settings.CITYGUARD_WARNING_CONTACT_ROLES = ["technical"]
    warning = issued()
    names = set(
        Delivery.objects.filter(warning=warning, audience="contact").values_list(
            "recipient_name", flat=True
        )
    )
    assert names == {"赵技术"}


def test_nineteen_of_twenty_is_on_target(issued: Any, users: Any, settings: Any) -> None:
    for i in range(20):
        core_services.save_contact(
            users.admin,
            {
                "organization": users.west_org,
                "name": f"联系人{i}",
                "role": "duty",
                "email": f"c{i}@example.cn" if i < 19 else "",
            },
        )
    warning = issued()
    cov = services.coverage(warning)
    assert (cov.total, cov.reached, cov.percent, cov.on_target) == (20, 19, 95.0, True)
    period = Period.of(warning.issued_at.date())
    assert indicator("warning-coverage").compute(None, None, period) == 95.0
    assert indicator("warning-coverage").compute(None, "310110002", period) is None
    assert indicator("warning-coverage").on_target(95.0) is True
    assert same_by_street("warning-coverage", users.west_officer, period) == {
        "310110001": 95.0,
        "310110002": None,
    }


def test_reached_by_any_channel_counts_once_failed_do_not(
    issued: Any, contacts: Any, settings: Any, users: Any
) -> None:
    class Flaky:
        """A second channel: reaches everyone with an e-mail, fails for 王安全."""

        name = "test_pager"
        label = "pager"

        def can_reach(self, r: channels.Recipient) -> bool:
            return bool(r.email)

        def send(self, r: channels.Recipient, m: channels.Message) -> None:
            if r.email.startswith("wang"):
                raise channels.DeliveryError("pager offline")

    channels.register(Flaky())
    try:
        warning = issued()
    finally:
        channels._REGISTRY.pop("test_pager")
    wang = Delivery.objects.filter(warning=warning, recipient_name="王安全")
    assert sorted(wang.values_list("channel", "status")) == [
        ("email", "sent"),
        ("test_pager", "failed"),
    ]
    assert wang.get(channel="test_pager").reason == "pager offline"
    cov = services.coverage(warning)
    assert (cov.total, cov.reached) == (3, 2)  # 王 once, though two channels; 李 not reached
    # Make the e-mail fail too: 王 is then not reached at all.
    wang.filter(channel="email").update(status="failed", reason="bounced")
    cov = services.coverage(warning)
    assert (cov.total, cov.reached, cov.percent) == (3, 1, 33.3)
    period = Period.of(warning.issued_at.date())
    assert indicator("warning-coverage").compute(None, None, period) == 33.3
    # Each street's figure counts a recipient once too, whatever the channels.
    by_street = same_by_street(
        "warning-coverage", users.west_officer, Period.of(warning.issued_at.date())
    )
    assert by_street == {row["code"]: row["percent"] for row in cov.by_street} | {
        code: None for code in by_street if code not in {row["code"] for row in cov.by_street}
    }


def test_webhook_system_recipient_is_not_counted(
    issued: Any, contacts: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, dict]] = []
    webhook = channels.get("webhook")
    monkeypatch.setattr(webhook, "send", lambda r, m: sent.append((r.webhook_url, m.data)))
    settings.CITYGUARD_WARNING_WEBHOOK_URL = "https://city.example.cn/hooks/warnings"
    warning = issued()
    system = Delivery.objects.get(warning=warning, audience="system")
    assert (system.channel, system.status) == ("webhook", "sent")
    assert sent[0][0] == "https://city.example.cn/hooks/warnings"
    assert sent[0][1]["cap"].startswith("<?xml") and sent[0][1]["msgType"] == "Alert"
    assert services.coverage(warning).total == 3


def test_publishing_twice_delivers_once(issued: Any, contacts: Any) -> None:
    warning = issued()
    count = Delivery.objects.filter(warning=warning).count()
    assert services.publish(warning.messages.get().pk) == 0
    assert Delivery.objects.filter(warning=warning).count() == count
