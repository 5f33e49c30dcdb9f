"""Forms of the monitoring pages: list filters, the sensor and rule edit forms, rule
contexts, and the comment boxes of acknowledging and clearing an alarm.

Filter forms only validate GET parameters; edit forms hand their cleaned values to
`monitoring.services`, which builds, validates and saves the record (and keeps its
history), so a page obeys exactly the rules of the API.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cityguard.core.access import reach
from cityguard.core.choices import Level
from cityguard.core.forms import (
    LAT_ATTRS,
    LON_ATTRS,
    MAX_SELECT_CHOICES,
    FilterForm,
    ServiceModelForm,
    organization_choice_field,
)
from cityguard.core.models import Jurisdiction, Place

from .choices import AlarmState, Op, RuleKind, SensorKind, SensorState, Severity, Source
from .models import AlarmRule, Sensor


def street_choices(user: Any) -> list[tuple[str, str]]:
    """Codes and names of the streets within the user's reach."""
    r = reach(user)
    streets = Jurisdiction.objects.filter(level=Level.STREET).order_by("path")
    if r.path:
        # A street officer's own street (or the street above a community officer's node).
        codes = [c for c in r.path.split("/") if c]
        streets = streets.filter(path__startswith=r.path) | streets.filter(code__in=codes)
    return [(s.code, s.name) for s in streets.distinct()]


def _search(placeholder: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


def _choice(label: Any, everything: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", everything), *choices])


class _StreetFilter(FilterForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [  # type: ignore[attr-defined]
            ("", _("All streets")),
            *street_choices(user),
        ]


class SensorFilterForm(_StreetFilter):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {
        "code": ("code",),
        "state": ("state", "code"),
        "-last": ("-last_ts", "code"),
    }
    q = _search(_("Code or name"))
    street = forms.ChoiceField(label=_("Street"), required=False)
    kind = _choice(_("Kind"), _("All kinds"), SensorKind.choices)
    state = _choice(_("State"), _("All states"), SensorState.choices)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("code", _("Code")), ("state", _("State")), ("-last", _("Latest reading"))],
    )


OPEN = "open"


class AlarmFilterForm(_StreetFilter):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"-opened": ("-opened_at", "-id")}
    q = _search(_("Sensor code"))
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open (active or acknowledged)")), *AlarmState.choices, ("all", _("All"))],
    )
    severity = _choice(_("Severity"), _("All severities"), Severity.choices)
    street = forms.ChoiceField(label=_("Street"), required=False)
    kind = _choice(_("Sensor kind"), _("All kinds"), SensorKind.choices)


class DeadLetterFilterForm(FilterForm):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"-received": ("-received_at", "-id")}
    q = _search(_("Reason, sensor code or topic"))
    source = _choice(_("Source"), _("All sources"), Source.choices)


class AvailabilityFilterForm(_StreetFilter):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"street": ("street",)}
    street = forms.ChoiceField(label=_("Street"), required=False)


class RuleFilterForm(FilterForm):
    sorts: ClassVar[dict[str, tuple[Any, ...]]] = {"name": ("name", "id")}
    q = _search(_("Rule name or sensor code"))
    kind = _choice(_("Rule kind"), _("All rule kinds"), RuleKind.choices)
    severity = _choice(_("Severity"), _("All severities"), Severity.choices)


# --- edit forms -------------------------------------------------------------------------


class SensorForm(ServiceModelForm):
    """A sensor's facts and location; `services.save_sensor` derives its jurisdiction and
    street from the point."""

    class Meta:
        model = Sensor
        fields = [
            "code", "name", "kind", "unit", "organization", "place", "expected_interval_s",
            "installed_on", "enabled", "lon", "lat",
        ]  # fmt: skip
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "kind": _("Kind"),
            "unit": _("Unit"),
            "place": _("Place"),
            "expected_interval_s": _("Expected reporting interval (s)"),
            "installed_on": _("Installed on"),
            "enabled": _("Enabled"),
            "lon": _("Longitude"),
            "lat": _("Latitude"),
        }
        help_texts = {
            "code": _("The device's code, as it reports readings; unique."),
            "unit": _("Leave empty for the kind's usual unit."),
            "lon": _("WGS 84, e.g. 121.52"),
            "lat": _("WGS 84, e.g. 31.28"),
        }
        widgets = {
            "lon": forms.NumberInput(attrs=LON_ATTRS),
            "lat": forms.NumberInput(attrs=LAT_ATTRS),
            "installed_on": forms.DateInput(attrs={"type": "date"}),
        }

    @staticmethod
    def service(actor: Any, data: dict[str, Any], instance: Any = None) -> Any:
        from . import services

        return services.save_sensor(actor, data, instance)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"] = organization_choice_field(
            user, _("Organisation"), required=False
        )
        places = Place.objects.visible_to(user).order_by("name", "id")
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        if places.count() > MAX_SELECT_CHOICES:
            self.fields["place"].widget = forms.NumberInput(
                attrs={"min": 1, "inputmode": "numeric"}
            )
            self.fields["place"].help_text = _("The place's ID, shown on its page.")
        self.fields["lon"].required = True
        self.fields["lat"].required = True
        self.fields["expected_interval_s"].widget.attrs.update({"min": 1})


