"""Forms of the resources pages: list filters, stock operations, stocktake, team status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from cityguard.core.forms import (
    BOUNDARY_ATTRS,
    LAT_ATTRS,
    LON_ATTRS,
    FilterForm,
    ServiceModelForm,
    _derive_jurisdiction_by_default,
    _jurisdiction_field,
    _name_the_chosen_organization,
    area_select,
    known_code,
    organization_choice_field,
)

from . import services
from .choices import (
    MaterialCategory,
    NearestKind,
    ReserveLevel,
    ReserveMode,
    ShelterStatus,
    TeamKind,
    TeamStatus,
)
from .models import Expert, FireStation, Material, Shelter, Team, Warehouse


def _material_choices() -> list[tuple[str, str]]:
    return [(m.code, f"{m.label} ({m.unit})") for m in Material.objects.filter(is_active=True)]


class _AreaFilter(FilterForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")


def _search(placeholder: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": placeholder, "type": "search"}),
    )


class WarehouseFilterForm(_AreaFilter):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {
        "name": ("name", "id"),
        "level": ("reserve_level", "name"),
    }
    q = _search(_("Name, address or code"))
    reserve_level = forms.ChoiceField(
        label=_("Reserve level"),
        required=False,
        choices=[("", _("All levels")), *ReserveLevel.choices],
    )
    mode = forms.ChoiceField(
        label=_("Reserve mode"),
        required=False,
        choices=[("", _("All modes")), *ReserveMode.choices],
    )
    material = forms.ChoiceField(label=_("Holds material"), required=False)
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["material"].choices = [("", _("Any material")), *_material_choices()]  # type: ignore[attr-defined]


class TeamFilterForm(_AreaFilter):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"name": ("name", "id")}
    q = _search(_("Name or skill"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *TeamKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TeamStatus.choices]
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)


class ShelterFilterForm(_AreaFilter):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"name": ("name", "id")}
    q = _search(_("Name or address"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ShelterStatus.choices]
    )
    free = forms.ChoiceField(
        label=_("Free capacity"),
        required=False,
        choices=[("", _("Any")), ("true", _("With free places"))],
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)


class MaterialFilterForm(FilterForm):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"category": ("category", "code")}
    q = _search(_("Name or code"))
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *MaterialCategory.choices],
    )


class ExpertFilterForm(FilterForm):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"specialty": ("specialty", "name", "id")}
    q = _search(_("Name, specialty or employer"))


QUANTITY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class _StockForm(forms.Form):
    material = forms.ChoiceField(label=_("Material"))
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = _material_choices()  # type: ignore[attr-defined]

    def clean_material(self) -> Material:
        m = Material.objects.filter(code=self.cleaned_data["material"]).first()
        if m is None:
            raise forms.ValidationError(_("No such material."))
        return m


class ReceiveForm(_StockForm):
    lot_no = forms.CharField(label=_("Lot number"), required=False, max_length=60)
    expires_on = forms.DateField(
        label=_("Expires"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    donor = forms.CharField(
        label=_("Donor"),
        required=False,
        max_length=200,
        help_text=_("Fill in for a donation received."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class IssueForm(_StockForm):
    incident_ref = forms.CharField(label=_("Incident"), required=False, max_length=60)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class TransferForm(_StockForm):
    target = forms.ModelChoiceField(label=_("To warehouse"), queryset=Warehouse.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, source: Warehouse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (  # type: ignore[attr-defined]
            Warehouse.objects.visible_to(user).filter(is_active=True).exclude(pk=source.pk)
        )


class StocktakeForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, lots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lots = lots
        for lot in lots:
            self.fields[f"lot_{lot.pk}"] = forms.DecimalField(
                label=f"{lot.material.label} {lot.lot_no}".strip(),
                max_digits=14,
                decimal_places=2,
                min_value=Decimal(0),
                initial=lot.quantity,
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(lot, self[f"lot_{lot.pk}"]) for lot in self.lots]

    def counts(self) -> dict[int, Decimal]:
        return {lot.pk: self.cleaned_data[f"lot_{lot.pk}"] for lot in self.lots}


class TeamStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TeamStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ShelterOccupancyForm(forms.Form):
    occupancy = forms.IntegerField(label=_("Occupancy (people)"), min_value=0)
    status = forms.ChoiceField(label=_("Status"), choices=ShelterStatus.choices)


class NearestForm(forms.Form):
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    kind = forms.ChoiceField(label=_("Resource"), choices=NearestKind.choices)
    material = forms.ChoiceField(label=_("Material (warehouses)"), required=False)
    k = forms.IntegerField(label=_("How many"), min_value=1, max_value=50, initial=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [("", _("Any material")), *_material_choices()]  # type: ignore[attr-defined]


# --- edit forms -------------------------------------------------------------------------
# Built on the core registry's ServiceModelForm: `save(actor)` goes through the service
# and its field errors come back onto the form.

_LOCATION_WIDGETS = {
    "lon": forms.NumberInput(attrs=LON_ATTRS),
    "lat": forms.NumberInput(attrs=LAT_ATTRS),
}
_LOCATION_LABELS = {"lon": _("Longitude"), "lat": _("Latitude")}
_LOCATION_HELP = {"lon": _("WGS 84, e.g. 121.52"), "lat": _("WGS 84, e.g. 31.28")}


class _LocatedForm(ServiceModelForm):
    """A record with an optional owning organisation and a point that sets its area."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if "organization" in self.fields:
            self.fields["organization"] = organization_choice_field(
                user, _("Organisation"), required=False
            )
            _name_the_chosen_organization(self, "organization")
        self.fields["jurisdiction"] = _jurisdiction_field(user)
        _derive_jurisdiction_by_default(self)


