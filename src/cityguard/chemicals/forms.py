"""Forms of the chemicals pages. They read and type the input only; the services check
and write it, and their field errors come back onto the form (`add_service_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.core.forms import MAX_SELECT_CHOICES
from cityguard.core.models import Organization

from . import services
from .choices import (
    BlacklistKind,
    Direction,
    FlowKind,
    LicenceKind,
    LicenceStatus,
    QuantityUnit,
    UnitKind,
)
from .models import Chemical

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"step": "any", "inputmode": "decimal"}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages in errors.items():
        name = field.removesuffix("_id")
        if name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


def organization_field(user: Any, label: Any = None, required: bool = True) -> forms.Field:
    """A select of the organisations the user may reach, or a number box when they are
    too many for a select."""
    qs = Organization.objects.visible_to(user).filter(is_active=True).order_by("name")
    label = label or _("Organisation")
    if qs.count() <= MAX_SELECT_CHOICES:
        return forms.ModelChoiceField(queryset=qs, label=label, required=required)
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        help_text=_("The organisation's number (shown on its page)."),
    )


def clean_organization(user: Any, value: Any) -> Organization | None:
    if value is None or isinstance(value, Organization):
        return value
    org = Organization.objects.visible_to(user).filter(pk=value).first()
    if org is None:
        raise ValidationError(_("No such organisation."))
    return org  # type: ignore[no-any-return]


class ChemicalField(forms.CharField):
    """A chemical typed by CAS number, name, alias or English name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Chemical"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("CAS number, Chinese name, alias or English name."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("list", "chemical-names")
        self.widget.attrs.setdefault("autocomplete", "off")


def resolve_chemical(form: forms.Form, text: str, grade: str = "") -> Chemical | None:
    try:
        return services.resolve(text, grade or None)
    except services.Ambiguous as exc:
        form.add_error("chemical", services.ambiguous_message(text, exc.candidates))
    except services.NotFound:
        form.add_error(
            "chemical", _("“%(value)s” is not in the chemical catalogue.") % {"value": text}
        )
    return None


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("CAS number, name, alias or English name")}
        ),
    )


class UnitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=64, required=False)
    boundary_note = forms.CharField(
        label=_("Boundary"),
        max_length=500,
        required=False,
        help_text=_("The shut-off valves, the dike or the building that bound the unit."),
    )
    exposed_population = forms.IntegerField(
        label=_("Population within 500 m"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        help_text=_(
            "Residents within 500 m outside the site boundary. Leave empty to estimate it "
            "from the community's population data."
        ),
    )
    lon = forms.FloatField(label=_("Longitude"), required=False, widget=forms.NumberInput(DECIMAL))
    lat = forms.FloatField(label=_("Latitude"), required=False, widget=forms.NumberInput(DECIMAL))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, with_organization: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if with_organization:
            self.fields = {"organization": organization_field(user), **self.fields}

    def clean_organization(self) -> Organization | None:
        return clean_organization(self.user, self.cleaned_data.get("organization"))


class InventoryForm(forms.Form):
    chemical = ChemicalField()
    grade = forms.CharField(label=_("Grade"), max_length=200, required=False)
    max_quantity_t = forms.FloatField(
        label=_("Design maximum quantity (t)"),
        min_value=0,
        max_value=1e7,
        widget=forms.NumberInput(DECIMAL),
    )
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("chemical"):
            data["chemical_obj"] = resolve_chemical(self, data["chemical"], data.get("grade", ""))
        return data


class SourcePeopleForm(forms.Form):
    main_name = forms.CharField(label=_("Main responsible person"), max_length=100, required=False)
    main_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    technical_name = forms.CharField(
        label=_("Technical responsible person"), max_length=100, required=False
    )
    technical_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    operational_name = forms.CharField(
        label=_("Operational responsible person"), max_length=100, required=False
    )
    operational_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class LicenceForm(forms.Form):
    number = forms.CharField(label=_("Licence number"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=LicenceKind.choices)
    scope = forms.CharField(
        label=_("Licensed scope"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    authority = forms.CharField(label=_("Issuing authority"), max_length=200, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields = {"organization": organization_field(user, _("Holder")), **self.fields}

    def clean_organization(self) -> Organization | None:
        return clean_organization(self.user, self.cleaned_data.get("organization"))


class LicenceStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=LicenceStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    date = forms.DateField(label=_("Date"), widget=DATE, required=False)


class FlowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FlowKind.choices)
    direction = forms.ChoiceField(
        label=_("Direction (transfer)"),
        choices=[("", "—"), (Direction.IN, _("In")), (Direction.OUT, _("Out"))],
        required=False,
    )
    chemical = ChemicalField()
    grade = forms.CharField(label=_("Grade"), max_length=200, required=False)
    occurred_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME, required=False)
    quantity = forms.FloatField(label=_("Quantity"), widget=forms.NumberInput(DECIMAL))
    quantity_unit = forms.ChoiceField(label=_("Unit of measure"), choices=QuantityUnit.choices)
    density_t_m3 = forms.FloatField(
        label=_("Density (t/m³)"),
        required=False,
        widget=forms.NumberInput(DECIMAL),
        help_text=_("For litres and cubic metres; the catalogue's when left empty."),
    )
    counterparty_name = forms.CharField(label=_("Counterparty"), max_length=200, required=False)
    counterparty_licence_no = forms.CharField(
        label=_("Counterparty licence number"), max_length=64, required=False
    )
    permit_no = forms.CharField(
        label=_("Permit or record number"),
        max_length=64,
        required=False,
        help_text=_("Required on a purchase of a highly toxic chemical or explosive precursor."),
    )
    lot = forms.CharField(label=_("Lot"), max_length=64, required=False)
    documents = forms.CharField(
        label=_("Documents"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields = {"organization": organization_field(user), **self.fields}
        self.fields["counterparty"] = forms.IntegerField(
            label=_("Counterparty in the platform"),
            required=False,
            min_value=1,
            help_text=_("Its organisation number, when it is registered here."),
        )

    def clean_organization(self) -> Organization | None:
        return clean_organization(self.user, self.cleaned_data.get("organization"))

    def clean_counterparty(self) -> Organization | None:
        pk = self.cleaned_data.get("counterparty")
        if pk is None:
            return None
        org = Organization.objects.filter(pk=pk).first()
        if org is None:
            raise ValidationError(_("No such organisation."))
        return org

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("chemical"):
            data["chemical_obj"] = resolve_chemical(self, data["chemical"], data.get("grade", ""))
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            k: d.get(k)
            for k in (
                "organization",
                "kind",
                "occurred_at",
                "quantity",
                "quantity_unit",
                "density_t_m3",
                "counterparty",
                "counterparty_name",
                "counterparty_licence_no",
                "permit_no",
                "lot",
                "documents",
                "notes",
            )
        }
        data["chemical"] = d.get("chemical_obj")
        if d.get("direction"):
            data["direction"] = d["direction"]
        if data["occurred_at"] is None:
            data["occurred_at"] = timezone.now()
        return data


class StockCountForm(forms.Form):
    chemical = ChemicalField()
    grade = forms.CharField(label=_("Grade"), max_length=200, required=False)
    counted_at = forms.DateTimeField(label=_("Counted at"), widget=DATETIME, required=False)
    quantity = forms.FloatField(
        label=_("Counted stock"), min_value=0, widget=forms.NumberInput(DECIMAL)
    )
    quantity_unit = forms.ChoiceField(label=_("Unit of measure"), choices=QuantityUnit.choices)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields = {"organization": organization_field(user), **self.fields}

    def clean_organization(self) -> Organization | None:
        return clean_organization(self.user, self.cleaned_data.get("organization"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("chemical"):
            data["chemical_obj"] = resolve_chemical(self, data["chemical"], data.get("grade", ""))
        return data


class FilingForm(forms.Form):
    chemical = ChemicalField()
    grade = forms.CharField(label=_("Grade"), max_length=200, required=False)
    quantity = forms.FloatField(label=_("Quantity"), widget=forms.NumberInput(DECIMAL))
    quantity_unit = forms.ChoiceField(label=_("Unit of measure"), choices=QuantityUnit.choices)
    vehicle_plate = forms.CharField(label=_("Vehicle plate"), max_length=16)
    trailer_plate = forms.CharField(label=_("Trailer plate"), max_length=16, required=False)
    driver_name = forms.CharField(label=_("Driver"), max_length=100)
    driver_id = forms.CharField(label=_("Driver's qualification number"), max_length=32)
    escort_name = forms.CharField(label=_("Escort"), max_length=100)
    escort_id = forms.CharField(
        label=_("Escort's qualification number"), max_length=32, required=False
    )
    carrier_name = forms.CharField(label=_("Carrier"), max_length=200)
    carrier_code = forms.CharField(
        label=_("Carrier's credit code or permit number"), max_length=64, required=False
    )
    origin = forms.CharField(label=_("Origin"), max_length=255)
    destination = forms.CharField(label=_("Destination"), max_length=255)
    route = forms.CharField(
        label=_("Route"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    window_start = forms.DateTimeField(label=_("From"), widget=DATETIME)
    window_end = forms.DateTimeField(label=_("Until"), widget=DATETIME)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields = {"organization": organization_field(user), **self.fields}

    def clean_organization(self) -> Organization | None:
        return clean_organization(self.user, self.cleaned_data.get("organization"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("chemical"):
            data["chemical_obj"] = resolve_chemical(self, data["chemical"], data.get("grade", ""))
        return data

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"grade", "chemical_obj"}}
        data["chemical"] = self.cleaned_data.get("chemical_obj")
        return data


class BlacklistForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BlacklistKind.choices)
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=64,
        help_text=_("Plate number, driver's qualification number or carrier's credit code."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    listed_on = forms.DateField(label=_("Listed on"), widget=DATE, required=False)


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label=_("Reason for lifting"), widget=forms.Textarea(attrs={"rows": 2})
    )
    lifted_on = forms.DateField(label=_("Lifted on"), widget=DATE, required=False)


class CalculatorForm(forms.Form):
    """Up to ten rows of chemical and quantity, and the population."""

    ROWS = 6

    exposed_population = forms.FloatField(
        label=_("Population within 500 m"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(DECIMAL),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            self.fields[f"chemical_{i}"] = ChemicalField(required=False, label=_("Chemical"))
            self.fields[f"categories_{i}"] = forms.CharField(
                label=_("Table 2 categories"),
                required=False,
                max_length=100,
                help_text=_("Only for a chemical not in the catalogue, e.g. W5.3, J3."),
            )
            self.fields[f"quantity_{i}"] = forms.FloatField(
                label=_("Quantity (t)"),
                required=False,
                min_value=0,
                widget=forms.NumberInput(DECIMAL),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "chemical": self[f"chemical_{i}"],
                "categories": self[f"categories_{i}"],
                "quantity": self[f"quantity_{i}"],
            }
            for i in range(self.ROWS)
        ]

    def items(self) -> list[dict[str, Any]]:
        out = []
        for i in range(self.ROWS):
            text = (self.cleaned_data.get(f"chemical_{i}") or "").strip()
            qty = self.cleaned_data.get(f"quantity_{i}")
            if not text and qty is None:
                continue
            cats = [
                c
                for c in (self.cleaned_data.get(f"categories_{i}") or "")
                .replace("，", ",")
                .replace("、", ",")
                .split(",")
                if c.strip()
            ]
            out.append({"chemical": text, "quantity_t": qty, "categories": cats or None, "row": i})
        return out


class InventoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    partial = forms.BooleanField(required=False, label=_("Write the valid rows only"))
    dry_run = forms.BooleanField(required=False, label=_("Check only, write nothing"))