class RuleForm(ServiceModelForm):
    """A rule on one sensor (by code) or on every sensor of a kind."""

    sensor_code = forms.CharField(
        label=_("Sensor code"),
        required=False,
        max_length=64,
        help_text=_("Either a sensor's code, or a sensor kind below: not both."),
    )

    class Meta:
        model = AlarmRule
        fields = [
            "name", "kind", "sensor_kind", "severity", "op", "threshold", "for_seconds",
            "clear_op", "clear_threshold", "window_s", "no_data_factor", "context_sensitive",
            "enabled",
        ]  # fmt: skip
        labels = {
            "name": _("Name"),
            "kind": _("Rule kind"),
            "sensor_kind": _("Sensor kind"),
            "severity": _("Severity"),
            "op": _("Operator"),
            "threshold": _("Threshold"),
            "for_seconds": _("Must hold for (s)"),
            "clear_op": _("Clear operator"),
            "clear_threshold": _("Clear threshold"),
            "window_s": _("Rate window (s)"),
            "no_data_factor": _("No-data factor"),
            "context_sensitive": _("Tightened by warnings"),
            "enabled": _("Enabled"),
        }
        help_texts = {
            "threshold": _("Threshold and rate rules: the value (or change) that alarms."),
            "for_seconds": _("Measured in the readings' own timestamps."),
            "clear_threshold": _("Empty: the alarm clears when the condition stops holding."),
            "window_s": _("Rate rules: the change is measured over this window."),
            "no_data_factor": _(
                "No-data rules: alarm after this many expected intervals without a reading."
            ),
        }

    field_order = ["name", "kind", "sensor_code", "sensor_kind"]

    @staticmethod
    def service(actor: Any, data: dict[str, Any], instance: Any = None) -> Any:
        from . import services

        return services.save_rule(actor, data, instance)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk and self.instance.sensor_id:
            self.initial["sensor_code"] = self.instance.sensor.code
        self.fields["op"].choices = [("", "—"), *Op.choices]  # type: ignore[attr-defined]
        self.fields["clear_op"].choices = [("", "—"), *Op.choices]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        """The rule in the API's shape (`services.save_rule` takes that one)."""
        d = self.cleaned_data

        def condition(op: str, value: Any) -> dict[str, Any] | None:
            return None if not op and value is None else {"op": op, "value": value}

        return {
            "name": d.get("name") or "",
            "kind": d.get("kind"),
            "severity": d.get("severity"),
            "sensor": (d.get("sensor_code") or "").strip() or None,
            "sensor_kind": d.get("sensor_kind") or None,
            "condition": condition(d.get("op") or "", d.get("threshold")),
            "clear_condition": condition(d.get("clear_op") or "", d.get("clear_threshold")),
            "for_seconds": d.get("for_seconds") or 0,
            "window_s": d.get("window_s"),
            "no_data_factor": d.get("no_data_factor"),
            "context_sensitive": bool(d.get("context_sensitive")),
            "enabled": bool(d.get("enabled")),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        moved = {
            "condition": "threshold",
            "clear_condition": "clear_threshold",
            "sensor": "sensor_code",
        }
        if hasattr(exc, "error_dict"):
            exc = ValidationError(
                {moved.get(k, k): v for k, v in exc.message_dict.items()}  # type: ignore[misc]
            )
        super().add_service_errors(exc)


class ContextForm(forms.Form):
    """Tighten the context-sensitive rules of one sensor kind in one street."""

    street = forms.ChoiceField(label=_("Street"))
    sensor_kind = forms.ChoiceField(
        label=_("Sensor kind"), choices=SensorKind.choices, initial=SensorKind.WATER_LEVEL
    )
    tighten = forms.FloatField(
        label=_("Tighten by"),
        help_text=_("Moves every threshold of those rules towards alarming by this amount."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        help_text=_("Empty: until released."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = street_choices(user)  # type: ignore[attr-defined]

    def clean_street(self) -> Jurisdiction:
        code = self.cleaned_data["street"]
        street = Jurisdiction.objects.filter(code=code, level=Level.STREET).first()
        if street is None:
            raise forms.ValidationError(_("No street has this code."))
        return street


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