class WarehouseForm(_LocatedForm):
    service = staticmethod(services.save_warehouse)

    class Meta:
        model = Warehouse
        fields = [
            "name", "code", "reserve_level", "mode", "organization", "address", "manager",
            "phone", "area_m2", "is_active", "lon", "lat", "jurisdiction",
        ]  # fmt: skip
        labels = {
            "name": _("Name"),
            "code": _("Code"),
            "reserve_level": _("Reserve level"),
            "mode": _("Reserve mode"),
            "address": _("Address"),
            "manager": _("Manager"),
            "phone": _("Phone"),
            "area_m2": _("Floor area (m²)"),
            "is_active": _("Active"),
            **_LOCATION_LABELS,
        }
        help_texts = _LOCATION_HELP
        widgets = _LOCATION_WIDGETS


class TeamForm(_LocatedForm):
    """The team's details; its availability is changed on the team's page."""

    service = staticmethod(services.save_team)

    class Meta:
        model = Team
        fields = [
            "name", "kind", "organization", "headcount", "skills", "equipment", "leader",
            "phone", "is_active", "lon", "lat", "jurisdiction",
        ]  # fmt: skip
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "headcount": _("Headcount"),
            "skills": _("Skills"),
            "equipment": _("Equipment"),
            "leader": _("Leader"),
            "phone": _("Phone"),
            "is_active": _("Active"),
            **_LOCATION_LABELS,
        }
        help_texts = _LOCATION_HELP
        widgets = {**_LOCATION_WIDGETS, "equipment": forms.Textarea(attrs={"rows": 3})}


class ShelterForm(_LocatedForm):
    service = staticmethod(services.save_shelter)

    class Meta:
        model = Shelter
        fields = [
            "name", "kind", "organization", "address", "capacity", "occupancy", "area_m2",
            "facilities", "status", "manager", "phone", "lon", "lat", "jurisdiction",
        ]  # fmt: skip
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "address": _("Address"),
            "capacity": _("Capacity (people)"),
            "occupancy": _("Occupancy (people)"),
            "area_m2": _("Area (m²)"),
            "facilities": _("Facilities"),
            "status": _("Status"),
            "manager": _("Manager"),
            "phone": _("Phone"),
            **_LOCATION_LABELS,
        }
        help_texts = _LOCATION_HELP
        widgets = _LOCATION_WIDGETS


class FireStationForm(_LocatedForm):
    service = staticmethod(services.save_fire_station)

    class Meta:
        model = FireStation
        fields = [
            "name", "kind", "address", "headcount", "vehicles", "phone", "lon", "lat",
            "jurisdiction", "service_area",
        ]  # fmt: skip
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "address": _("Address"),
            "headcount": _("Headcount"),
            "vehicles": _("Fire engines"),
            "phone": _("Phone"),
            "service_area": _("Service area (GeoJSON)"),
            **_LOCATION_LABELS,
        }
        help_texts = {
            **_LOCATION_HELP,
            "service_area": _(
                "Optional: a GeoJSON Polygon or MultiPolygon in WGS 84 longitude/latitude."
            ),
        }
        widgets = {**_LOCATION_WIDGETS, "service_area": forms.Textarea(attrs=BOUNDARY_ATTRS)}


class ExpertForm(ServiceModelForm):
    service = staticmethod(services.save_expert)

    class Meta:
        model = Expert
        fields = [
            "name", "specialty", "title", "employer", "phone", "jurisdiction", "is_available",
        ]  # fmt: skip
        labels = {
            "name": _("Name"),
            "specialty": _("Specialty"),
            "title": _("Professional title"),
            "employer": _("Employer"),
            "phone": _("Phone"),
            "is_available": _("Available"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = _jurisdiction_field(user)
        field.required = True
        field.empty_label = "---------"
        field.help_text = ""
        self.fields["jurisdiction"] = field


class MaterialForm(ServiceModelForm):
    service = staticmethod(services.save_material)

    class Meta:
        model = Material
        fields = [
            "code", "name", "name_en", "category", "unit", "spec", "shelf_life_days",
            "is_active",
        ]  # fmt: skip
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "name_en": _("English name"),
            "category": _("Category"),
            "unit": _("Unit"),
            "spec": _("Specification"),
            "shelf_life_days": _("Shelf life (days)"),
            "is_active": _("Active"),
        }
        help_texts = {"code": _("Letters, digits, hyphens and underscores; unique.")}
