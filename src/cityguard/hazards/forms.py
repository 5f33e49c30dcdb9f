"""Forms of the hazards pages. They validate and type the input; the services decide and
write (their field errors come back onto the forms with `add_service_errors`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.core.access import reach
from cityguard.core.choices import Role
from cityguard.core.forms import FilterForm, area_select, known_code, organization_choice_field
from cityguard.core.models import Organization
from cityguard.risk.models import Domain

from . import config
from .choices import HazardState, InspectionKind, RewardStatus, Severity, Source
from .models import ChecklistTemplate
from .schemas import HazardFilter

HAZARD_SORTS: dict[str, tuple[Any, ...]] = {
    "deadline": ("deadline", "id"),
    "-reported": ("-reported_at", "-id"),
    "-updated": ("-updated_at", "-id"),
}


def _domains() -> Any:
    from cityguard.risk.models import Domain

    return Domain.objects.filter(is_active=True).order_by("order", "code")


class DomainChoiceField(forms.ModelChoiceField):
    """Domains and checklists by their name in the current language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the service checks that each really is an image."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


def photo_help() -> str:
    mb = config.photo_max_bytes() / 1024 / 1024
    return str(_("JPEG, PNG or WebP, at most %(mb)s MB each.") % {"mb": f"{mb:g}"})


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields (others on the form itself)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages in errors.items():
        name = field.removesuffix("_id")
        if name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- lists --------------------------------------------------------------------------------


class HazardFilterForm(FilterForm):
    sorts = HAZARD_SORTS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Title, description, address or YH number"), "type": "search"}
        ),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *HazardState.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All severities")), *Severity.choices]
    )
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *Source.choices]
    )
    jurisdiction = forms.CharField(label=_("Area"), required=False, max_length=32)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("deadline", _("Deadline")),
            ("-reported", _("Recently reported")),
            ("-updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["domain"]).choices = [
            ("", _("All domains")),
            *((d.code, d.name) for d in _domains()),
        ]
        area_select(self, user)

    def clean_jurisdiction(self) -> str:
        return known_code(self.cleaned_data.get("jurisdiction") or "")

    def filters(self, **extra: Any) -> HazardFilter:
        return HazardFilter(
            q=self.value("q"),
            state=self.value("state"),
            severity=self.value("severity"),
            domain=self.value("domain"),
            source=self.value("source"),
            jurisdiction=self.value("jurisdiction"),
            **extra,
        )


class BoardFilterForm(HazardFilterForm):
    """The board shows every state side by side: no state or sort to choose."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["state"]
        del self.fields["sort"]


# --- reporting and the lifecycle --------------------------------------------------------------


def _sources_for(user: Any) -> list[tuple[str, Any]]:
    role = reach(user).role
    if role == Role.ENTERPRISE_MANAGER:
        return [(Source.SELF_INSPECTION.value, Source.SELF_INSPECTION.label)]
    return [(v, label) for v, label in Source.choices if v != Source.PUBLIC_TIP]


class HazardForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source = forms.ChoiceField(label=_("Source"))
    domain = DomainChoiceField(
        label=_("Domain"), queryset=Domain.objects.none(), empty_label=_("Choose the domain")
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.GENERAL,
        help_text=_("A major hazard needs a rectification plan and is supervised by the district."),
    )
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(
            attrs={"step": "any", "inputmode": "decimal", "placeholder": "121.5"}
        ),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(
            attrs={"step": "any", "inputmode": "decimal", "placeholder": "31.3"}
        ),
    )
    deadline = forms.DateField(
        label=_("Rectification deadline"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for 30 days (general) or 90 days (major)."),
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=100
    )
    responsible_phone = forms.CharField(
        label=_("Responsible person's phone"), required=False, max_length=40
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["source"]).choices = _sources_for(user)
        cast(forms.ModelChoiceField, self.fields["domain"]).queryset = _domains()
        self.fields["organization"] = organization_choice_field(
            user,
            _("Organisation"),
            required=False,
            help_text=_("Without a location, the hazard stands where the organisation is."),
        )
        if reach(user).role == Role.ENTERPRISE_MANAGER:
            del self.fields["organization"]
        self.fields["photos"].help_text = photo_help()
        self.fields["lon"].help_text = _("WGS 84; click the map to set it.")

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "photos"}
        if data.get("deadline") is None:
            data.pop("deadline", None)
        for key in ("description", "address", "responsible_person", "responsible_phone"):
            data[key] = data.get(key) or ""
        return data


class AssignForm(forms.Form):
    deadline = forms.DateField(label=_("Rectification deadline"), widget=DATE_WIDGET)
    responsible_unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=100
    )
    responsible_phone = forms.CharField(
        label=_("Responsible person's phone"), required=False, max_length=40
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, hazard: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "deadline": hazard.deadline,
                "responsible_unit": hazard.responsible_unit_id or hazard.organization_id,
                "responsible_person": hazard.responsible_person,
                "responsible_phone": hazard.responsible_phone,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"] = organization_choice_field(
            user, _("Responsible unit"), required=False
        )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "deadline": d["deadline"],
            "responsible_unit": d.get("responsible_unit"),
            "responsible_person": d.get("responsible_person") or "",
            "responsible_phone": d.get("responsible_phone") or "",
        }


class StepForm(forms.Form):
    """Start, submit, verify or reject: a comment and photos."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = photo_help()


