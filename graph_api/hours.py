"""Opening hours: weekly schedules in the style of Open Referral HSDS, and when they make a place open.

A `Schedule` is one HSDS `schedule` row with `freq = WEEKLY`: open on the weekdays `byday` from `opens_at`
until `closes_at`, on the dates from `valid_from` to `valid_to` (both inclusive, open-ended when None). A
place's opening hours are all its rows together. Times are wall-clock times in Europe/Helsinki, so a place
that opens at 09:00 opens at 09:00 in winter (UTC+2) and in summer (UTC+3); a period ends on the day it
starts (overnight hours are two rows).

A `Closure` is an exceptional closure: the place is closed all day on every Helsinki date from `starts` to
`ends` (both inclusive), whatever its schedules say (Christmas, a summer break, a burst pipe). One rule, in
`periods_on`, makes a closed date a date without periods, so `is_open` and `next_opening`, and every reader
that asks them (the stores' `openAt`, GraphQL's `isOpen` and `nextOpening`), honour closures alike. A closure
covers calendar dates, not instants: on the night of a daylight-saving change it covers the whole Helsinki
day, 23 or 25 hours long.

Around the daylight-saving changes a wall time can be missing (03:00-03:59 on the last Sunday of March) or
happen twice (03:00-03:59 on the last Sunday of October). Both are read as zoneinfo reads them with
`fold=0`: at the UTC offset before the change. So a repeated 03:30 is the first one (summer time), a missing
03:30 is 04:30 summer time, and a period that the missing hour leaves empty does not happen. A naive
datetime given to `is_open` or `next_opening` is a Helsinki wall time, read the same way (unless it has
`fold=1`).

Every aware datetime this module returns has a fixed UTC offset, Helsinki's at that instant: zoneinfo
datetimes of one zone compare by wall time, which is wrong in the repeated hour; fixed offsets compare by
instant.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Helsinki"
HELSINKI = ZoneInfo(TIMEZONE)
FREQ = "WEEKLY"
HORIZON_DAYS = 366
"""`next_opening` looks this many days past the day it starts from: a year, whatever the weekday."""
REASON_MAX_CHARS = 500
"""The longest reason a closure may give, in characters: a sentence or two for a map's popup, not a document."""
T = TypeVar("T")


class Weekday(Enum):
    """A day of the week by its HSDS (iCalendar) code; the value is Python's `date.weekday()`."""

    MO = 0
    TU = 1
    WE = 2
    TH = 3
    FR = 4
    SA = 5
    SU = 6


@dataclass(frozen=True, slots=True)
class OpeningPeriod:
    """One stretch of opening: open from `opens` until just before `closes` (aware, fixed offsets)."""

    opens: datetime.datetime
    closes: datetime.datetime


@dataclass(frozen=True, slots=True)
class Schedule:
    """One weekly opening time, as an HSDS schedule row with `freq = WEEKLY` in Helsinki wall time."""

    byday: tuple[Weekday, ...]
    opens_at: datetime.time
    closes_at: datetime.time
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None

    def __post_init__(self) -> None:
        if not self.byday or len(set(self.byday)) != len(self.byday):
            raise ValueError(f"byday {_days(self.byday)!r} must name each weekday at most once, and at least one")
        if self.opens_at.tzinfo is not None or self.closes_at.tzinfo is not None:
            raise ValueError("opens_at and closes_at are Helsinki wall times and take no UTC offset")
        if self.closes_at <= self.opens_at:
            raise ValueError(f"closes_at {self.closes_at} is not after opens_at {self.opens_at}")
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")

    def applies_on(self, day: datetime.date) -> bool:
        return (
            Weekday(day.weekday()) in self.byday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )

    def to_hsds(self) -> dict[str, str]:
        """The HSDS columns of this row, as text (`""` for no date)."""
        return {
            "freq": FREQ,
            "byday": _days(self.byday),
            "opens_at": self.opens_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
            "valid_from": "" if self.valid_from is None else self.valid_from.isoformat(),
            "valid_to": "" if self.valid_to is None else self.valid_to.isoformat(),
            "timezone": TIMEZONE,
        }

    @classmethod
    def from_hsds(cls, row: Mapping[str, str | None]) -> Schedule:
        """The schedule in a row's HSDS columns; a ValueError names the column at fault.

        `timezone` is an IANA name, where HSDS 3 has a UTC offset: a fixed offset cannot follow daylight
        saving. It must be Europe/Helsinki, and `freq` WEEKLY, the only ones this service reads.
        """
        for column, wanted in (("freq", FREQ), ("timezone", TIMEZONE)):
            if (row.get(column) or "") != wanted:
                raise ValueError(f"column {column!r}: {row.get(column)!r} is not {wanted!r}")
        return cls(
            byday=_required(row, "byday", _parse_days),
            opens_at=_required(row, "opens_at", _parse_time),
            closes_at=_required(row, "closes_at", _parse_time),
            valid_from=_optional(row, "valid_from", _parse_date),
            valid_to=_optional(row, "valid_to", _parse_date),
        )


