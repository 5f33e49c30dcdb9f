"""Forms of the core registry pages.

Filter forms validate the list pages' GET parameters and turn them into the same
filter objects the API uses, so a list, its export and the API answer the same
question the same way. Edit forms are ModelForms for their fields and widgets only:
building, validating and saving the record is the service's job (`save` calls it with
the acting user), and the service's field errors come back onto the form's fields.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .access import reach
from .api import OrganizationFilter, PlaceFilter
from .choices import DayKind, Level, OrganizationKind, PlaceKind
from .models import Jurisdiction, Organization, Place

# Above this many choices a <select> is unusable (and slow to render): ask for an ID.
MAX_SELECT_CHOICES = 300

ORGANIZATION_SORTS = {
    "name": ("name", "id"),
    "-updated": ("-updated_at", "-id"),
    "-employees": (models.F("employees").desc(nulls_last=True), "name", "id"),
}
PLACE_SORTS = {
    "name": ("name", "id"),
    "-updated": ("-updated_at", "-id"),
    "-capacity": (models.F("capacity").desc(nulls_last=True), "name", "id"),
}
JURISDICTION_SORTS = {"path": ("path",), "name": ("name", "code"), "code": ("code",)}


def _indented(node: Jurisdiction) -> str:
    depth = max(node.path.count("/") - 2, 0)
    return "\u3000" * depth + node.name


def jurisdiction_choices(user: Any) -> list[tuple[str, str]]:
    """Codes of the nodes a user can usefully filter by: their part of the tree, grid
    cells left out (there may be thousands; their codes still work in the API)."""
    r = reach(user)
    nodes = Jurisdiction.objects.exclude(level=Level.GRID).only("code", "name", "path")
    if r.path:
        nodes = nodes.filter(path__startswith=r.path)
    return [(n.code, _indented(n)) for n in nodes.order_by("path")]


def area_select(form: forms.Form, user: Any) -> None:
    """A select of the user's part of the tree for the `jurisdiction` code; a code not
    offered (a grid cell, from a link) still filters and shows as chosen."""
    choices: list[tuple[str, str]] = [("", str(_("All areas"))), *jurisdiction_choices(user)]
    code = form.data.get("jurisdiction") if form.is_bound else None
    if code and code not in {c for c, _label in choices}:
        node = Jurisdiction.objects.filter(code=code).first()
        if node is not None:
            choices.append((node.code, node.name))
    form.fields["jurisdiction"].widget = forms.Select(choices=choices)


def known_code(code: str) -> str:
    if code and not Jurisdiction.objects.filter(code=code).exists():
        raise ValidationError(_("No area has this code."))
    return code


class FilterForm(forms.Form):
    """A list page's GET parameters; invalid ones are reported and left out."""

    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {}

    def value(self, name: str) -> Any:
        """The cleaned value of a field, or None when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def ordering(self) -> tuple[Any, ...]:
        key = self.value("sort")
        return self.sorts[key] if key in self.sorts else next(iter(self.sorts.values()))

    @property
    def active(self) -> bool:
        """Does any filter narrow the list (sorting aside)?"""
        return any(self.value(name) for name in self.fields if name != "sort")

    @property
    def narrowed(self) -> bool:
        """Is anything beyond the search box set (so the phone layout shows it)?"""
        if self.is_bound and self.errors:
            return True
        return any(self.value(name) for name in list(self.fields)[1:])


class OrganizationFilterForm(FilterForm):
    sorts = ORGANIZATION_SORTS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, address or credit code"), "type": "search"}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganizationKind.choices]
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    is_active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("true", _("Active")), ("false", _("Inactive"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-updated", _("Recently updated")),
            ("-employees", _("Most employees")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")

    def filters(self) -> OrganizationFilter:
        active = self.value("is_active")
        return OrganizationFilter(
            q=self.value("q"),
            kind=self.value("kind"),
            jurisdiction=self.value("jurisdiction"),
            is_active=None if active is None else active == "true",
        )


class PlaceFilterForm(FilterForm):
    sorts = PLACE_SORTS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or address"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PlaceKind.choices]
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    organization = forms.IntegerField(
        label=_("Organisation"), required=False, min_value=1, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-updated", _("Recently updated")),
            ("-capacity", _("Largest capacity")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")

    def filters(self) -> PlaceFilter:
        return PlaceFilter(
            q=self.value("q"),
            kind=self.value("kind"),
            jurisdiction=self.value("jurisdiction"),
            organization=self.value("organization"),
        )


class JurisdictionFilterForm(FilterForm):
    sorts = JURISDICTION_SORTS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or code"), "type": "search"}),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("path", _("Tree order")), ("name", _("Name")), ("code", _("Code"))],
    )

    def apply(self, qs: models.QuerySet) -> models.QuerySet:
        q = self.value("q")
        if q:
            qs = qs.filter(
                models.Q(name__icontains=q)
                | models.Q(code__icontains=q)
                | models.Q(name_en__icontains=q)
            )
        level = self.value("level")
        if level:
            qs = qs.filter(level=level)
        return qs.order_by(*self.ordering())


# --- edit forms -------------------------------------------------------------------------


class JurisdictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _indented(obj)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose `save(actor)` goes through a service function.

    Django's own model construction and validation are skipped: the service applies
    the values, derives what it derives (the jurisdiction from the location …),
    validates the whole record and keeps its history. A service ValidationError is
    put back on the form, field by field; PermissionDenied propagates.
    """

    service: ClassVar[Callable[..., Any]]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                continue
            if isinstance(field, forms.FloatField):
                field.widget.attrs.setdefault("step", "any")
                field.widget.attrs.setdefault("inputmode", "decimal")

    def _post_clean(self) -> None:
        """Leave the instance untouched; the service builds and validates it."""

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}
        for name, value in data.items():
            if value is None and isinstance(self.fields[name], forms.CharField):
                data[name] = ""
        return data

    def save(self, actor: Any = None, commit: bool = True) -> Any:  # type: ignore[override]
        """Save through the service; on its ValidationError return None with errors set."""
        if actor is None:
            actor = self.user
        # The service applies values to the instance before it validates: give it a
        # copy so a refused edit leaves the record shown on the page as it is stored.
        instance = copy.copy(self.instance) if self.instance.pk else None
        try:
            saved = type(self).service(actor, self.service_data(), instance)
        except ValidationError as exc:
            self.add_service_errors(exc)
            return None
        self.instance = saved
        return saved

    def add_service_errors(self, exc: ValidationError) -> None:
        errors: dict[str, list[str]] = (
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        )
        for field, messages in errors.items():
            name = field.removesuffix("_id")
            if name in self.fields:
                self.add_error(name, messages)
                continue
            if name != "__all__":
                label = _label_of(self._meta.model, name)
                messages = [f"{label}: {m}" for m in messages]
            self.add_error(None, messages)