class NoteForm(StepForm):
    pass


class PlanForm(forms.Form):
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 4}))
    funding = forms.CharField(label=_("Funding"), required=False, max_length=200)
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100)
    target_date = forms.DateField(label=_("Target date"), widget=DATE_WIDGET)
    supervisor = UserChoiceField(
        label=_("District supervisor"),
        queryset=get_user_model().objects.none(),
        required=False,  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supervisor = cast(forms.ModelChoiceField, self.fields["supervisor"])
        supervisor.queryset = (
            get_user_model()
            .objects.filter(
                is_active=True, membership__role__in=[Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF]
            )
            .order_by("username")
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    due = forms.DateField(label=_("Due"), required=False, widget=DATE_WIDGET)
    done = forms.BooleanField(label=_("Done"), required=False)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=50, absolute_max=50)


# --- inspections ---------------------------------------------------------------------------


def _kinds_for(user: Any) -> list[tuple[str, Any]]:
    role = reach(user).role
    if role == Role.ENTERPRISE_MANAGER:
        return [(InspectionKind.SELF.value, InspectionKind.SELF.label)]
    if role == Role.STREET_OFFICER:
        return [(InspectionKind.STREET.value, InspectionKind.STREET.label)]
    return list(InspectionKind.choices)


class InspectionForm(forms.Form):
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Organization.objects.none()
    )
    template = DomainChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"))
    unannounced = forms.BooleanField(
        label=_("Unannounced (四不两直: no notice, straight to the site)"), required=False
    )
    planned_for = forms.DateField(label=_("Planned for"), required=False, widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = organization_choice_field(
            user, _("Organisation"), required=True
        )
        template = self.fields["template"]
        template.queryset = ChecklistTemplate.objects.filter(is_active=True).order_by("code")  # type: ignore[attr-defined]
        template.empty_label = _("No checklist")  # type: ignore[attr-defined]
        cast(forms.ChoiceField, self.fields["kind"]).choices = _kinds_for(user)
        if reach(user).role == Role.ENTERPRISE_MANAGER:
            del self.fields["unannounced"]


# --- tips -----------------------------------------------------------------------------------


class TipForm(forms.Form):
    """The public form. `website` is the honeypot (hidden from people); `token` carries the
    signed challenge (see `antispam`)."""

    description = forms.CharField(
        label=_("What is the hazard?"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": _("For example: the fire exit on the 2nd floor is locked."),
            }
        ),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=255,
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=100)
    contact_phone = forms.CharField(
        label=_("Your phone (optional)"),
        required=False,
        max_length=40,
        help_text=_("Only staff see it; leave it to receive a reward if the tip proves true."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = photo_help()

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "description": d.get("description") or "",
            "address": d.get("address") or "",
            "lon": d.get("lon"),
            "lat": d.get("lat"),
            "contact_name": d.get("contact_name") or "",
            "contact_phone": d.get("contact_phone") or "",
            "token": d.get("token") or "",
            "answer": d.get("answer") or "",
            "website": d.get("website") or "",
        }


class TipLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"placeholder": "ABCD-EFGH-JKMN", "autocapitalize": "characters", "class": "mono"}
        ),
    )


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept as a hazard")), ("dismiss", _("Dismiss"))],
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Hazard title"), required=False, max_length=200)
    domain = DomainChoiceField(
        label=_("Domain"),
        queryset=Domain.objects.none(),
        required=False,
        empty_label=_("Choose the domain"),  # type: ignore[arg-type]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL
    )
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("Rectification deadline"), required=False, widget=DATE_WIDGET
    )
    reason = forms.CharField(
        label=_("Reason for dismissal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["domain"]).queryset = _domains()
        self.fields["organization"] = organization_choice_field(
            user, _("Responsible organisation"), required=False
        )
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=30)


class RewardForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (s.value, s.label)
            for s in (RewardStatus.APPROVED, RewardStatus.PAID, RewardStatus.DECLINED)
        ],
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
