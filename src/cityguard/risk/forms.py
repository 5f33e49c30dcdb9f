"""Forms of the risk pages: the register's filters, the point and its control measures, the
assessment. Saving goes through `risk.services`, like every other write."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.core.forms import (
    LAT_ATTRS,
    LON_ATTRS,
    MAX_SELECT_CHOICES,
    FilterForm,
    ServiceModelForm,
    _derive_jurisdiction_by_default,
    _jurisdiction_field,
    _name_the_chosen_organization,
    area_select,
    known_code,
    organization_choice_field,
)
from cityguard.core.models import Place
from cityguard.core.schemas import MAX_ID

from . import scoring, services
from .choices import (
    LEC_C_LABELS,
    LEC_E_LABELS,
    LEC_L_LABELS,
    MATRIX_LIKELIHOOD_LABELS,
    MATRIX_SEVERITY_LABELS,
    ControlTier,
    RiskLevel,
)
from .models import Domain, RiskPoint
from .schemas import RiskPointFilter

RISK_POINT_SORTS: dict[str, tuple[Any, ...]] = {
    "-level": ("-level_rank", "name", "id"),
    "next_due": ("next_due", "-level_rank", "id"),
    "name": ("name", "id"),
    "-updated": ("-updated_at", "-id"),
}


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def domain_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Domain.objects.filter(is_active=True)]


class RiskPointFilterForm(FilterForm):
    sorts = RISK_POINT_SORTS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, description or organisation"), "type": "search"}
        ),
    )
    level = forms.ChoiceField(label=_("Risk level"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    overdue = forms.ChoiceField(
        label=_("Reassessment"),
        required=False,
        choices=[("", _("Any")), ("true", _("Overdue")), ("false", _("Not overdue"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active")), ("inactive", _("Inactive")), ("all", _("Active and inactive"))],
    )
    organization = forms.IntegerField(
        label=_("Organisation"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-level", _("Highest level first")),
            ("next_due", _("Reassessment due")),
            ("name", _("Name")),
            ("-updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "level").choices = [
            ("", _("All levels")),
            *RiskLevel.choices,
            ("unassessed", _("Not assessed")),
        ]
        _choice_field(self, "domain").choices = [("", _("All domains")), *domain_choices()]
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")

    @property
    def active(self) -> bool:
        return any(self.value(name) for name in self.fields if name not in ("sort",))

    def filters(self) -> RiskPointFilter:
        overdue = self.value("overdue")
        status = self.value("status")
        return RiskPointFilter(
            q=self.value("q"),
            level=self.value("level"),
            domain=self.value("domain"),
            jurisdiction=self.value("jurisdiction"),
            organization=self.value("organization"),
            overdue=None if overdue is None else overdue == "true",
            is_active={None: True, "inactive": False, "all": None}[status],
        )


class RiskPointForm(ServiceModelForm):
    service = staticmethod(services.save_risk_point)

    class Meta:
        model = RiskPoint
        fields = [
            "name",
            "domain",
            "organization",
            "place",
            "address",
            "description",
            "control_tier",
            "responsible_person",
            "responsible_phone",
            "is_active",
            "lon",
            "lat",
            "jurisdiction",
        ]
        labels = {
            "name": _("Name"),
            "domain": _("Domain"),
            "address": _("Address"),
            "description": _("Description"),
            "control_tier": _("Control tier"),
            "responsible_person": _("Responsible person"),
            "responsible_phone": _("Responsible person's phone"),
            "is_active": _("Active"),
            "lon": _("Longitude"),
            "lat": _("Latitude"),
        }
        help_texts = {
            "name": _("The unit, site or installation the risk lies in."),
            "description": _("The hazard factors and what could happen."),
            "control_tier": _("Empty: set from the level (major → district … low → post)."),
            "lon": _("WGS 84; leave both empty to use the place's or organisation's location."),
            "lat": _("WGS 84, e.g. 31.28"),
        }
        widgets = {
            "lon": forms.NumberInput(attrs=LON_ATTRS),
            "lat": forms.NumberInput(attrs=LAT_ATTRS),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        domain = cast(forms.ModelChoiceField, self.fields["domain"])
        domain.queryset = Domain.objects.filter(is_active=True)
        domain.empty_label = None
        self.fields["organization"] = organization_choice_field(
            user, _("Organisation"), required=False, help_text=_("The unit that owns the risk.")
        )
        places = Place.objects.visible_to(user).order_by("name", "id")
        place = forms.ModelChoiceField(
            queryset=places,
            label=_("Place"),
            required=False,
            help_text=_("Optional: a building or space of the organisation."),
        )
        if places.count() > MAX_SELECT_CHOICES:
            place.widget = forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})
            place.help_text = _("The place's ID, shown on its page.")
        self.fields["place"] = place
        self.fields["jurisdiction"] = _jurisdiction_field(user)
        if not self.instance.pk:
            del self.fields["is_active"]
        _derive_jurisdiction_by_default(self)
        _name_the_chosen_organization(self, "organization")


class ControlMeasureForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Measure"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tier = forms.ChoiceField(label=_("Control tier"), choices=ControlTier.choices)
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=100
    )
    responsible_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("description")
            and not data.get("id")
            and (data.get("responsible_person") or data.get("responsible_phone"))
        ):
            self.add_error("description", _("Describe the measure."))
        return data


ControlMeasureFormSet = forms.formset_factory(
    ControlMeasureForm, extra=2, can_delete=True, max_num=50, absolute_max=60
)


def _choices(scale: dict[float, Any]) -> list[tuple[str, str]]:
    return [
        (scoring.format_allowed((v,)), f"{scoring.format_allowed((v,))} — {label}")
        for v, label in scale.items()
    ]


class AssessmentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (scoring.LEC, _("LEC (D = L × E × C)")),
            (scoring.MATRIX, _("Risk matrix (R = L × S)")),
        ],
        widget=forms.RadioSelect,
        initial=scoring.LEC,
    )
    l = forms.ChoiceField(label=_("L — likelihood"), required=False)  # noqa: E741
    e = forms.ChoiceField(label=_("E — exposure"), required=False)
    c = forms.ChoiceField(label=_("C — consequence"), required=False)
    likelihood = forms.ChoiceField(label=_("Likelihood (1–5)"), required=False)
    severity = forms.ChoiceField(label=_("Severity (1–5)"), required=False)
    assessed_at = forms.DateTimeField(
        label=_("Assessed at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    assessor = forms.CharField(
        label=_("Assessor"),
        required=False,
        max_length=100,
        help_text=_("Who assessed: a person, a team or an evaluation agency."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    FIELDS = {scoring.LEC: ("l", "e", "c"), scoring.MATRIX: ("likelihood", "severity")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank: list[tuple[str, Any]] = [("", _("Choose…"))]
        _choice_field(self, "l").choices = blank + _choices(LEC_L_LABELS)
        _choice_field(self, "e").choices = blank + _choices(LEC_E_LABELS)
        _choice_field(self, "c").choices = blank + _choices(LEC_C_LABELS)
        _choice_field(self, "likelihood").choices = blank + _choices(MATRIX_LIKELIHOOD_LABELS)
        _choice_field(self, "severity").choices = blank + _choices(MATRIX_SEVERITY_LABELS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        for name in self.FIELDS.get(method or "", ()):
            if not data.get(name):
                self.add_error(name, _("This field is required."))
        when = data.get("assessed_at")
        if when is not None and timezone.is_naive(when):
            data["assessed_at"] = timezone.make_aware(when)
        return data

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name) for name in self.FIELDS[self.cleaned_data["method"]]
        }

    def save(self, actor: Any, point: RiskPoint) -> Any:
        """Record the assessment; on a service ValidationError return None with errors set."""
        try:
            return services.add_assessment(
                actor,
                point,
                method=self.cleaned_data["method"],
                values=self.values(),
                assessed_at=self.cleaned_data.get("assessed_at"),
                assessor=self.cleaned_data.get("assessor") or "",
                notes=self.cleaned_data.get("notes") or "",
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, msgs)
            return None


def default_assessed_at() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)
