"""The threat-zone form of the /consequence/ page. Checking the physics is the service's
job (`services.resolve_inputs`); its field errors come back onto the form's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services

# Chlorine, 60-minute AEGL-3 / AEGL-2 / AEGL-1 (20 / 2 / 0.5 ppm) in mg/m³ at 25 °C:
# mg/m³ = ppm × 70.9 / 24.45.
CHLORINE_THRESHOLDS = (58.0, 5.8, 1.45)

STABILITY_CHOICES = [
    ("", _("Derive from the weather below")),
    ("A", _("A – very unstable")),
    ("B", _("B – unstable")),
    ("C", _("C – slightly unstable")),
    ("D", _("D – neutral")),
    ("E", _("E – slightly stable")),
    ("F", _("F – stable")),
]
PERIOD_CHOICES = [("day", _("Day")), ("night", _("Night"))]
INSOLATION_CHOICES = [
    ("strong", _("Strong (sunny, sun high)")),
    ("moderate", _("Moderate")),
    ("slight", _("Slight (low sun or broken cloud)")),
]
TERRAIN_CHOICES = [("urban", _("Urban")), ("rural", _("Rural (open country)"))]

# Service field → form field for the errors that come back.
_ERROR_FIELDS = {
    "thresholds_mg_m3": "threshold_1",
    "wind_speed_m_s": "wind_speed_m_s",
    "release_rate_g_s": "release_rate_g_s",
    "source_height_m": "source_height_m",
    "stability": "stability",
    "terrain": "terrain",
    "insolation": "insolation",
    "cloud_oktas": "cloud_oktas",
    "lon": "lon",
    "lat": "lat",
    "wind_from_deg": "wind_from_deg",
    "incident_ref": "incident_ref",
}


def _num(label: Any, initial: float | None = None, required: bool = True, **kw: Any) -> Any:
    return forms.FloatField(
        label=label,
        initial=initial,
        required=required,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **kw,
    )


class ThreatZoneForm(forms.Form):
    substance = forms.CharField(
        label=_("Substance"), max_length=100, required=False, initial=_("Chlorine")
    )
    release_rate_g_s = _num(_("Release rate (g/s)"), 1000.0)
    source_height_m = _num(_("Release height (m)"), 0.0)
    terrain = forms.ChoiceField(label=_("Terrain"), choices=TERRAIN_CHOICES, initial="urban")
    wind_speed_m_s = _num(_("Wind speed at 10 m (m/s)"), 3.0)
    wind_from_deg = _num(
        _("Wind from (°)"),
        90.0,
        help_text=_("Where the wind comes from, clockwise from north: 0 north, 90 east."),
    )
    stability = forms.ChoiceField(
        label=_("Stability class"), choices=STABILITY_CHOICES, required=False
    )
    period = forms.ChoiceField(label=_("Day or night"), choices=PERIOD_CHOICES, initial="day")
    insolation = forms.ChoiceField(
        label=_("Insolation (day)"), choices=INSOLATION_CHOICES, initial="moderate", required=False
    )
    cloud_oktas = forms.IntegerField(
        label=_("Cloud cover at night (oktas, 0–8)"), min_value=0, max_value=8, required=False
    )
    lon = _num(_("Longitude"))
    lat = _num(_("Latitude"))
    threshold_1 = _num(_("Level 1 threshold (mg/m³)"), CHLORINE_THRESHOLDS[0])
    threshold_2 = _num(_("Level 2 threshold (mg/m³)"), CHLORINE_THRESHOLDS[1], required=False)
    threshold_3 = _num(_("Level 3 threshold (mg/m³)"), CHLORINE_THRESHOLDS[2], required=False)
    incident_ref = forms.CharField(label=_("Incident reference"), max_length=64, required=False)

    def inputs(self) -> dict[str, Any]:
        d = self.cleaned_data
        data: dict[str, Any] = {
            "release_rate_g_s": d["release_rate_g_s"],
            "wind_speed_m_s": d["wind_speed_m_s"],
            "source_height_m": d.get("source_height_m") or 0.0,
            "terrain": d["terrain"],
            "lon": d["lon"],
            "lat": d["lat"],
            "wind_from_deg": d["wind_from_deg"],
            "thresholds_mg_m3": [
                d[k] for k in ("threshold_1", "threshold_2", "threshold_3") if d.get(k) is not None
            ],
            "substance": (d.get("substance") or "").strip(),
        }
        if d.get("stability"):
            data["stability"] = d["stability"]
        else:
            data["daytime"] = d.get("period") == "day"
            data["insolation"] = d.get("insolation") or None
            data["cloud_oktas"] = d.get("cloud_oktas")
        return data

    def run(self, actor: Any) -> Any:
        """The recorded run, or None with the service's errors on the fields."""
        try:
            return services.run_threat_zone(
                actor, incident_ref=self.cleaned_data.get("incident_ref") or "", **self.inputs()
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                self.add_error(None, exc)
                return None
            for key, messages in exc.message_dict.items():
                field = _ERROR_FIELDS.get(key)
                for m in messages:
                    self.add_error(field if field in self.fields else None, m)
            return None
