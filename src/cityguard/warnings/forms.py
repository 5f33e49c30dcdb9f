"""Forms of the warnings pages. Building, validating and saving a warning is the
services' job; their field errors come back onto the form's fields."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction

from . import config, services
from .choices import ALLOWED_COLOURS, WarningColour, WarningState, WarningType
from .models import Warning

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WarningForm(forms.Form):
    kind = forms.ChoiceField(label=_("Warning type"), choices=WarningType.choices)
    colour = forms.ChoiceField(label=_("Colour"), choices=WarningColour.choices)
    authority = forms.CharField(label=_("Issuing authority"), max_length=200, required=False)
    headline = forms.CharField(label=_("Headline"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    instruction = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    headline_en = forms.CharField(label=_("Headline (English)"), max_length=200, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    instruction_en = forms.CharField(
        label=_("Instructions (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    streets = forms.MultipleChoiceField(
        label=_("Streets"), required=False, widget=forms.CheckboxSelectMultiple
    )
    polygon = forms.CharField(
        label=_("Area polygon (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "Optional: a GeoJSON Polygon inside the district; the streets it overlaps are added."
        ),
    )
    effective = forms.DateTimeField(label=_("Effective"), widget=DATETIME)
    expires = forms.DateTimeField(label=_("Expires"), widget=DATETIME)
    note = forms.CharField(label=_("Note on the update"), max_length=2000, required=False)

    def __init__(self, *args: Any, instance: Warning | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(instance, name)
                    for name in services.FIELDS
                    if name not in ("streets", "polygon")
                },
                "streets": [s.code for s in instance.streets.all()],
                "polygon": instance.polygon,
            }
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["streets"]).choices = [
            (s.code, s.name)
            for s in Jurisdiction.objects.filter(level=Level.STREET).order_by("code")
        ]
        if instance is None:
            self.fields["authority"].initial = config.get("CITYGUARD_WARNING_AUTHORITY")
        if instance is None or instance.state == WarningState.DRAFT:
            del self.fields["note"]
        self.fields["colour"].widget.attrs["data-allowed"] = json.dumps(ALLOWED_COLOURS)

    def data_for_service(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in services.FIELDS}
        data["polygon"] = (data.get("polygon") or "").strip()
        return data

    def _errors_from(self, exc: ValidationError) -> None:
        for name, msgs in exc.message_dict.items():
            target = name if name in self.fields else None
            for m in msgs:
                self.add_error(target, m)

    def save(self, actor: Any) -> Warning | None:
        data = self.data_for_service()
        try:
            if self.instance is None:
                return services.save_draft(actor, data)
            if self.instance.state == WarningState.DRAFT:
                return services.save_draft(actor, data, instance=self.instance)
            return services.update(
                actor, self.instance, data, note=self.cleaned_data.get("note") or ""
            )
        except ValidationError as exc:
            self._errors_from(exc)
            return None


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CapUploadForm(forms.Form):
    file = forms.FileField(label=_("CAP file (XML)"), required=False)
    text = forms.CharField(
        label=_("…or paste the XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )

    def body(self) -> bytes:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return bytes(upload.read(2_000_000))
        return (self.cleaned_data.get("text") or "").encode()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError(_("Choose a file or paste the XML."))
        return data


class WarningFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *WarningState.choices]
    )
    kind = forms.ChoiceField(
        label=_("Warning type"),
        required=False,
        choices=[("", _("All types")), *WarningType.choices],
    )
    colour = forms.ChoiceField(
        label=_("Colour"), required=False, choices=[("", _("All colours")), *WarningColour.choices]
    )
