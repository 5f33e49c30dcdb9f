"""Threat-zone runs: the inputs and the zones of one dispersion calculation, kept so an
incident keeps the zones it was shown. A run is a record of what was computed: it is
never edited afterwards (a new calculation is a new run)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ThreatZoneRun(models.Model):
    incident_ref = models.CharField(
        _("incident reference"), max_length=64, blank=True, db_index=True
    )
    inputs = models.JSONField(_("inputs"))
    geojson = models.JSONField(_("zones (GeoJSON)"))
    # The run's source, copied from the inputs so the map can filter by viewport in SQL.
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("threat-zone run")
        verbose_name_plural = _("threat-zone runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.incident_ref}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("A threat-zone run cannot be changed once recorded."))
        super().save(*args, **kwargs)
