"""Indicators of the enforcement app: the plan's indicators 6 and 8 and the "three 100 %".

All count the calendar year up to the end of the month asked for, except plan-08 (the
officers on the last day of that month, or today if earlier).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.core.figures import per_street
from cityguard.indicators.registry import Indicator, Period, declare

from . import rates


def _end_day(period: Period) -> dt.date:
    return min(period.end - dt.timedelta(days=1), timezone.localdate())


def qualified_staff_ratio(user: Any, street: str | None, period: Period) -> float | None:
    return rates.qualified_staff(user, street, _end_day(period)).value


def complex_fire_compliance(user: Any, street: str | None, period: Period) -> float | None:
    return rates.complex_compliance(user, street, period.year_start, period.end).value


def publicity_rate(user: Any, street: str | None, period: Period) -> float | None:
    return rates.publicity(user, street, period.year_start, period.end).value


def recording_rate(user: Any, street: str | None, period: Period) -> float | None:
    return rates.recording(user, street, period.year_start, period.end).value


def legal_review_rate(user: Any, street: str | None, period: Period) -> float | None:
    return rates.legal_review(user, street, period.year_start, period.end).value


def _values(found: rates.Keyed) -> dict[str, float | None]:
    return per_street({code: r.value for code, r in found.items() if code}, None)


def qualified_staff_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _values(rates.qualified_staff_by_street(user, _end_day(period)))


def complex_fire_compliance_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _values(rates.complex_compliance_by_street(user, period.year_start, period.end))


def publicity_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _values(rates.publicity_by_street(user, period.year_start, period.end))


def recording_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _values(rates.recording_by_street(user, period.year_start, period.end))


def legal_review_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _values(rates.legal_review_by_street(user, period.year_start, period.end))


declare(
    Indicator(
        code="plan-06",
        name=_("Fire-safety management compliance rate of large commercial complexes"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Enforcement inspections: commercial complexes whose latest fire-safety inspection "
            "this year passed (no open finding) ÷ all commercial complexes"
        ),
        compute=complex_fire_compliance,
        by_street=complex_fire_compliance_by_street,
        order=6,
    )
)
declare(
    Indicator(
        code="plan-08",
        name=_(
            "Share of enforcement officers with work-safety qualifications and practical "
            "experience among serving staff"
        ),
        unit="%",
        target=75.0,
        comparison=">=",
        binding=False,
        source=_(
            "Enforcement staff: officers with a valid enforcement certificate and the required "
            "training hours ÷ all officers in service"
        ),
        compute=qualified_staff_ratio,
        by_street=qualified_staff_by_street,
        order=8,
    )
)
declare(
    Indicator(
        code="enforcement-publicity",
        name=_("Enforcement publicity rate"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Enforcement cases: decisions published within the set working days ÷ decisions "
            "issued this year"
        ),
        compute=publicity_rate,
        by_street=publicity_by_street,
        order=110,
    )
)
declare(
    Indicator(
        code="enforcement-recording",
        name=_("Enforcement full-process recording rate"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Enforcement cases: concluded cases whose required steps each have a recorded event "
            "with evidence ÷ cases concluded this year"
        ),
        compute=recording_rate,
        by_street=recording_by_street,
        order=111,
    )
)
declare(
    Indicator(
        code="enforcement-legal-review",
        name=_("Legal review rate of major enforcement decisions"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Enforcement cases: major decisions with a passed legal review before issue ÷ major "
            "decisions issued this year"
        ),
        compute=legal_review_rate,
        by_street=legal_review_by_street,
        order=112,
    )
)