def _label_of(model: type[models.Model], name: str) -> str:
    try:
        field: Any = model._meta.get_field(name)
    except Exception:
        return name
    return str(getattr(field, "verbose_name", name))


def organization_choice_field(
    user: Any, label: Any, required: bool, help_text: Any = ""
) -> forms.ModelChoiceField:
    """Organisations the user can reach: a select while few, an ID box when many."""
    qs = Organization.objects.visible_to(user).order_by("name", "id")
    field = forms.ModelChoiceField(queryset=qs, label=label, required=required, help_text=help_text)
    if qs.count() > MAX_SELECT_CHOICES:
        field.widget = forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})
        field.help_text = _("The organisation's ID, shown on its page.")
    return field


def _jurisdiction_field(user: Any) -> JurisdictionChoiceField:
    r = reach(user)
    nodes = Jurisdiction.objects.order_by("path")
    if r.path:
        nodes = nodes.filter(path__startswith=r.path)
    return JurisdictionChoiceField(
        queryset=nodes,
        label=_("Jurisdiction"),
        required=False,
        empty_label=_("Derived from the location"),
        help_text=_("Leave empty to derive it from the longitude and latitude."),
    )


def _name_the_chosen_organization(form: forms.BaseForm, name: str) -> None:
    """An ID box says whose ID it holds, so a typo is caught before saving."""
    field = form.fields[name]
    if not isinstance(field.widget, forms.NumberInput):
        return
    value = form[name].value()
    if value in (None, "") or not str(value).isdigit():
        return
    chosen = Organization.objects.visible_to(form.user).filter(pk=int(value)).first()  # type: ignore[attr-defined]
    if chosen is not None:
        field.help_text = format_lazy("{} — {}", chosen.name, field.help_text)


def _derive_jurisdiction_by_default(form: forms.ModelForm) -> None:
    # A located record's jurisdiction follows its point: preselecting the stored node
    # would make moving the point contradict it.
    if form.instance.pk and form.instance.lon is not None:
        form.initial["jurisdiction"] = None


