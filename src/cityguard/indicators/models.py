"""Data of the indicators app: figures entered by hand, and the monthly snapshots.

- `EnteredFigure`: a figure that no register in CityGuard holds (deaths and GDP, road
  deaths, schools covered by safety education …), entered through a form or the API with
  its source (the document or department it comes from). One figure per indicator, year,
  month (0 for the whole year) and street (none for the district); entering it again
  changes it, and its history keeps every earlier value and who entered it.
- `IndicatorSnapshot`: the value of one indicator for one street (or the district) and one
  month, as the snapshot job computed it; the trend reads these, so a past month shows what
  was true then. Derived data: written only by `services.snapshot`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from cityguard.core.models import ScopedManager


class EnteredFigure(models.Model):
    code = models.CharField(_("indicator"), max_length=40, db_index=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        pgettext_lazy("calendar", "month"),
        default=0,
        validators=[MaxValueValidator(12)],
        help_text=_("0 for the whole year."),
    )
    street = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the whole district."),
    )
    value = models.FloatField(_("value"), validators=[MinValueValidator(0)])
    base = models.FloatField(_("base"), null=True, blank=True, validators=[MinValueValidator(0)])
    source = models.CharField(
        _("source"), max_length=255, help_text=_("The document or department it comes from.")
    )
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "street"

    class Meta:
        ordering = ["-year", "-month", "code", "street__path"]
        verbose_name = _("entered figure")
        verbose_name_plural = _("entered figures")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "year", "month"],
                condition=Q(street__isnull=True),
                name="indicators_figure_one_district",
            ),
            models.UniqueConstraint(
                fields=["code", "year", "month", "street"],
                condition=Q(street__isnull=False),
                name="indicators_figure_one_street",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year:04d}" if not self.month else f"{self.year:04d}-{self.month:02d}"


class IndicatorSnapshot(models.Model):
    code = models.CharField(_("indicator"), max_length=40)
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM")
    street = models.CharField(
        _("street"), max_length=32, blank=True, help_text=_("Empty for the whole district.")
    )
    value = models.FloatField(_("value"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    on_target = models.BooleanField(_("on target"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["period", "code", "street"]
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "period", "street"], name="indicators_snapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["street", "period"])]

    def __str__(self) -> str:
        return f"{self.code} {self.period} {self.street or '-'}"
