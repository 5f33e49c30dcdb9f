"""Data of the warnings app: official warnings, the CAP messages sent or received for
them, their timeline and the delivery record of each publication.

Only `warnings.services` changes a warning; each transition writes a `WarningEvent`
(who, when, what changed) and the warning's kept history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.access import DISTRICT_ROLES, reach, scope_queryset
from cityguard.core.choices import Role
from cityguard.core.models import ScopedQuerySet

from .choices import (
    ACTIVE_STATES,
    Audience,
    DeliveryStatus,
    EventKind,
    MsgType,
    Origin,
    WarningColour,
    WarningState,
    WarningType,
)

USER = settings.AUTH_USER_MODEL


def reader_street(user: Any) -> str | None:
    """The street code a non-district reader is confined to (None: no such confinement):
    a street officer's street, an enterprise manager's organisation's street, a viewer's
    or API client's street when their jurisdiction lies within one."""
    r = reach(user)
    if r.superuser or r.role in DISTRICT_ROLES:
        return None
    path = r.path
    if r.role == Role.ENTERPRISE_MANAGER and r.organization_id is not None:
        from cityguard.core.models import Organization

        org = Organization.objects.filter(pk=r.organization_id).select_related("jurisdiction")
        found = org.first()
        path = found.jurisdiction.path if found is not None else None
    codes = [c for c in (path or "").split("/") if c]
    return codes[1] if len(codes) >= 2 else None


class WarningQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Any:
        """District roles see every warning (drafts too, within their reach); every other
        signed-in role sees the warnings that were issued over their area: a street
        officer those covering their street, an enterprise manager those covering the
        street of their organisation, a viewer or API client those in their jurisdiction
        (all when none is set)."""
        r = reach(user)
        if not r.authenticated or r.role is None:
            return self.none()
        if r.role in DISTRICT_ROLES or r.superuser:
            return scope_queryset(self, user)
        published = self.exclude(state=WarningState.DRAFT)
        if r.role == Role.ENTERPRISE_MANAGER:
            from cityguard.core.models import Organization

            if r.organization_id is None:
                return self.none()
            org = Organization.objects.filter(pk=r.organization_id).first()
            if org is None:
                return self.none()
            path = org.jurisdiction.path
            codes = [c for c in path.split("/") if c]
            if len(codes) < 2:
                return self.none()
            return published.filter(
                pk__in=Warning.streets.through.objects.filter(jurisdiction__code=codes[1]).values(
                    "warning_id"
                )
            )
        if r.path is None:
            return self.none() if r.role == Role.STREET_OFFICER else published
        codes = [c for c in r.path.split("/") if c]
        if len(codes) <= 1:
            return published
        # A street or anything below it: warnings over that street.
        return published.filter(
            pk__in=Warning.streets.through.objects.filter(jurisdiction__code=codes[1]).values(
                "warning_id"
            )
        )

    def active(self, now: Any = None) -> Any:
        now = now or timezone.now()
        return self.filter(state__in=ACTIVE_STATES, effective__lte=now, expires__gt=now)

    def in_force(self, now: Any = None) -> Any:
        """Issued and not yet expired (effective now or later)."""
        now = now or timezone.now()
        return self.filter(state__in=ACTIVE_STATES, expires__gt=now)


WarningManager = models.Manager.from_queryset(WarningQuerySet)


class Warning(models.Model):
    kind = models.CharField(_("warning type"), max_length=24, choices=WarningType.choices)
    colour = models.CharField(_("colour"), max_length=8, choices=WarningColour.choices)
    authority = models.CharField(_("issuing authority"), max_length=200)
    headline = models.CharField(_("headline"), max_length=200)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("instructions"), blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_en = models.TextField(_("instructions (English)"), blank=True)
    # The warned area: the streets, and the polygon when one was drawn or received
    # (GeoJSON Polygon/MultiPolygon, WGS 84). Streets are always derived or checked.
    streets = models.ManyToManyField(
        "core.Jurisdiction", verbose_name=_("streets"), related_name="+", blank=True
    )
    polygon = models.TextField(_("area polygon (GeoJSON)"), blank=True)
    # The node covering every warned street (the street itself, or the district): the
    # warning's place in the tree for core.access.
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective = models.DateTimeField(_("effective"))
    expires = models.DateTimeField(_("expires"))
    state = models.CharField(
        _("state"), max_length=16, choices=WarningState.choices, default=WarningState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    origin = models.CharField(
        _("origin"), max_length=16, choices=Origin.choices, default=Origin.LOCAL
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Street changes are kept on the timeline (WarningEvent.changes), not here.
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = WarningManager()

    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["-effective", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        indexes = [models.Index(fields=["state", "expires"], name="warn_state_expires")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires__gt=models.F("effective")), name="warn_expires_after"
            )
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def reference(self) -> str:
        return f"W{self.pk:06d}" if self.pk else ""

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.state in ACTIVE_STATES and self.effective <= now < self.expires

    @property
    def hex(self) -> str:
        return WarningColour.colour_of(self.colour)

    def _lang(self, zh: str, en: str) -> str:
        return (en or zh) if (get_language() or "").startswith("en") else zh

    @property
    def shown_headline(self) -> str:
        return self._lang(self.headline, self.headline_en)

    @property
    def shown_description(self) -> str:
        return self._lang(self.description, self.description_en)

    @property
    def shown_instruction(self) -> str:
        return self._lang(self.instruction, self.instruction_en)


class CapMessage(models.Model):
    """One CAP 1.2 message of a warning: sent by us (Alert, Update, Cancel) or received.
    An Update or Cancel references every earlier message of the same warning."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="messages")
    msg_type = models.CharField(_("message type"), max_length=8, choices=MsgType.choices)
    sender = models.CharField(_("sender"), max_length=255)
    identifier = models.CharField(_("identifier"), max_length=255)
    sent = models.DateTimeField(_("sent"))
    version = models.PositiveIntegerField(_("version"), default=1)
    received = models.BooleanField(_("received from outside"), default=False)
    xml = models.TextField(_("CAP document"))

    class Meta:
        ordering = ["sent", "id"]
        verbose_name = _("CAP message")
        verbose_name_plural = _("CAP messages")
        constraints = [
            models.UniqueConstraint(fields=["sender", "identifier"], name="warn_cap_unique")
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def reference(self) -> str:
        from .cap import cap_time

        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


class WarningEvent(models.Model):
    """The warning's timeline: every transition with who, when and what changed."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        USER,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    # {"field": [old, new]} for the fields this transition changed.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.kind}"


class Delivery(models.Model):
    """One recipient × one channel × one CAP message: queued, then sent or failed."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(
        CapMessage, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    # Who, whatever the channel: "contact:<id>", "public", "webhook:<url>".
    recipient_key = models.CharField(_("recipient key"), max_length=255)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    contact = models.ForeignKey(
        "core.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    street = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=32)
    address = models.CharField(_("address"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    reason = models.TextField(_("reason"), blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["warning", "audience", "status"], name="warn_delivery_cov"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} · {self.channel}"
