"""Opening hours as people write them in a spreadsheet's weekday cells."""

from __future__ import annotations

import datetime

import pytest

from graph_api.hours import Schedule, Weekday
from loaders.opening_hours import parse_date, parse_ranges, weekly

T = datetime.time


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("9-11", [(T(9), T(11))]),
        ("09:00-11:30", [(T(9), T(11, 30))]),
        ("9.30 \u2013 11", [(T(9, 30), T(11))]),
        ("9-11, 13-15", [(T(9), T(11)), (T(13), T(15))]),
        ("9-11; 13-15;", [(T(9), T(11)), (T(13), T(15))]),
        ("", []),
        ("  ", []),
    ],
)
def test_opening_hours_ranges_in_the_forms_people_write(text: str, ranges: list[tuple[T, T]]) -> None:
    assert parse_ranges(text) == ranges


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9", "'9' is not a time range like 9-11"),
        ("klo 9-11", "'klo 9-11' is not a time range"),
        ("11-9", "'11-9' closes at 09:00, not after it opens at 11:00"),
        ("9-9", "'9-9' closes at 09:00, not after it opens at 09:00"),
        ("22-24", "'22-24': 24:00 is no time of day"),
        ("9:75-11", "'9:75-11': 9:75 is no time of day"),
    ],
)
def test_opening_hours_that_do_not_parse_or_close_first_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_ranges(text)
    assert str(raised.value).startswith(reason)


def test_opening_hours_days_sharing_a_range_share_a_schedule_row_in_week_order() -> None:
    days = {
        Weekday.TH: [(T(13), T(15)), (T(9), T(11))],
        Weekday.TU: [(T(9), T(11)), (T(9), T(11))],
    }
    june = datetime.date(2026, 6, 1)
    assert weekly(days, valid_from=june) == (
        Schedule((Weekday.TU, Weekday.TH), T(9), T(11), june),
        Schedule((Weekday.TH,), T(13), T(15), june),
    )
    with pytest.raises(ValueError, match="before valid_from"):
        weekly(days, valid_from=june, valid_to=datetime.date(2026, 5, 31))


@pytest.mark.parametrize(
    "value", ["2026-01-31", "31.1.2026", "31.01.2026", datetime.datetime(2026, 1, 31), datetime.date(2026, 1, 31)]
)
def test_opening_hours_dates_as_iso_finnish_or_a_workbook_date(value: object) -> None:
    assert parse_date(value) == datetime.date(2026, 1, 31)


@pytest.mark.parametrize("text", ["31.13.2026", "2026-02-30", "31/1/2026", "tammikuu"])
def test_opening_hours_date_that_is_no_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a date like 2026-01-31 or 31\.1\.2026"):
        parse_date(text)
