"""Figures of the monitoring app and the indicators it declares.

- `availability(user, street=None)`: sensor availability (完好率) per street and kind:
  rows {"street", "street_name", "kind", "sensors", "online", "offline", "rate"} where
  `sensors` counts enabled sensors, `online` those not offline, `rate` = online ÷ sensors
  in % (None with no sensors). Disabled sensors are out of service by decision, not faults,
  so they are not counted.
- `offline_sensors(user, street=None)`: the enabled sensors that are offline.

Indicators (live figures: the value is the state now, whatever month is asked for):
- "sensor-availability": enabled sensors not offline ÷ enabled sensors, %, target ≥ 95
  (expected);
- "alarms-active": open alarms (active or acknowledged), target ≤ 0 (expected);
- "plan-09": park information-sharing platform coverage: parks (organisations of kind
  park) with at least one enabled sensor that is not offline ÷ all active parks, %,
  target 100 (expected), order 9.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import OrganizationKind
from cityguard.core.figures import counts_by_street, per_street
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.schemas import street_code
from cityguard.indicators.registry import Indicator, Period, declare

from .choices import SensorKind, SensorState
from .models import Alarm, Sensor


def _under(qs: QuerySet, street: str | None, path_field: str = "jurisdiction__path") -> QuerySet:
    if not street:
        return qs
    node = Jurisdiction.objects.filter(code=street).first()
    if node is None:
        return qs.none()
    return qs.filter(**{f"{path_field}__startswith": node.path})


def sensors_for(user: Any, street: str | None = None) -> QuerySet:
    qs = Sensor.objects.all() if user is None else Sensor.objects.visible_to(user)
    return _under(qs, street)


def availability(user: Any, street: str | None = None) -> list[dict[str, Any]]:
    qs = sensors_for(user, street).filter(enabled=True)
    rows = (
        qs.values("street_id", "kind")
        .annotate(
            sensors=Count("id"),
            offline=Count("id", filter=Q(state=SensorState.OFFLINE)),
        )
        .order_by("street_id", "kind")
    )
    streets = {j.pk: j for j in Jurisdiction.objects.filter(pk__in={r["street_id"] for r in rows})}
    kinds = dict(SensorKind.choices)
    out = []
    for r in rows:
        st = streets.get(r["street_id"])
        online = r["sensors"] - r["offline"]
        out.append(
            {
                "street": st.code if st else "",
                "street_name": st.name if st else "",
                "kind": r["kind"],
                "kind_label": str(kinds.get(r["kind"], r["kind"])),
                "sensors": r["sensors"],
                "online": online,
                "offline": r["offline"],
                "rate": round(online / r["sensors"] * 100, 1) if r["sensors"] else None,
            }
        )
    return out


def offline_sensors(user: Any, street: str | None = None) -> QuerySet:
    return (
        sensors_for(user, street)
        .filter(enabled=True, state=SensorState.OFFLINE)
        .select_related("jurisdiction", "organization", "street")
        .order_by("last_seen_at", "code")
    )


def availability_rate(user: Any, street: str | None, period: Period | None = None) -> float | None:
    qs = sensors_for(user, street).filter(enabled=True)
    total = qs.count()
    if not total:
        return None
    online = qs.exclude(state=SensorState.OFFLINE).count()
    return round(online / total * 100, 1)


def _rates_by_street(total: QuerySet, good: QuerySet) -> dict[str, float | None]:
    """Street code → good ÷ total in % (None for a street with nothing in `total`)."""
    totals = counts_by_street(total, "jurisdiction__path")
    goods = counts_by_street(good, "jurisdiction__path")
    return per_street(
        {code: round(goods.get(code, 0) / n * 100, 1) for code, n in totals.items() if n},
        None,
    )


def availability_by_street(user: Any, period: Period | None = None) -> dict[str, float | None]:
    qs = sensors_for(user, None).filter(enabled=True)
    return _rates_by_street(qs, qs.exclude(state=SensorState.OFFLINE))


def _open_alarms(user: Any) -> QuerySet:
    qs = Alarm.objects.all() if user is None else Alarm.objects.visible_to(user)
    return qs.filter(is_open__in=[True])


def alarms_active(user: Any, street: str | None, period: Period | None = None) -> float | None:
    return float(_under(_open_alarms(user), street).count())


def alarms_active_by_street(user: Any, period: Period | None = None) -> dict[str, float | None]:
    found = counts_by_street(_open_alarms(user), "jurisdiction__path")
    return per_street({code: float(n) for code, n in found.items()}, 0.0)


def _parks(user: Any, street: str | None) -> QuerySet:
    parks: Any = Organization.objects.filter(kind=OrganizationKind.PARK, is_active=True)
    if user is not None:
        parks = parks.visible_to(user)
    return _under(parks, street)


def _covered(parks: QuerySet) -> QuerySet:
    return parks.annotate(
        up=Count(
            "sensors",
            filter=Q(sensors__enabled=True) & ~Q(sensors__state=SensorState.OFFLINE),
        )
    ).filter(up__gt=0)


def park_coverage(user: Any, street: str | None, period: Period | None = None) -> float | None:
    parks = _parks(user, street)
    total = parks.count()
    if not total:
        return None
    covered = _covered(parks).count()
    return round(covered / total * 100, 1)


def park_coverage_by_street(user: Any, period: Period | None = None) -> dict[str, float | None]:
    parks = _parks(user, None)
    covered = Organization.objects.filter(pk__in=_covered(parks).values("pk"))
    return _rates_by_street(parks, covered)


def street_of_sensor(sensor: Sensor) -> str | None:
    return street_code(sensor.jurisdiction.path)


declare(
    Indicator(
        code="sensor-availability",
        name=_("Sensor availability"),
        unit="%",
        target=95.0,
        comparison=">=",
        binding=False,
        source=_("Monitoring: enabled sensors not offline ÷ enabled sensors"),
        compute=availability_rate,
        by_street=availability_by_street,
        order=60,
    )
)
declare(
    Indicator(
        code="alarms-active",
        name=_("Open monitoring alarms"),
        unit="",
        target=0.0,
        comparison="<=",
        binding=False,
        source=_("Monitoring: alarms active or acknowledged, not yet cleared"),
        compute=alarms_active,
        by_street=alarms_active_by_street,
        order=61,
    )
)
declare(
    Indicator(
        code="plan-09",
        name=_("Park information-sharing platform coverage"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=False,
        source=_(
            "Monitoring: parks with at least one enabled sensor that is not offline ÷ all parks"
        ),
        compute=park_coverage,
        by_street=park_coverage_by_street,
        order=9,
    )
)