@dataclass(frozen=True, slots=True)
class Closure:
    """Closed all day on every Helsinki date from `starts` to `ends`, both inclusive, whatever the schedules say.

    The `reason` (say "Joulutauko") is at most `REASON_MAX_CHARS` characters. Its JSON form, and GraphQL's,
    names the dates `from` and `to`; the ValueErrors name those keys.
    """

    starts: datetime.date
    ends: datetime.date
    reason: str | None = None

    def __post_init__(self) -> None:
        for key, day in (("from", self.starts), ("to", self.ends)):
            if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
                raise ValueError(f"key {key!r}: {day!r} is not a date")
        if self.ends < self.starts:
            raise ValueError(f"key 'to': {self.ends} is before the first closed day, {self.starts}")
        if self.reason is not None and len(self.reason) > REASON_MAX_CHARS:
            raise ValueError(f"key 'reason': {len(self.reason):,} characters, more than {REASON_MAX_CHARS}")

    def covers(self, day: datetime.date) -> bool:
        return self.starts <= day <= self.ends

    def to_json(self) -> dict[str, str | None]:
        return {"from": self.starts.isoformat(), "to": self.ends.isoformat(), "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Closure:
        """The closure in its JSON form; `reason` may be missing or null. A ValueError names the key at fault."""
        reason = data.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise ValueError(f"key 'reason': {reason!r} is not a text")
        return cls(_json_date(data, "from"), _json_date(data, "to"), reason)


def helsinki_time(moment: datetime.datetime) -> datetime.datetime:
    """The same instant at Helsinki's UTC offset then, as a fixed offset; naive means Helsinki wall time."""
    aware = moment.replace(tzinfo=HELSINKI) if moment.tzinfo is None else moment
    local = aware.astimezone(datetime.UTC).astimezone(HELSINKI)
    offset = local.utcoffset()
    assert offset is not None
    return local.replace(tzinfo=datetime.timezone(offset), fold=0)


def periods_on(
    schedules: Iterable[Schedule], day: datetime.date, *, closures: Iterable[Closure] = ()
) -> list[OpeningPeriod]:
    """The periods the schedules open on a Helsinki date, in order, overlapping or touching ones merged; none on
    a date a closure covers (the one place closures are applied)."""
    if any(closure.covers(day) for closure in closures):
        return []
    periods = sorted((_wall(day, s.opens_at), _wall(day, s.closes_at)) for s in schedules if s.applies_on(day))
    merged: list[OpeningPeriod] = []
    for opens, closes in periods:
        if closes <= opens:  # left empty by the hour skipped in spring
            continue
        if merged and opens <= merged[-1].closes:
            merged[-1] = OpeningPeriod(merged[-1].opens, max(closes, merged[-1].closes))
        else:
            merged.append(OpeningPeriod(opens, closes))
    return merged


def is_open(schedules: Iterable[Schedule], moment: datetime.datetime, *, closures: Iterable[Closure] = ()) -> bool:
    """Whether the schedules have the place open at the moment, and no closure has it closed that day."""
    instant = helsinki_time(moment)
    return any(p.opens <= instant < p.closes for p in periods_on(schedules, instant.date(), closures=closures))


def next_opening(
    schedules: Iterable[Schedule], after: datetime.datetime, *, closures: Iterable[Closure] = ()
) -> OpeningPeriod | None:
    """The period under way at `after`, or else the next to begin, on a date no closure covers.

    None when none begins within `HORIZON_DAYS` days of `after`'s date: no schedules, only ones whose
    validity has ended or starts more than a year ahead, or closures over every day they would open.
    """
    rows, closed = list(schedules), list(closures)
    start = helsinki_time(after)
    for offset in range(HORIZON_DAYS + 1):
        for period in periods_on(rows, start.date() + datetime.timedelta(days=offset), closures=closed):
            if period.closes > start:
                return period
    return None


def _wall(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return helsinki_time(datetime.datetime.combine(day, time))


def _days(days: Iterable[Weekday]) -> str:
    return ",".join(day.name for day in days)


def _parse_days(text: str) -> tuple[Weekday, ...]:
    codes = [code.strip() for code in text.split(",")]
    unknown = [code for code in codes if code not in Weekday.__members__]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a weekday code ({_days(Weekday)})")
    return tuple(Weekday[code] for code in codes)


def _parse_time(text: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a time like 09:30") from None


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-06-01") from None


def _json_date(data: Mapping[str, object], key: str) -> datetime.date:
    text = data.get(key)
    if text is None or text == "":
        raise ValueError(f"key {key!r}: is empty or missing")
    if not isinstance(text, str):
        raise ValueError(f"key {key!r}: {text!r} is not a date like 2026-06-01")
    try:
        return _parse_date(text)
    except ValueError as exc:
        raise ValueError(f"key {key!r}: {exc}") from None


def _optional(row: Mapping[str, str | None], name: str, parse: Callable[[str], T]) -> T | None:
    """The column parsed, None when it is empty; a ValueError names the column."""
    text = (row.get(name) or "").strip()
    try:
        return parse(text) if text else None
    except ValueError as exc:
        raise ValueError(f"column {name!r}: {exc}") from None


def _required(row: Mapping[str, str | None], name: str, parse: Callable[[str], T]) -> T:
    value = _optional(row, name, parse)
    if value is None:
        raise ValueError(f"column {name!r}: is empty or missing")
    return value
