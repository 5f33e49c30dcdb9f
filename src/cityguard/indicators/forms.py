"""Forms of the indicators pages: the filters and the figure entered by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registry, services
from .indicators import SPECS


class FigureForm(forms.Form):
    """A figure entered by hand; `services.save_figure` checks it again and saves it."""

    code = forms.ChoiceField(label=_("Indicator"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    street = forms.ChoiceField(
        label=_("Street"),
        required=False,
        help_text=_("Empty for the whole district; only for figures kept per street."),
    )
    value = forms.FloatField(label=_("Value"), help_text=_("The count: deaths, schools covered …"))
    base = forms.FloatField(
        label=_("Base"),
        required=False,
        help_text=_("GDP in 100 million yuan (plan-01); number of schools (plan-07)."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=255,
        help_text=_("The document or department the figure comes from."),
        error_messages={
            "required": _("Name the source: the document or department the figure comes from.")
        },
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code_field: Any = self.fields["code"]
        code_field.choices = [
            (code, f"{code} · {registry.get(code).name}")
            for code in SPECS
            if services.may_enter(user, code)
        ]
        street_field: Any = self.fields["street"]
        street_field.choices = [(s.code, s.name) for s in services.streets_for(user)]
        if services.own_street(user) is None:
            street_field.choices = [("", _("Whole district")), *street_field.choices]
        self.fields["year"].initial = timezone.localdate().year
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"id_{name}")


class IndicatorFilterForm(forms.Form):
    street = forms.ChoiceField(label=_("Street"), required=False)
    period = forms.CharField(
        label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [(s.code, s.name) for s in services.streets_for(user)]
        if services.own_street(user) is None:
            choices.insert(0, ("", _("Whole district")))
        street_field: Any = self.fields["street"]
        street_field.choices = choices
