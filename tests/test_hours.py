"""Opening hours are Helsinki wall times: through both daylight-saving changes, validity periods and naive times."""

from __future__ import annotations

import datetime

import pytest

from graph_api.hours import HORIZON_DAYS, OpeningPeriod, Schedule, Weekday, is_open, next_opening

UTC = datetime.UTC
MO, SU = Weekday.MO, Weekday.SU
MONDAY_MORNINGS = [Schedule((MO,), datetime.time(9), datetime.time(12))]


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def instants(period: OpeningPeriod | None) -> tuple[datetime.datetime, datetime.datetime] | None:
    return None if period is None else (period.opens.astimezone(UTC), period.closes.astimezone(UTC))


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        pytest.param("2026-03-23T06:30", False, id="08:30 EET, the Monday before spring forward"),
        pytest.param("2026-03-23T07:30", True, id="09:30 EET, the Monday before spring forward"),
        pytest.param("2026-03-30T06:30", True, id="09:30 EEST, the Monday after spring forward"),
        pytest.param("2026-03-30T09:00", False, id="12:00 EEST, closing time"),
        pytest.param("2026-10-19T06:30", True, id="09:30 EEST, the Monday before fall back"),
        pytest.param("2026-10-26T06:30", False, id="08:30 EET, the Monday after fall back"),
        pytest.param("2026-10-26T07:00", True, id="09:00 EET, opening time"),
        pytest.param("2026-03-31T06:30", False, id="a Tuesday"),
    ],
)
def test_is_open_follows_helsinki_wall_time_across_daylight_saving(moment: str, open_: bool) -> None:
    assert is_open(MONDAY_MORNINGS, utc(moment)) is open_


@pytest.mark.parametrize(
    ("after", "opens", "closes"),
    [
        pytest.param("2026-03-27T12:00", "2026-03-30T06:00", "2026-03-30T09:00", id="over the spring-forward weekend"),
        pytest.param("2026-10-23T12:00", "2026-10-26T07:00", "2026-10-26T10:00", id="over the fall-back weekend"),
        pytest.param("2026-03-30T08:00", "2026-03-30T06:00", "2026-03-30T09:00", id="while open: the current period"),
        pytest.param("2026-03-30T09:00", "2026-04-06T06:00", "2026-04-06T09:00", id="at closing time: next week's"),
    ],
)
def test_next_opening_in_utc(after: str, opens: str, closes: str) -> None:
    assert instants(next_opening(MONDAY_MORNINGS, utc(after))) == (utc(opens), utc(closes))


def test_next_opening_is_given_at_helsinki_offset() -> None:
    period = next_opening(MONDAY_MORNINGS, utc("2026-03-27T12:00"))
    assert period is not None
    assert (period.opens.isoformat(), period.closes.isoformat()) == (
        "2026-03-30T09:00:00+03:00",
        "2026-03-30T12:00:00+03:00",
    )
    winter = next_opening(MONDAY_MORNINGS, utc("2026-03-20T12:00"))
    assert winter is not None and winter.opens.isoformat() == "2026-03-23T09:00:00+02:00"


def test_the_night_of_a_change_is_an_hour_shorter_or_longer() -> None:
    nights = [Schedule((SU,), datetime.time(2), datetime.time(5))]
    spring = next_opening(nights, utc("2026-03-28T12:00"))
    autumn = next_opening(nights, utc("2026-10-24T12:00"))
    assert instants(spring) == (utc("2026-03-29T00:00"), utc("2026-03-29T02:00"))
    assert instants(autumn) == (utc("2026-10-24T23:00"), utc("2026-10-25T03:00"))


def test_a_time_that_happens_twice_is_the_first() -> None:
    """03:00-03:45 on 25 October 2026 is the summer-time pass, 00:00-00:45 UTC, not the second one."""
    early = [Schedule((SU,), datetime.time(3), datetime.time(3, 45))]
    assert is_open(early, utc("2026-10-25T00:30"))
    assert not is_open(early, utc("2026-10-25T01:30"))


def test_a_time_that_does_not_exist_is_read_at_the_offset_before_the_change() -> None:
    """03:30 on 29 March 2026 never shows on a Helsinki clock: it is read as 03:30 EET, i.e. 04:30 EEST."""
    from_gap = [Schedule((SU,), datetime.time(3, 30), datetime.time(5))]
    assert instants(next_opening(from_gap, utc("2026-03-28T12:00"))) == (
        utc("2026-03-29T01:30"),
        utc("2026-03-29T02:00"),
    )
    inside_gap = [Schedule((SU,), datetime.time(3, 15), datetime.time(3, 45))]
    assert instants(next_opening(inside_gap, utc("2026-03-28T12:00"))) == (
        utc("2026-03-29T01:15"),
        utc("2026-03-29T01:45"),
    )


def test_a_period_the_missing_hour_leaves_empty_does_not_happen() -> None:
    """03:30-04:15 on 29 March 2026 would run from 04:30 to 04:15 EEST: the place opens again a week later."""
    emptied = [Schedule((SU,), datetime.time(3, 30), datetime.time(4, 15))]
    assert not is_open(emptied, utc("2026-03-29T01:10"))
    assert instants(next_opening(emptied, utc("2026-03-28T12:00"))) == (
        utc("2026-04-05T00:30"),
        utc("2026-04-05T01:15"),
    )


