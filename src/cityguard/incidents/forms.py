"""Forms of the incident pages. Saving goes through `incidents.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.forms import LAT_ATTRS, LON_ATTRS, FilterForm, area_select, known_code

from .choices import (
    SUBTYPES,
    DispatchKind,
    IncidentType,
    Level,
    ResponseLevel,
    Source,
    Status,
    Subtype,
)
from .schemas import IncidentFilter

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SORTS: dict[str, tuple[Any, ...]] = {
    "-occurred": ("-occurred_at", "-id"),
    "level": ("level", "-occurred_at", "-id"),
    "-updated": ("-updated_at", "-id"),
}


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's field → messages on the form (unknown fields on the form itself)."""
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


class IncidentFilterForm(FilterForm):
    sorts = SORTS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Title, description or address"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *IncidentType.choices]
    )
    subtype = forms.ChoiceField(
        label=_("Subtype"), required=False, choices=[("", _("All subtypes")), *Subtype.choices]
    )
    level = forms.TypedChoiceField(
        label=pgettext_lazy("incident", "Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", pgettext_lazy("incident", "All levels")), *Level.choices],
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-occurred", _("Newest first")),
            ("level", _("Most severe first")),
            ("-updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code((self.cleaned_data.get("jurisdiction") or "").strip())

    def filters(self) -> IncidentFilter:
        return IncidentFilter(
            q=self.value("q"),
            status=self.value("status"),
            type=self.value("type"),
            subtype=self.value("subtype"),
            level=self.value("level"),
            jurisdiction=self.value("jurisdiction"),
        )


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    type = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    subtype = forms.ChoiceField(label=_("Subtype"), choices=Subtype.choices)
    occurred_at = forms.DateTimeField(label=_("Occurred"), widget=DT)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs=LON_ATTRS),
    )
    lat = forms.FloatField(
        label=_("Latitude"), min_value=-90, max_value=90, widget=forms.NumberInput(attrs=LAT_ATTRS)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    deaths = forms.IntegerField(label=_("Deaths"), min_value=0, initial=0)
    serious_injuries = forms.IntegerField(label=_("Serious injuries"), min_value=0, initial=0)
    direct_loss_cny = forms.IntegerField(
        label=_("Direct loss (CNY)"), min_value=0, max_value=2**63 - 1, initial=0
    )
    chemical = forms.CharField(label=_("Chemical released"), max_length=120, required=False)
    release_rate_g_s = forms.FloatField(label=_("Release rate (g/s)"), min_value=0, required=False)
    source_height_m = forms.FloatField(label=_("Source height (m)"), min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, sub = data.get("type"), data.get("subtype")
        if kind and sub and sub not in SUBTYPES.get(kind, ()):
            self.add_error("subtype", _("This subtype does not belong to the type."))
        return data

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FiguresForm(forms.Form):
    deaths = forms.IntegerField(label=_("Deaths"), min_value=0)
    serious_injuries = forms.IntegerField(label=_("Serious injuries"), min_value=0)
    direct_loss_cny = forms.IntegerField(
        label=_("Direct loss (CNY)"), min_value=0, max_value=2**63 - 1
    )


class ActivateForm(forms.Form):
    plan = forms.IntegerField(label=_("Plan"), min_value=1, widget=forms.HiddenInput)
    response_level = forms.TypedChoiceField(
        label=_("Response level"), coerce=int, choices=ResponseLevel.choices
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LessonsForm(forms.Form):
    lessons = forms.CharField(
        label=_("Lessons learned"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class TaskForm(forms.Form):
    text = forms.CharField(label=_("Task"), max_length=5000)
    responsible_role = forms.CharField(label=_("Responsible"), max_length=120, required=False)


class DispatchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DispatchKind.choices)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    warehouse = forms.TypedChoiceField(
        label=_("Warehouse"), coerce=int, required=False, empty_value=None
    )
    material = forms.TypedChoiceField(
        label=_("Material"), coerce=int, required=False, empty_value=None
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        empty = [("", "—")]
        teams: list[tuple[Any, str]] = []
        warehouses: list[tuple[Any, str]] = []
        materials: list[tuple[Any, str]] = []
        try:
            from cityguard.resources.models import Material, Team, Warehouse
        except ImportError:
            pass
        else:
            teams = [
                (t.pk, t.name)
                for t in Team.objects.visible_to(user).filter(is_active=True, status="available")[
                    :300
                ]
            ]
            warehouses = [
                (w.pk, w.name)
                for w in Warehouse.objects.visible_to(user).filter(is_active=True)[:300]
            ]
            materials = [
                (m.pk, f"{m.label} ({m.unit})")
                for m in Material.objects.filter(is_active=True)[:500]
            ]
        self.fields["team"].choices = empty + teams  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = empty + warehouses  # type: ignore[attr-defined]
        self.fields["material"].choices = empty + materials  # type: ignore[attr-defined]


class ThreatZoneForm(forms.Form):
    release_rate_g_s = forms.FloatField(label=_("Release rate (g/s)"), min_value=0)
    wind_speed_m_s = forms.FloatField(label=_("Wind speed (m/s)"), min_value=0)
    wind_from_deg = forms.FloatField(
        label=_("Wind from (degrees)"), min_value=0, max_value=360, initial=90
    )
    stability = forms.ChoiceField(
        label=_("Stability class"),
        choices=[(c, c) for c in "ABCDEF"],
        initial="D",
    )
    source_height_m = forms.FloatField(label=_("Source height (m)"), min_value=0, initial=0)
    terrain = forms.ChoiceField(
        label=_("Terrain"), choices=[("urban", _("Urban")), ("rural", _("Rural"))], initial="urban"
    )
    thresholds_mg_m3 = forms.CharField(
        label=_("Levels of concern (mg/m³)"),
        initial="2000, 200, 20",
        max_length=100,
        help_text=_("Up to three, comma-separated, most severe first."),
    )

    def clean_thresholds_mg_m3(self) -> list[float]:
        raw = self.cleaned_data["thresholds_mg_m3"]
        try:
            values = [float(v) for v in raw.replace("，", ",").split(",") if v.strip()]
        except ValueError:
            raise ValidationError(_("Enter numbers separated by commas.")) from None
        if not values or len(values) > 3:
            raise ValidationError(_("Give one to three levels."))
        return values
