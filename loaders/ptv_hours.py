"""A PTV service location's `serviceHours` as the weekly schedules the service keeps (`graph_api.hours`).

PTV's regular hours (`DaysOfTheWeek`) become one `Schedule` per distinct opening time, with the weekdays it
applies on and the dates PTV gives it (none when it is `validForNow`). What has no weekly form is left out
with a warning: exceptional hours for given dates, hours over midnight, periods marked closed, always open or
by reservation only. What cannot be read (a day that is no weekday, a time that is none, a closing time not
after the opening) is a ValueError naming the field, and the reader rejects the place.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from graph_api.hours import HELSINKI, Schedule, Weekday

REGULAR = "DaysOfTheWeek"
NOT_WEEKLY = {
    "Exceptional": "exceptional opening hours (for given dates)",
    "OverMidnight": "opening hours over midnight",
}
FLAGS = {
    "isClosed": "a period marked closed",
    "isAlwaysOpen": "hours marked always open",
    "isReservation": "hours by reservation only",
}
DAYS = dict(zip(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), Weekday, strict=True))


def weekly_schedules(hours: object, path: str = "serviceHours") -> tuple[tuple[Schedule, ...], tuple[str, ...]]:
    """The schedules in a `serviceHours` list, and a warning for each entry left out."""
    schedules: list[Schedule] = []
    warnings: list[str] = []
    for index, entry in enumerate(_list(hours, path)):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: a JSON {type(entry).__name__} where service hours were expected")
        kind = entry.get("serviceHourType")
        if kind != REGULAR and kind not in NOT_WEEKLY:
            known = ", ".join([REGULAR, *NOT_WEEKLY])
            raise ValueError(f"{where}.serviceHourType: {kind!r} is not one PTV gives ({known})")
        left_out = NOT_WEEKLY.get(kind) or next((what for flag, what in FLAGS.items() if entry.get(flag) is True), None)
        if left_out is not None:
            warnings.append(f"{where}: {left_out} not kept: the service keeps weekly hours only")
            continue
        schedules += _regular(entry, where)
    return tuple(schedules), tuple(warnings)


def _regular(entry: Mapping[str, Any], where: str) -> list[Schedule]:
    """One schedule per distinct (from, to) of the entry's `openingHour`s, on each weekday it names."""
    valid_from, valid_to = (_date(entry.get(name), f"{where}.{name}") for name in ("validFrom", "validTo"))
    if entry.get("validForNow") is True:
        valid_from = valid_to = None
    days: dict[tuple[datetime.time, datetime.time], dict[Weekday, None]] = {}
    for index, opening in enumerate(_list(entry.get("openingHour"), f"{where}.openingHour")):
        at = f"{where}.openingHour[{index}]"
        if not isinstance(opening, dict):
            raise ValueError(f"{at}: a JSON {type(opening).__name__} where an opening time was expected")
        day = opening.get("dayFrom")
        if day not in DAYS:
            raise ValueError(f"{at}.dayFrom: {day!r} is not a weekday (Monday ... Sunday)")
        opens, closes = (_time(opening.get(name), f"{at}.{name}") for name in ("from", "to"))
        if closes <= opens:
            raise ValueError(f"{at}: closes at {closes:%H:%M} before it opens at {opens:%H:%M}")
        days.setdefault((opens, closes), {})[DAYS[day]] = None
    try:
        return [
            Schedule(tuple(sorted(weekdays, key=lambda d: d.value)), opens, closes, valid_from, valid_to)
            for (opens, closes), weekdays in days.items()
        ]
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _list(value: object, path: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{path}: a JSON {type(value).__name__} where a list was expected")
    return value


def _time(value: object, path: str) -> datetime.time:
    try:
        if isinstance(value, str):
            return datetime.time.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f"{path}: {value!r} is not a time like 09:30")


def _date(value: object, path: str) -> datetime.date | None:
    """PTV's date-time as a Helsinki date (a naive one is taken as Helsinki's already)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str):
            moment = datetime.datetime.fromisoformat(value)
            return (moment.astimezone(HELSINKI) if moment.tzinfo else moment).date()
    except ValueError:
        pass
    raise ValueError(f"{path}: {value!r} is not a date and time like 2026-06-01T00:00:00")
