"""Forms of the special-equipment pages: list filter, unit edit, inspection, import."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db import models
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
from cityguard.core.models import Organization, Place

from . import parameters, services
from .api import EquipmentFilter
from .choices import EquipmentKind, EquipmentStatus, InspectionResult, InspectionState
from .models import Equipment

DATE = {"type": "date"}


class EquipmentFilterForm(FilterForm):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {
        "name": ("name", "id"),
        "due": (models.F("next_inspection_due").asc(nulls_first=True), "id"),
        "-updated": ("-updated_at", "-id"),
    }
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, registration number or code"), "type": "search"}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EquipmentKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *EquipmentStatus.choices],
    )
    state = forms.ChoiceField(
        label=_("Inspection"),
        required=False,
        choices=[("", _("Any")), *InspectionState.choices],
    )
    plan_places = forms.ChoiceField(
        label=_("Places"),
        required=False,
        choices=[("", _("All places")), ("true", _("Crowded places and high-rises"))],
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    organization = forms.IntegerField(
        label=_("User unit"), required=False, min_value=1, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("due", _("Next inspection due")),
            ("-updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")

    def filters(self) -> EquipmentFilter:
        return EquipmentFilter(
            q=self.value("q"),
            kind=self.value("kind"),
            status=self.value("status"),
            state=self.value("state"),
            street=self.value("jurisdiction"),
            organization=self.value("organization"),
            plan_places=True if self.value("plan_places") == "true" else None,
            place=None,
            due=None,
            overdue=None,
        )


def _place_field(user: Any, organization: Organization | None = None) -> forms.ModelChoiceField:
    qs = Place.objects.visible_to(user).order_by("name", "id")
    field = forms.ModelChoiceField(
        queryset=qs,
        label=_("Place"),
        required=False,
        help_text=_("The building or site; crowded places and high-rises count for indicator 5."),
    )
    if qs.count() > MAX_SELECT_CHOICES:
        field.widget = forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})
        field.help_text = _("The place's ID, shown on its page.")
    return field


def _maintenance_field() -> forms.ModelChoiceField:
    qs = Organization.objects.filter(is_active=True).order_by("name", "id")
    field = forms.ModelChoiceField(
        queryset=qs,
        label=_("Maintenance unit"),
        required=False,
        help_text=_("A recorded organisation; or write its name below."),
    )
    if qs.count() > MAX_SELECT_CHOICES:
        field.widget = forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})
        field.help_text = _("The organisation's ID, shown on its page; or write its name below.")
    return field


class EquipmentForm(ServiceModelForm):
    service = staticmethod(services.save_equipment)

    parameters_text = forms.CharField(
        label=_("Parameters"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "mono"}),
    )

    class Meta:
        model = Equipment
        fields = [
            "name",
            "kind",
            "registration_no",
            "code",
            "status",
            "organization",
            "place",
            "maintenance_org",
            "maintenance_unit",
            "model_name",
            "manufacturer",
            "address",
            "interval_months",
            "installed_on",
            "registered_on",
            "notes",
            "lon",
            "lat",
            "jurisdiction",
        ]
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "registration_no": _("Registration number"),
            "code": _("Equipment code"),
            "status": _("Status"),
            "maintenance_unit": _("Maintenance unit (name)"),
            "model_name": _("Model"),
            "manufacturer": _("Manufacturer"),
            "address": _("Address"),
            "interval_months": _("Inspection interval (months)"),
            "installed_on": _("Installed"),
            "registered_on": _("Registered"),
            "notes": _("Notes"),
            "lon": _("Longitude"),
            "lat": _("Latitude"),
        }
        widgets = {
            "lon": forms.NumberInput(attrs=LON_ATTRS),
            "lat": forms.NumberInput(attrs=LAT_ATTRS),
            "installed_on": forms.DateInput(attrs=DATE),
            "registered_on": forms.DateInput(attrs=DATE),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "registration_no": forms.TextInput(attrs={"spellcheck": "false", "class": "mono"}),
            "code": forms.TextInput(attrs={"spellcheck": "false", "class": "mono"}),
        }
        help_texts = {
            "lon": _("WGS 84; leave both empty to use the place's (or the user unit's) location."),
            "lat": _("WGS 84, e.g. 31.28"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"] = organization_choice_field(
            user, _("User unit"), required=True, help_text=_("The unit that uses the equipment.")
        )
        self.fields["place"] = _place_field(user)
        self.fields["maintenance_org"] = _maintenance_field()
        self.fields["jurisdiction"] = _jurisdiction_field(user)
        kinds = "; ".join(
            f"{EquipmentKind(k).label}: {', '.join(p.key for p in ps)}"
            for k, ps in parameters.PARAMETERS.items()
            if ps
        )
        self.fields["parameters_text"].help_text = _(
            "One per line: name = value. Known names — %(kinds)s."
        ) % {"kinds": kinds}
        if self.instance.pk and not self.is_bound:
            self.initial["parameters_text"] = parameters.to_text(self.instance.parameters)
        self.order_fields([*self.Meta.fields[:13], "parameters_text", *self.Meta.fields[13:]])
        _derive_jurisdiction_by_default(self)
        _name_the_chosen_organization(self, "organization")

    def clean_parameters_text(self) -> dict[str, Any]:
        try:
            return parameters.from_text(self.cleaned_data.get("parameters_text") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["parameters"] = data.pop("parameters_text", {}) or {}
        if not data.get("registration_no"):
            data["registration_no"] = None
        return data

    def add_service_errors(self, exc: Any) -> None:
        if hasattr(exc, "error_dict") and "parameters" in exc.error_dict:
            exc.error_dict["parameters_text"] = exc.error_dict.pop("parameters")
        super().add_service_errors(exc)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspection date"), widget=forms.DateInput(attrs=DATE))
    result = forms.ChoiceField(label=_("Result"), choices=InspectionResult.choices)
    body = forms.CharField(label=_("Inspecting body"), required=False, max_length=200)
    report_no = forms.CharField(label=_("Report number"), required=False, max_length=60)
    next_due = forms.DateField(
        label=_("Next due"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Empty: the unit's interval after the inspection (a failed one: at once)."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DueForm(forms.Form):
    days = forms.IntegerField(label=_("Due within (days)"), min_value=0, max_value=3650)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    partial = forms.BooleanField(required=False, label=_("Write the valid rows only"))
    dry_run = forms.BooleanField(required=False, label=_("Check only, write nothing"))
