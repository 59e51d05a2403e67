"""A PTV service location's `serviceHours` as the opening hours the service keeps (`graph_api.hours`).

PTV's regular hours (`DaysOfTheWeek`) become one `Schedule` per distinct opening time, with the weekdays it
applies on and the dates PTV gives it (none when it is `validForNow`). Exceptional opening hours (for a date,
or the dates from `validFrom` to `validTo`) become schedules valid on just those dates, beside the weekly ones:
a place is open when either has it open. Exceptional hours marked closed with no opening times (Christmas, a
summer break) become a `Closure` of those dates, its reason PTV's `additionalInformation` (Finnish, else
Swedish, English or any); a reason too long to keep is dropped with a warning. What the service cannot keep is
left out with a warning: a closure of part of a day (exceptional hours marked closed that give times),
regular hours marked closed, hours over midnight, always open or by reservation only. What cannot be read (a
day that is no weekday, a time or date that is none, a closing time not after the opening) is a ValueError
naming the field, and the reader rejects the place.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph_api.hours import HELSINKI, REASON_MAX_CHARS, Closure, Schedule, Weekday

REGULAR = "DaysOfTheWeek"
EXCEPTIONAL = "Exceptional"
NOT_WEEKLY = {"OverMidnight": "opening hours over midnight"}
FLAGS = {
    "isClosed": "regular hours marked closed",
    "isAlwaysOpen": "hours marked always open",
    "isReservation": "hours by reservation only",
}
LANGUAGES = ("fi", "sv", "en")
KEPT = "the service keeps weekly and dated opening hours and closures of whole days only"
DAYS = dict(zip(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), Weekday, strict=True))


@dataclass(frozen=True, slots=True)
class PtvHours:
    """What a channel's `serviceHours` give a meeting place, and a warning for each entry (or part) left out."""

    schedules: tuple[Schedule, ...] = ()
    closures: tuple[Closure, ...] = ()
    warnings: tuple[str, ...] = ()


def opening_hours(hours: object, path: str = "serviceHours") -> PtvHours:
    """The schedules and closures in a `serviceHours` list, and a warning for each entry left out."""
    schedules: list[Schedule] = []
    closures: list[Closure] = []
    warnings: list[str] = []
    for index, entry in enumerate(_list(hours, path)):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: a JSON {type(entry).__name__} where service hours were expected")
        kind = entry.get("serviceHourType")
        if kind not in (REGULAR, EXCEPTIONAL) and kind not in NOT_WEEKLY:
            known = ", ".join([REGULAR, EXCEPTIONAL, *NOT_WEEKLY])
            raise ValueError(f"{where}.serviceHourType: {kind!r} is not one PTV gives ({known})")
        if kind == EXCEPTIONAL and entry.get("isClosed") is True:
            closure, warning = _closure(entry, where)
            closures += [closure] if closure is not None else []
            warnings += [warning] if warning is not None else []
            continue
        left_out = NOT_WEEKLY.get(kind) or next((what for flag, what in FLAGS.items() if entry.get(flag) is True), None)
        if left_out is not None:
            warnings.append(f"{where}: {left_out} not kept: {KEPT}")
            continue
        schedules += _exceptional(entry, where) if kind == EXCEPTIONAL else _regular(entry, where)
    return PtvHours(tuple(schedules), tuple(closures), tuple(warnings))


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
    first, last = _dates(entry, where)
    span = min((last - first).days + 1, len(Weekday))
    weekdays = tuple(
        sorted({Weekday((first + datetime.timedelta(days=d)).weekday()) for d in range(span)}, key=lambda d: d.value)
    )
    times: dict[tuple[datetime.time, datetime.time], None] = {}
    for index, opening in enumerate(_list(entry.get("openingHour"), f"{where}.openingHour")):
        times[_opening(opening, f"{where}.openingHour[{index}]")] = None
    return [Schedule(weekdays, opens, closes, first, last) for opens, closes in times]


def _closure(entry: Mapping[str, Any], where: str) -> tuple[Closure | None, str | None]:
    """Exceptional hours marked closed: a closure of their dates, or a warning when they give times (closed
    for part of a day); the reason is left out, with a warning, when it is too long."""
    first, last = _dates(entry, where)
    if _list(entry.get("openingHour"), f"{where}.openingHour"):
        return None, f"{where}: a closure of part of a day not kept: {KEPT}"
    reason = _reason(entry.get("additionalInformation"), f"{where}.additionalInformation")
    if reason is not None and len(reason) > REASON_MAX_CHARS:
        return Closure(first, last), (
            f"{where}.additionalInformation: {len(reason):,} characters, more than the {REASON_MAX_CHARS} a "
            "closure's reason may have: the closure kept without it"
        )
    return Closure(first, last, reason), None


def _dates(entry: Mapping[str, Any], where: str) -> tuple[datetime.date, datetime.date]:
    """The first and last date of exceptional hours: `validFrom`, and `validTo` or that same date."""
    first = _date(entry.get("validFrom"), f"{where}.validFrom")
    if first is None:
        raise ValueError(f"{where}.validFrom: exceptional hours name the date they apply on")
    last = _date(entry.get("validTo"), f"{where}.validTo") or first
    if last < first:
        raise ValueError(f"{where}.validTo: {last} is before validFrom {first}")
    return first, last


def _reason(texts: object, path: str) -> str | None:
    """The Finnish text of PTV's `[{"language", "value"}]`, else the Swedish, the English or the first; blank
    ones left out."""
    by_language: dict[str, str] = {}
    for index, item in enumerate(_list(texts, path)):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ValueError(f"{path}[{index}]: not a {{language, value}} object")
        if item["value"].strip():
            by_language.setdefault(str(item.get("language")), item["value"].strip())
    return next((by_language[language] for language in (*LANGUAGES, *by_language) if language in by_language), None)


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
