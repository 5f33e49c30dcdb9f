"""Forms of the permits pages; every write goes through `permits.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import PlaceKind
from cityguard.core.forms import FilterForm, area_select, known_code
from cityguard.core.models import Place

from . import rules
from .choices import PermitState, WorkKind

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class PermitFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *PermitState.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind of work"), required=False, choices=[("", _("All")), *WorkKind.choices]
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    live = forms.BooleanField(label=_("Live permits only"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")


def grade_choices(kind: str) -> list[tuple[str, str]]:
    return [(g, str(rules.GRADE_LABELS[(kind, g)])) for g in rules.grades_of(kind)]


class PermitForm(forms.Form):
    """The application form of one kind of work (its grades and safety measures)."""

    grade = forms.ChoiceField(label=_("Grade"), required=False)
    place = forms.ModelChoiceField(
        label=_("Confined space"), queryset=Place.objects.none(), required=False
    )
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    hazardous_area = forms.BooleanField(
        label=_("In a place with a fire or explosion hazard"),
        required=False,
        help_text=_(
            "A running production unit, tank farm or other place with a fire or explosion "
            "hazard: temporary power there needs a combustible-gas analysis (GB 30871-2022 10.1)."
        ),
    )
    content = forms.CharField(label=_("Work content"), widget=forms.Textarea(attrs={"rows": 3}))
    guardian = forms.CharField(label=_("Guardian"), max_length=100)
    workers = forms.CharField(
        label=_("Workers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line."),
    )
    hazards = forms.CharField(
        label=_("Hazards identified"), widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.MultipleChoiceField(
        label=_("Safety measures confirmed"), widget=forms.CheckboxSelectMultiple, required=False
    )
    other_measures = forms.CharField(
        label=_("Other safety measures"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=DT, input_formats=DT_FORMATS)
    valid_to = forms.DateTimeField(label=_("Valid to"), widget=DT, input_formats=DT_FORMATS)

    def __init__(self, *args: Any, kind: str, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.organization = organization
        fields: dict[str, Any] = self.fields  # type: ignore[assignment]
        grades = grade_choices(kind)
        if grades:
            fields["grade"].choices = grades
            self.fields["grade"].required = True
        else:
            del self.fields["grade"]
        if kind == rules.CONFINED_SPACE:
            fields["place"].queryset = Place.objects.filter(
                organization=organization, kind=PlaceKind.CONFINED_SPACE
            )
            self.fields["place"].required = True
        else:
            del self.fields["place"]
            self.fields["location"].required = True
        fields["measures"].choices = [(c, str(label)) for c, label in rules.measures(kind)]
        if kind not in rules.GAS_TEST_IN_HAZARDOUS_AREA:
            del self.fields["hazardous_area"]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "organization": self.organization,
            "kind": self.kind,
            "grade": d.get("grade") or "",
            "place": d.get("place"),
            "location": d.get("location") or "",
            "hazardous_area": bool(d.get("hazardous_area")),
            "content": d["content"],
            "guardian": d["guardian"],
            "workers": d["workers"],
            "hazards": d["hazards"],
            "measures": list(d.get("measures") or []),
            "other_measures": d.get("other_measures") or "",
            "valid_from": d["valid_from"],
            "valid_to": d["valid_to"],
        }


class GasTestForm(forms.Form):
    analysed_at = forms.DateTimeField(label=_("Analysed at"), widget=DT, input_formats=DT_FORMATS)
    analyst = forms.CharField(label=_("Analyst"), max_length=100)
    sample_point = forms.CharField(label=_("Sampling point"), max_length=200, required=False)
    o2_pct = forms.FloatField(label=_("Oxygen (% vol)"), required=False, min_value=0, max_value=100)
    combustible_pct = forms.FloatField(
        label=_("Combustible gas (% vol)"), required=False, min_value=0, max_value=100
    )
    lel_pct = forms.FloatField(
        label=_("Lower explosive limit of the gas (% vol)"),
        required=False,
        min_value=0.01,
        max_value=100,
    )
    toxic_gas = forms.CharField(label=_("Toxic gas"), max_length=40, required=False)
    toxic_value = forms.FloatField(label=_("Measured"), required=False, min_value=0)
    toxic_limit = forms.FloatField(label=_("Limit"), required=False, min_value=0.000001)
    enriched = forms.BooleanField(
        label=_("Oxygen-rich atmosphere"),
        required=False,
        help_text=_(
            "A confined space with an oxygen-rich atmosphere, or hot work on equipment that "
            "produces, uses or stores oxygen: oxygen at most 23.5 % (GB 30871-2022 6.4, 5.2.7)."
        ),
    )

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        gas, value, limit = d.pop("toxic_gas"), d.pop("toxic_value"), d.pop("toxic_limit")
        d["toxic"] = [{"gas": gas, "value": value, "limit": limit}] if gas else []
        return d


class ApproveForm(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=20)
    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class CloseForm(forms.Form):
    site_cleared = forms.BooleanField(label=_("Site cleared"), required=False)
    note = forms.CharField(label=_("Acceptance note"), required=False, max_length=2000)
