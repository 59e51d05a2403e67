"""A PTV service location's `serviceHours` as the weekly schedules the service keeps (`graph_api.hours`).

PTV's regular hours (`DaysOfTheWeek`) become one `Schedule` per distinct opening time, with the weekdays it
applies on and the dates PTV gives it (none when it is `validForNow`). Exceptional opening hours (for a date,
or the dates from `validFrom` to `validTo`) become schedules valid on just those dates, beside the weekly ones:
a place is open when either has it open. What the service cannot keep yet is left out with a warning: a
period marked closed (an exceptional closed day: the service's opening hours have no closures yet), hours
over midnight, always open or by reservation only. What cannot be read (a day that is no weekday, a time that
is none, a closing time not after the opening) is a ValueError naming the field, and the reader rejects the
place.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from graph_api.hours import HELSINKI, Schedule, Weekday

REGULAR = "DaysOfTheWeek"
EXCEPTIONAL = "Exceptional"
NOT_WEEKLY = {"OverMidnight": "opening hours over midnight"}
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
        if kind not in (REGULAR, EXCEPTIONAL) and kind not in NOT_WEEKLY:
            known = ", ".join([REGULAR, EXCEPTIONAL, *NOT_WEEKLY])
            raise ValueError(f"{where}.serviceHourType: {kind!r} is not one PTV gives ({known})")
        left_out = NOT_WEEKLY.get(kind) or next((what for flag, what in FLAGS.items() if entry.get(flag) is True), None)
        if left_out is not None:
            warnings.append(f"{where}: {left_out} not kept: the service keeps weekly and dated opening hours only")
            continue
        schedules += _exceptional(entry, where) if kind == EXCEPTIONAL else _regular(entry, where)
    return tuple(schedules), tuple(warnings)


def _regular(entry: Mapping[str, Any], where: str) -> list[Schedule]:
    """One schedule per distinct (from, to) of the entry's `openingHour`s, on each weekday it names."""
    valid_from, valid_to = (_date(entry.get(name), f"{where}.{name}") for name in ("validFrom", "validTo"))
    if entry.get("validForNow") is True:
        valid_from = valid_to = None
    days: dict[tuple[datetime.time, datetime.time], dict[Weekday, None]] = {}
    for index, opening in enumerate(_list(entry.get("openingHour"), f"{where}.openingHour")):
        at = f"{where}.openingHour[{index}]"
        opens, closes = _opening(opening, at)
        day = opening.get("dayFrom")  # type: ignore[attr-defined]  # a dict: _opening checked it
        if day not in DAYS:
            raise ValueError(f"{at}.dayFrom: {day!r} is not a weekday (Monday ... Sunday)")
        days.setdefault((opens, closes), {})[DAYS[day]] = None
    try:
        return [
            Schedule(tuple(sorted(weekdays, key=lambda d: d.value)), opens, closes, valid_from, valid_to)
            for (opens, closes), weekdays in days.items()
        ]
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _exceptional(entry: Mapping[str, Any], where: str) -> list[Schedule]:
    """Opening times on the dates from `validFrom` to `validTo` (that one date when there is no `validTo`)."""
    first = _date(entry.get("validFrom"), f"{where}.validFrom")
    if first is None:
        raise ValueError(f"{where}.validFrom: exceptional hours name the date they apply on")
    last = _date(entry.get("validTo"), f"{where}.validTo") or first
    if last < first:
        raise ValueError(f"{where}.validTo: {last} is before validFrom {first}")
    span = min((last - first).days + 1, len(Weekday))
    weekdays = tuple(
        sorted({Weekday((first + datetime.timedelta(days=d)).weekday()) for d in range(span)}, key=lambda d: d.value)
    )
    times: dict[tuple[datetime.time, datetime.time], None] = {}
    for index, opening in enumerate(_list(entry.get("openingHour"), f"{where}.openingHour")):
        times[_opening(opening, f"{where}.openingHour[{index}]")] = None
    return [Schedule(weekdays, opens, closes, first, last) for opens, closes in times]


def _opening(opening: object, at: str) -> tuple[datetime.time, datetime.time]:
    """An `openingHour`'s opening and closing time, the closing one after the other."""
    if not isinstance(opening, dict):
        raise ValueError(f"{at}: a JSON {type(opening).__name__} where an opening time was expected")
    opens, closes = (_time(opening.get(name), f"{at}.{name}") for name in ("from", "to"))
    if closes <= opens:
        raise ValueError(f"{at}: closes at {closes:%H:%M} before it opens at {opens:%H:%M}")
    return opens, closes


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