def test_a_naive_moment_is_helsinki_wall_time() -> None:
    assert is_open(MONDAY_MORNINGS, datetime.datetime(2026, 3, 30, 9, 30))
    assert not is_open(MONDAY_MORNINGS, datetime.datetime(2026, 3, 23, 8, 30))
    early = [Schedule((SU,), datetime.time(3), datetime.time(3, 45))]
    assert is_open(early, datetime.datetime(2026, 10, 25, 3, 30))
    assert not is_open(early, datetime.datetime(2026, 10, 25, 3, 30, fold=1))
    assert instants(next_opening(MONDAY_MORNINGS, datetime.datetime(2026, 3, 27, 14))) == (
        utc("2026-03-30T06:00"),
        utc("2026-03-30T09:00"),
    )


def test_validity_dates_are_inclusive_and_bridge_a_summer_break() -> None:
    before = Schedule((MO,), datetime.time(9), datetime.time(12), valid_to=datetime.date(2027, 5, 31))
    after = Schedule((MO,), datetime.time(9), datetime.time(12), valid_from=datetime.date(2027, 8, 9))
    assert is_open([before, after], utc("2027-05-31T06:30"))
    assert not is_open([before, after], utc("2027-06-07T06:30"))
    assert not is_open([before, after], utc("2027-08-02T06:30"))
    assert is_open([before, after], utc("2027-08-09T06:30"))
    assert instants(next_opening([before, after], utc("2027-06-01T00:00"))) == (
        utc("2027-08-09T06:00"),
        utc("2027-08-09T09:00"),
    )


def test_next_opening_looks_a_year_ahead_and_no_further() -> None:
    start = utc("2026-01-05T12:00")
    within = datetime.date(2026, 1, 5) + datetime.timedelta(days=HORIZON_DAYS)
    past_it = within + datetime.timedelta(days=7)
    everyday = tuple(Weekday)
    assert next_opening([Schedule(everyday, datetime.time(9), datetime.time(12), valid_from=within)], start)
    assert next_opening([Schedule(everyday, datetime.time(9), datetime.time(12), valid_from=past_it)], start) is None
    ended = Schedule(everyday, datetime.time(9), datetime.time(12), valid_to=datetime.date(2025, 12, 31))
    assert next_opening([ended], start) is None
    assert next_opening([], start) is None
    assert not is_open([], start)


def test_touching_rows_make_one_period() -> None:
    split = [
        Schedule((MO,), datetime.time(12), datetime.time(15)),
        Schedule((MO,), datetime.time(9), datetime.time(12)),
        Schedule((MO,), datetime.time(17), datetime.time(19)),
    ]
    assert instants(next_opening(split, utc("2026-03-30T05:00"))) == (
        utc("2026-03-30T06:00"),
        utc("2026-03-30T12:00"),
    )
    assert instants(next_opening(split, utc("2026-03-30T12:00"))) == (
        utc("2026-03-30T14:00"),
        utc("2026-03-30T16:00"),
    )


def test_schedule_round_trips_through_its_hsds_columns() -> None:
    schedule = Schedule(
        (Weekday.TU, Weekday.TH), datetime.time(9, 30), datetime.time(11, 45), None, datetime.date(2027, 5, 31)
    )
    row = schedule.to_hsds()
    assert row == {
        "freq": "WEEKLY",
        "byday": "TU,TH",
        "opens_at": "09:30:00",
        "closes_at": "11:45:00",
        "valid_from": "",
        "valid_to": "2027-05-31",
        "timezone": "Europe/Helsinki",
    }
    assert Schedule.from_hsds(row) == schedule


GOOD = Schedule((MO,), datetime.time(9), datetime.time(12)).to_hsds()


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        pytest.param("byday", "MO,MA", "column 'byday': 'MA' is not a weekday code", id="unknown-weekday"),
        pytest.param("byday", "", "column 'byday': is empty", id="no-weekday"),
        pytest.param("byday", "MO,MO", "each weekday at most once", id="repeated-weekday"),
        pytest.param("opens_at", "9.30", "column 'opens_at': '9.30' is not a time", id="bad-time"),
        pytest.param("opens_at", "09:00+03:00", "take no UTC offset", id="time-with-offset"),
        pytest.param("closes_at", "08:00", "closes_at 08:00:00 is not after opens_at 09:00:00", id="closes-first"),
        pytest.param("valid_to", "2026-02-30", "column 'valid_to': '2026-02-30' is not a date", id="bad-date"),
        pytest.param("freq", "MONTHLY", "column 'freq': 'MONTHLY' is not 'WEEKLY'", id="not-weekly"),
        pytest.param("timezone", "2", "column 'timezone': '2' is not 'Europe/Helsinki'", id="offset-timezone"),
    ],
)
def test_a_bad_hsds_row_names_the_column(column: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule.from_hsds({**GOOD, column: text})


def test_validity_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="valid_to 2026-01-01 is before valid_from 2026-02-01"):
        Schedule((MO,), datetime.time(9), datetime.time(12), datetime.date(2026, 2, 1), datetime.date(2026, 1, 1))