LON_ATTRS = {"min": -180, "max": 180, "placeholder": "121.5"}
LAT_ATTRS = {"min": -90, "max": 90, "placeholder": "31.3"}
BOUNDARY_ATTRS = {"rows": 5, "spellcheck": "false", "class": "mono"}


class OrganizationForm(ServiceModelForm):
    service = staticmethod(services.save_organization)

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "credit_code",
            "industry",
            "employees",
            "address",
            "phone",
            "parent",
            "is_active",
            "lon",
            "lat",
            "jurisdiction",
            "boundary",
        ]
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "credit_code": _("Unified social credit code"),
            "industry": _("Industry"),
            "employees": _("Employees"),
            "address": _("Address"),
            "phone": _("Phone"),
            "parent": _("Parent organisation"),
            "is_active": _("Active"),
            "lon": _("Longitude"),
            "lat": _("Latitude"),
            "boundary": _("Boundary (GeoJSON)"),
        }
        help_texts = {
            "credit_code": _("18 characters; the check character is verified."),
            "boundary": _(
                "Optional, for parks: a GeoJSON Polygon or MultiPolygon in WGS 84 longitude/latitude."
            ),
            "lon": _("WGS 84, e.g. 121.52"),
            "lat": _("WGS 84, e.g. 31.28"),
        }
        widgets = {
            "lon": forms.NumberInput(attrs=LON_ATTRS),
            "lat": forms.NumberInput(attrs=LAT_ATTRS),
            "boundary": forms.Textarea(attrs=BOUNDARY_ATTRS),
            "credit_code": forms.TextInput(
                attrs={"autocapitalize": "characters", "spellcheck": "false", "class": "mono"}
            ),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        parent = organization_choice_field(
            user,
            _("Parent organisation"),
            required=False,
            help_text=_("For example the park an enterprise sits in."),
        )
        if self.instance.pk:
            parent.queryset = (
                Organization.objects.visible_to(user)
                .exclude(pk=self.instance.pk)
                .order_by("name", "id")
            )
        self.fields["parent"] = parent
        self.fields["jurisdiction"] = _jurisdiction_field(user)
        _derive_jurisdiction_by_default(self)
        _name_the_chosen_organization(self, "parent")


class PlaceForm(ServiceModelForm):
    service = staticmethod(services.save_place)

    class Meta:
        model = Place
        fields = [
            "name",
            "kind",
            "organization",
            "address",
            "floors",
            "height_m",
            "floor_area_m2",
            "capacity",
            "lon",
            "lat",
            "jurisdiction",
            "notes",
        ]
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "organization": _("Organisation"),
            "address": _("Address"),
            "floors": _("Floors"),
            "height_m": _("Height (m)"),
            "floor_area_m2": _("Floor area (m²)"),
            "capacity": _("Capacity (people)"),
            "lon": _("Longitude"),
            "lat": _("Latitude"),
            "notes": _("Notes"),
        }
        help_texts = {
            "lon": _("WGS 84; leave both empty to use the organisation's location."),
            "lat": _("WGS 84, e.g. 31.28"),
        }
        widgets = {
            "lon": forms.NumberInput(attrs=LON_ATTRS),
            "lat": forms.NumberInput(attrs=LAT_ATTRS),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"] = organization_choice_field(
            user, _("Organisation"), required=True
        )
        self.fields["jurisdiction"] = _jurisdiction_field(user)
        _derive_jurisdiction_by_default(self)
        _name_the_chosen_organization(self, "organization")


class JurisdictionForm(ServiceModelForm):
    """What the pages let district staff change on a node; its code, level and place in
    the tree are set up by the tree's import, not edited here."""

    service = staticmethod(services.save_jurisdiction)

    class Meta:
        model = Jurisdiction
        fields = ["name", "name_en", "population", "boundary"]
        labels = {
            "name": _("Name"),
            "name_en": _("English name"),
            "population": _("Resident population"),
            "boundary": _("Boundary (GeoJSON)"),
        }
        help_texts = {
            "boundary": _("A GeoJSON Polygon or MultiPolygon in WGS 84 longitude/latitude."),
        }
        widgets = {"boundary": forms.Textarea(attrs={**BOUNDARY_ATTRS, "rows": 8})}


class CalendarDayForm(forms.Form):
    """One day of the working-day calendar (checked by `services.save_calendar_day`)."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        required=False,
        help_text=_("The holiday it belongs to, e.g. Spring Festival."),
    )
