"""Choices of the monitoring app: sensor kinds and states, rule kinds, severities, alarm states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices


class SensorKind(models.TextChoices):
    GAS = "gas", _("Gas")
    COMBUSTIBLE_GAS = "combustible_gas", _("Combustible gas")
    TOXIC_GAS = "toxic_gas", _("Toxic gas")
    WATER_PRESSURE = "water_pressure", _("Water pressure")
    WATER_LEVEL = "water_level", _("Water level")
    TEMPERATURE = "temperature", _("Temperature")
    SMOKE = "smoke", _("Smoke")
    TILT = "tilt", _("Tilt")
    HUMIDITY = "humidity", _("Humidity")
    DISPLACEMENT = "displacement", _("Displacement (BeiDou)")
    OTHER = "other", _("Other")


# The unit a kind reports in unless the sensor says otherwise.
DEFAULT_UNIT: dict[str, str] = {
    "gas": "ppm",
    "combustible_gas": "%LEL",
    "toxic_gas": "ppm",
    "water_pressure": "MPa",
    "water_level": "m",
    "temperature": "°C",
    "smoke": "dB/m",
    "tilt": "°",
    "humidity": "%RH",
    "displacement": "mm",
    "other": "",
}


class SensorState(ColouredChoices):
    """What the sensor is doing now, kept by the pipeline and the no-data job."""

    NORMAL = "normal", _("Normal")
    ALARM = "alarm", _("In alarm")
    OFFLINE = "offline", _("Offline")
    MAINTENANCE = "maintenance", _("Under maintenance")
    DISABLED = "disabled", _("Disabled")


SensorState.COLOURS = {  # type: ignore[attr-defined]
    "normal": "#2e7d32",
    "alarm": "#c62828",
    "offline": "#757575",
    "maintenance": "#f9a825",
    "disabled": "#455a64",
}


class Severity(ColouredChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    WARNING = "warning", _("Warning")


Severity.COLOURS = {  # type: ignore[attr-defined]
    "critical": "#b71c1c",
    "major": "#e65100",
    "minor": "#f9a825",
    "warning": "#1565c0",
}

# Higher is more severe: escalation compares these.
SEVERITY_RANK: dict[str, int] = {"warning": 1, "minor": 2, "major": 3, "critical": 4}


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold")
    RATE = "rate", _("Rate of change")
    NO_DATA = "no_data", _("No data")


class Op(models.TextChoices):
    GT = ">", ">"
    GE = ">=", "≥"
    LT = "<", "<"
    LE = "<=", "≤"


class AlarmState(ColouredChoices):
    ACTIVE = "active", _("Active")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


AlarmState.COLOURS = {  # type: ignore[attr-defined]
    "active": "#c62828",
    "acknowledged": "#ef6c00",
    "cleared": "#2e7d32",
}


class AlarmEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    ESCALATED = "escalated", _("Escalated")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")
    NOTIFIED = "notified", _("Notified")
    INCIDENT = "incident", _("Incident opened")


class Source(models.TextChoices):
    HTTP = "http", _("HTTP")
    MQTT = "mqtt", _("MQTT")
    SIMULATOR = "simulator", _("Simulator")
    IMPORT = "import", _("Import")


class Period(models.TextChoices):
    MINUTE = "m", _("1 minute")
    HOUR = "h", _("1 hour")
