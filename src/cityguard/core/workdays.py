"""Working days: Monday to Friday, corrected by the district's calendar of public holidays
and adjusted working days (`CalendarDay`, kept from the State Council's yearly notice).

Deadlines stated in working days (e.g. an enforcement decision published within 7 working
days) are counted here. A calendar loads the exceptions of a date range in one query, so a
caller counting many deadlines asks the database once.
"""

from __future__ import annotations

import datetime as dt

from .choices import DayKind
from .models import CalendarDay

# How far past the start a count of n working days can reach: n working days span at most
# n + 2 days per week, plus the longest run of holidays in a year (Spring Festival, 9 days).
_SLACK_DAYS = 21


def _reach(n: int) -> int:
    return n + (n // 5 + 1) * 2 + _SLACK_DAYS


class WorkingCalendar:
    """The working days between two dates (exceptions outside them are not known)."""

    def __init__(self, holidays: set[dt.date], workdays: set[dt.date]) -> None:
        self.holidays = holidays
        self.workdays = workdays

    @classmethod
    def load(cls, start: dt.date, end: dt.date) -> WorkingCalendar:
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for day, kind in CalendarDay.objects.filter(day__gte=start, day__lte=end).values_list(
            "day", "kind"
        ):
            (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
        return cls(holidays, workdays)

    @classmethod
    def covering(cls, first: dt.date, last: dt.date, n: int) -> WorkingCalendar:
        """A calendar good for counting `n` working days from any day in [first, last]."""
        return cls.load(first, last + dt.timedelta(days=_reach(n)))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add(self, day: dt.date, n: int) -> dt.date:
        """The `n`-th working day after `day` (`day` itself when n ≤ 0)."""
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The `n`-th working day after `day`, by the district's calendar."""
    return WorkingCalendar.covering(day, day, n).add(day, n)


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar.load(day, day).is_working_day(day)
