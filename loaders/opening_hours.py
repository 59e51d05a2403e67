"""Opening hours as people write them in a spreadsheet, made into the service's weekly `Schedule` rows.

A weekday's cell holds its opening times: `9-11`, `09:00-11:30` or `9.30-11` (the Finnish time separator),
several separated by commas or semicolons (`9-11, 13-15`); an empty cell means closed that day. A time range
ends on the day it starts, so closing at or before opening is an error, and so is `24`. Days with the same
range share one schedule row; `valid_from` and `valid_to` (both days included) apply to every row of the place.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence

from graph_api.hours import Schedule, Weekday

Range = tuple[datetime.time, datetime.time]

RANGE = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*[-\u2013\u2014]\s*(\d{1,2})(?:[:.](\d{2}))?")
FINNISH_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_ranges(text: str) -> list[Range]:
    """The time ranges of one day's cell, in the order written; a ValueError says which part is wrong."""
    ranges = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        match = RANGE.fullmatch(part)
        if match is None:
            raise ValueError(f"{part!r} is not a time range like 9-11 or 09:30-11:30")
        opens = _time(match[1], match[2], part)
        closes = _time(match[3], match[4], part)
        if closes <= opens:
            raise ValueError(f"{part!r} closes at {closes:%H:%M}, not after it opens at {opens:%H:%M}")
        ranges.append((opens, closes))
    return ranges


def weekly(
    days: Mapping[Weekday, Sequence[Range]],
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> tuple[Schedule, ...]:
    """One schedule row per distinct range, on every day that has it, in week order; a ValueError when
    `valid_to` is before `valid_from`."""
    by_range: dict[Range, list[Weekday]] = {}
    for day in Weekday:
        for period in dict.fromkeys(days.get(day, ())):
            by_range.setdefault(period, []).append(day)
    rows = [Schedule(tuple(byday), opens, closes, valid_from, valid_to) for (opens, closes), byday in by_range.items()]
    return tuple(sorted(rows, key=lambda row: (row.byday[0].value, row.opens_at, row.closes_at)))


def parse_date(value: object) -> datetime.date:
    """A date cell: a date from a workbook, or text as `2026-01-31` or `31.1.2026`."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    finnish = FINNISH_DATE.fullmatch(text)
    try:
        if finnish:
            return datetime.date(int(finnish[3]), int(finnish[2]), int(finnish[1]))
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-01-31 or 31.1.2026") from None


def _time(hours: str, minutes: str | None, part: str) -> datetime.time:
    try:
        return datetime.time(int(hours), int(minutes or 0))
    except ValueError:
        raise ValueError(f"{part!r}: {hours}:{minutes or '00'} is no time of day") from None
