"""Forms of the duties pages; every write goes through `duties.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cityguard.core.forms import FilterForm

from .choices import ListKind, TaskStatus


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), max_length=200, required=False, help_text=_("Law or regulation.")
    )
    legal_article = forms.CharField(label=_("Article"), max_length=100, required=False)
    responsible_post = forms.CharField(label=_("Responsible post"), max_length=100, required=False)
    responsible_person = forms.CharField(
        label=_("Responsible person"), max_length=100, required=False
    )
    owner_user = forms.ModelChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (TaskStatus.OPEN, TaskStatus.OPEN.label),
            (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label),
        ],
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == ListKind.TASK:
            owner: Any = self.fields["owner_user"]
            owner.queryset = get_user_model().objects.filter(is_active=True).order_by("username")
            self.fields["owner_user"].required = True
            self.fields["due_date"].required = True
        else:
            for name in ("owner_user", "due_date", "status"):
                del self.fields[name]
            self.fields["legal_basis"].required = True

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.kind == ListKind.TASK and not data.get("status"):
            data.pop("status", None)
        return data


class CompleteForm(forms.Form):
    evidence_text = forms.CharField(
        label=_("Evidence of completion"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RatesForm(FilterForm):
    period = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or .xlsx)"))
    partial = forms.BooleanField(
        label=_("Write the valid rows even if others are bad"), required=False
    )
    dry_run = forms.BooleanField(label=_("Check only"), required=False)
