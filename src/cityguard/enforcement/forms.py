"""Forms of the enforcement pages. They only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.models import Jurisdiction, Organization
from cityguard.risk.choices import RiskLevel

from .choices import (
    Channel,
    Circumstance,
    FindingSeverity,
    InspectionType,
    ItemResult,
    OrderKind,
    PenaltyKind,
    ReviewOutcome,
)
from .models import DiscretionRule, Officer

ITEM_ROWS = 6
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def _areas(user: Any) -> Any:
    from cityguard.core.access import reach

    r = reach(user)
    qs = Jurisdiction.objects.filter(level__in=[Level.DISTRICT, Level.STREET]).order_by("path")
    if r.path and not r.whole_district:
        qs = qs.filter(path__startswith=r.path)
    return qs


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PeriodForm(forms.Form):
    street = forms.ChoiceField(label=_("Street"), required=False)
    period = forms.CharField(
        label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        streets = _areas(user).filter(level=Level.STREET)
        choices = [("", _("Whole district"))] + [(s.code, s.name) for s in streets]
        self.fields["street"].choices = choices  # type: ignore[attr-defined]


class OfficerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    jurisdiction = AreaField(label=_("district or street"), queryset=Jurisdiction.objects.none())
    department = forms.CharField(label=_("department"), max_length=100, required=False)
    certificate_no = forms.CharField(
        label=_("enforcement certificate number"), max_length=40, required=False
    )
    issuing_body = forms.CharField(label=_("issuing body"), max_length=100, required=False)
    valid_until = forms.DateField(label=_("certificate valid until"), required=False, widget=DATE)
    training_hours = forms.DecimalField(
        label=_("training hours"), min_value=0, max_value=99999, decimal_places=1, initial=0
    )
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    is_active = forms.BooleanField(label=_("in service"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _areas(user)  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    jurisdiction = AreaField(label=_("area"), queryset=Jurisdiction.objects.none())
    inspection_type = forms.ChoiceField(label=_("inspection type"), choices=InspectionType.choices)
    period_start = forms.DateField(label=_("period start"), widget=DATE)
    period_end = forms.DateField(label=_("period end"), widget=DATE)
    kinds = forms.MultipleChoiceField(
        label=_("organisation kinds"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_levels = forms.MultipleChoiceField(
        label=_("risk levels"),
        choices=RiskLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_count = forms.IntegerField(label=_("targets to draw"), min_value=1, max_value=10000)
    officers_per_target = forms.IntegerField(
        label=_("officers per target"), min_value=2, max_value=10, initial=2
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _areas(user)  # type: ignore[attr-defined]


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("random seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Leave empty for a fresh random seed; give one to repeat a draw."),
    )


class InspectionForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organization.objects.none()
    )
    inspection_type = forms.ChoiceField(label=_("inspection type"), choices=InspectionType.choices)
    date = forms.DateField(label=_("date"), widget=DATE)
    unannounced = forms.BooleanField(label=_("unannounced (four-no-two-straight)"), required=False)
    officers = forms.ModelMultipleChoiceField(
        label=_("officers present"),
        queryset=Officer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    findings = forms.CharField(
        label=_("findings (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )
    major_findings = forms.BooleanField(label=_("the findings are major"), required=False)
    photos = MultipleFileField(
        label=_("evidence photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        officers: Any = None,
        organizations: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["officers"].queryset = officers  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()
        for i in range(ITEM_ROWS):
            self.fields[f"item_{i}_text"] = forms.CharField(
                label=_("item checked"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("item checked")}),
            )
            self.fields[f"item_{i}_result"] = forms.ChoiceField(
                label=_("result"), choices=[("", "—"), *ItemResult.choices], required=False
            )
            self.fields[f"item_{i}_note"] = forms.CharField(
                label=_("note"),
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("note")}),
            )

    def item_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"item_{i}_text"], self[f"item_{i}_result"], self[f"item_{i}_note"])
            for i in range(ITEM_ROWS)
        ]

    def items(self) -> list[dict[str, Any]]:
        out = []
        for i in range(ITEM_ROWS):
            text = self.cleaned_data.get(f"item_{i}_text", "")
            result = self.cleaned_data.get(f"item_{i}_result", "")
            if text or result:
                out.append(
                    {
                        "text": text,
                        "result": result,
                        "note": self.cleaned_data.get(f"item_{i}_note", ""),
                    }
                )
        return out

    def findings_list(self) -> list[dict[str, Any]]:
        severity = (
            FindingSeverity.MAJOR
            if self.cleaned_data.get("major_findings")
            else FindingSeverity.GENERAL
        )
        return [
            {"description": line.strip(), "severity": severity}
            for line in (self.cleaned_data.get("findings") or "").splitlines()
            if line.strip()
        ]


class CaseForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("party"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("title"), max_length=200)
    facts = forms.CharField(
        label=_("facts"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    evidence = MultipleFileField(label=_("evidence"), required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class StepForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("step"),
        choices=[("investigation", _("Investigation and evidence")), ("note", _("Note"))],
    )
    summary = forms.CharField(
        label=_("what"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    evidence = MultipleFileField(label=_("evidence"), required=False)


class OrderForm(forms.Form):
    kind = forms.ChoiceField(label=_("order"), choices=OrderKind.choices)
    content = forms.CharField(
        label=_("content"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DATE)
    evidence = MultipleFileField(label=_("evidence"), required=False)


class RecheckForm(forms.Form):
    order = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("re-check"), choices=[("passed", _("Rectified")), ("failed", _("Not rectified"))]
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class PenaltyForm(forms.Form):
    kind = forms.ChoiceField(label=_("penalty"), choices=PenaltyKind.choices)
    rule = forms.ModelChoiceField(
        label=_("violation"),
        queryset=DiscretionRule.objects.none(),
        required=False,
        to_field_name="code",
    )
    circumstance = forms.ChoiceField(
        label=_("circumstance"), choices=[("", "—"), *Circumstance.choices], required=False
    )
    amount = forms.DecimalField(
        label=_("amount (yuan)"),
        min_value=0,
        max_value=999999999999,
        decimal_places=2,
        required=False,
    )
    mitigation_reason = forms.CharField(
        label=_("reason for mitigation"), max_length=500, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = DiscretionRule.objects.filter(is_active=True)  # type: ignore[attr-defined]


class DraftForm(forms.Form):
    content = forms.CharField(
        label=_("decision"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=ReviewOutcome.choices)
    opinion = forms.CharField(
        label=_("opinion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class IssueForm(forms.Form):
    evidence = MultipleFileField(label=_("signed decision (scan)"), required=False)


class PublishForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    published_on = forms.DateField(label=_("published on"), required=False, widget=DATE)
    reference = forms.CharField(label=_("link or reference"), max_length=300, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("reason for closing"), max_length=300, required=False)
