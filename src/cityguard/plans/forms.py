"""Forms of the plan pages. Saving goes through `plans.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityguard.core.access import reach
from cityguard.core.models import Jurisdiction, Organization
from cityguard.incidents.choices import IncidentType, Level, ResponseLevel, Subtype

from .choices import DrillKind, PlanKind
from .models import EmergencyPlan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or number")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PlanKind.choices]
    )
    incident_type = forms.ChoiceField(
        label=_("Incident type"),
        required=False,
        choices=[("", _("All types")), *IncidentType.choices],
    )

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def active(self) -> bool:
        return any(self.value(n) for n in self.fields)

    @property
    def narrowed(self) -> bool:
        return any(self.value(n) for n in list(self.fields)[1:])


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    code = forms.CharField(label=_("Document number"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), required=False
    )
    organization = forms.IntegerField(label=_("Owner organisation ID"), min_value=1, required=False)
    department = forms.CharField(label=_("Owner department"), max_length=120, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    incident_types = forms.MultipleChoiceField(
        label=_("Incident types covered"),
        choices=IncidentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type."),
    )
    subtypes = forms.MultipleChoiceField(
        label=_("Subtypes covered"),
        choices=Subtype.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None chosen: every subtype of the types covered."),
    )
    min_level = forms.TypedChoiceField(
        label=_("Most severe level covered"), coerce=int, choices=Level.choices, initial=1
    )
    max_level = forms.TypedChoiceField(
        label=_("Least severe level covered"), coerce=int, choices=Level.choices, initial=4
    )
    revision_months = forms.IntegerField(
        label=_("Revision cycle (months)"), min_value=1, max_value=120, initial=36
    )
    last_revised = forms.DateField(label=_("Last revised"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("In force"), required=False, initial=True)
    attachment = forms.FileField(label=_("Add an attachment"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        r = reach(user)
        nodes = Jurisdiction.objects.order_by("path")
        if r.path:
            nodes = nodes.filter(path__startswith=r.path)
        self.fields["jurisdiction"].queryset = nodes  # type: ignore[attr-defined]
        self.user = user

    def clean_organization(self) -> Organization | None:
        pk = self.cleaned_data.get("organization")
        if not pk:
            return None
        org = Organization.objects.visible_to(self.user).filter(pk=pk).first()
        if org is None:
            raise forms.ValidationError(_("No such organisation."))
        return org  # type: ignore[no-any-return]


class ResponseLevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Response level"), coerce=int, choices=ResponseLevel.choices
    )
    trigger = forms.CharField(
        label=_("Trigger"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionItemForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Response level"), coerce=int, choices=ResponseLevel.choices
    )
    text = forms.CharField(label=_("Action"), required=False, max_length=5000)
    responsible_role = forms.CharField(label=_("Responsible role"), max_length=120, required=False)
    responsible_unit = forms.IntegerField(
        label=_("Responsible unit ID"), min_value=1, max_value=2**63 - 1, required=False
    )


ResponseLevelFormSet = forms.formset_factory(ResponseLevelForm, extra=1, max_num=4, can_delete=True)
ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=3, max_num=200, can_delete=True)


class DrillForm(forms.Form):
    plan: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Plan"), queryset=EmergencyPlan.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Type"), choices=DrillKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    participants = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    participant_count = forms.IntegerField(
        label=_("Number of participants"), min_value=0, initial=0
    )
    evaluation = forms.CharField(
        label=_("Evaluation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label=_("Problems found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line; each can then become a hazard."),
    )

    def __init__(self, *args: Any, plans: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
