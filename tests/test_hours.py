"""Opening hours are Helsinki wall times: through both daylight-saving changes, validity periods and naive times;
an exceptional closure shuts a place all day on its Helsinki dates, whatever the schedules say."""

from __future__ import annotations

import datetime

import pytest

from graph_api.hours import (
    HORIZON_DAYS,
    REASON_MAX_CHARS,
    Closure,
    OpeningPeriod,
    Schedule,
    Weekday,
    is_open,
    next_opening,
    periods_on,
)

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


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


CHRISTMAS = Closure(day("2026-12-21"), day("2027-01-06"), "Joulutauko")
"""From Monday 21 December to Wednesday 6 January: over the year end, three Mondays."""


def test_a_closed_day_has_no_periods_and_the_days_around_it_keep_theirs() -> None:
    one_day = [Closure(day("2026-12-07"), day("2026-12-07"))]
    assert periods_on(MONDAY_MORNINGS, day("2026-12-07"), closures=one_day) == []
    assert not is_open(MONDAY_MORNINGS, utc("2026-12-07T08:00"), closures=one_day)
    assert is_open(MONDAY_MORNINGS, utc("2026-11-30T08:00"), closures=one_day)
    assert is_open(MONDAY_MORNINGS, utc("2026-12-14T08:00"), closures=one_day)
    assert periods_on(MONDAY_MORNINGS, day("2026-12-14"), closures=one_day) == periods_on(
        MONDAY_MORNINGS, day("2026-12-14")
    )


def test_a_closure_over_the_year_end_closes_every_date_in_it_both_ends_included() -> None:
    mondays = ["2026-12-21", "2026-12-28", "2027-01-04"]
    assert all(not is_open(MONDAY_MORNINGS, utc(f"{monday}T08:00"), closures=[CHRISTMAS]) for monday in mondays)
    assert all(is_open(MONDAY_MORNINGS, utc(f"{monday}T08:00")) for monday in mondays), "open but for the closure"
    every_day = [Schedule(tuple(Weekday), datetime.time(9), datetime.time(12))]
    assert not is_open(every_day, utc("2027-01-06T08:00"), closures=[CHRISTMAS]), "its last day"
    assert is_open(every_day, utc("2027-01-07T08:00"), closures=[CHRISTMAS]), "the day after"
    assert is_open(every_day, utc("2026-12-20T08:00"), closures=[CHRISTMAS]), "the day before"


def test_next_opening_skips_the_closed_dates() -> None:
    assert instants(next_opening(MONDAY_MORNINGS, utc("2026-12-18T12:00"), closures=[CHRISTMAS])) == (
        utc("2027-01-11T07:00"),
        utc("2027-01-11T10:00"),
    )
    assert instants(next_opening(MONDAY_MORNINGS, utc("2026-12-18T12:00"), closures=iter([CHRISTMAS]))) == (
        utc("2027-01-11T07:00"),
        utc("2027-01-11T10:00"),
    ), "closures may be any iterable, read once"


def test_closures_add_up_and_may_overlap() -> None:
    closures = [Closure(day("2026-12-21"), day("2026-12-28")), Closure(day("2026-12-28"), day("2027-01-04"))]
    assert instants(next_opening(MONDAY_MORNINGS, utc("2026-12-18T12:00"), closures=closures)) == (
        utc("2027-01-11T07:00"),
        utc("2027-01-11T10:00"),
    )


def test_a_closure_starting_tomorrow_leaves_today_open() -> None:
    tomorrow = [Closure(day("2026-12-08"), day("2026-12-31"))]
    assert is_open(MONDAY_MORNINGS, utc("2026-12-07T09:30"), closures=tomorrow)
    assert instants(next_opening(MONDAY_MORNINGS, utc("2026-12-07T09:30"), closures=tomorrow)) == (
        utc("2026-12-07T07:00"),
        utc("2026-12-07T10:00"),
    )


def test_next_opening_is_none_when_closures_cover_every_opening_within_a_year() -> None:
    start = utc("2026-01-05T12:00")
    year = [Closure(day("2026-01-01"), day("2026-01-05") + datetime.timedelta(days=HORIZON_DAYS))]
    assert next_opening(MONDAY_MORNINGS, start, closures=year) is None
    summer = Schedule((MO,), datetime.time(9), datetime.time(12), day("2026-06-01"), day("2026-08-31"))
    assert next_opening([summer], start, closures=[Closure(day("2026-06-01"), day("2026-08-31"))]) is None


def test_a_closure_covers_helsinki_dates_not_utc_ones() -> None:
    """Sunday 00:00-05:00 on 25 October 2026, the night the clocks go back: 22:30 UTC on the 24th is 01:30 on
    Sunday in Helsinki, so a closure of Saturday the 24th leaves it open, and one of Sunday the 25th closes
    all of its 25 hours, the repeated 03:30 included."""
    sunday_nights = [Schedule((SU,), datetime.time(0), datetime.time(5))]
    saturday = [Closure(day("2026-10-24"), day("2026-10-24"))]
    sunday = [Closure(day("2026-10-25"), day("2026-10-25"))]
    assert is_open(sunday_nights, utc("2026-10-24T22:30"), closures=saturday)
    assert not is_open(sunday_nights, utc("2026-10-24T22:30"), closures=sunday)
    for moment in ("2026-10-25T00:30", "2026-10-25T01:30", "2026-10-25T02:30"):  # 03:30 EEST, 03:30 EET, 04:30
        assert is_open(sunday_nights, utc(moment)), moment
        assert not is_open(sunday_nights, utc(moment), closures=sunday), moment


def test_next_opening_skips_a_closed_day_of_the_spring_forward_night() -> None:
    """Sunday 02:00-05:00: on 29 March 2026 an hour shorter; closed, the next is 5 April at EEST."""
    nights = [Schedule((SU,), datetime.time(2), datetime.time(5))]
    closed = [Closure(day("2026-03-29"), day("2026-03-29"))]
    assert instants(next_opening(nights, utc("2026-03-28T12:00"), closures=closed)) == (
        utc("2026-04-04T23:00"),
        utc("2026-04-05T02:00"),
    )


def test_closure_round_trips_through_its_json_form() -> None:
    assert CHRISTMAS.to_json() == {"from": "2026-12-21", "to": "2027-01-06", "reason": "Joulutauko"}
    assert Closure.from_json(CHRISTMAS.to_json()) == CHRISTMAS
    one_day = Closure(day("2026-12-24"), day("2026-12-24"))
    assert one_day.to_json() == {"from": "2026-12-24", "to": "2026-12-24", "reason": None}
    assert Closure.from_json({"from": "2026-12-24", "to": "2026-12-24"}) == one_day, "reason may be left out"
    longest = "ä" * REASON_MAX_CHARS
    assert Closure.from_json({"from": "2026-12-24", "to": "2026-12-24", "reason": longest}).reason == longest


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"to": "2026-12-24"}, "key 'from': is empty or missing", id="no-from"),
        pytest.param({"from": "2026-12-24", "to": ""}, "key 'to': is empty or missing", id="empty-to"),
        pytest.param({"from": "24.12.2026", "to": "2026-12-24"}, "key 'from': '24.12.2026' is not a date", id="fi"),
        pytest.param({"from": "2026-12-24", "to": 20261226}, "key 'to': 20261226 is not a date", id="number"),
        pytest.param({"from": "2026-02-30", "to": "2026-03-01"}, "key 'from': '2026-02-30' is not a date", id="no-day"),
        pytest.param(
            {"from": "2026-12-26", "to": "2026-12-24"},
            "key 'to': 2026-12-24 is before the first closed day, 2026-12-26",
            id="ends-first",
        ),
        pytest.param(
            {"from": "2026-12-24", "to": "2026-12-24", "reason": "x" * (REASON_MAX_CHARS + 1)},
            f"key 'reason': 501 characters, more than {REASON_MAX_CHARS}",
            id="long-reason",
        ),
        pytest.param({"from": "2026-12-24", "to": "2026-12-24", "reason": 7}, "key 'reason': 7 is not a text", id="7"),
    ],
)
def test_a_bad_closure_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Closure.from_json(data)


def test_a_closure_takes_dates_not_moments() -> None:
    with pytest.raises(ValueError, match=r"key 'from': datetime\.datetime\(2026, 12, 24, 12, 0\) is not a date"):
        Closure(datetime.datetime(2026, 12, 24, 12), day("2026-12-24"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="key 'to': 2026-12-23 is before the first closed day, 2026-12-24"):
        Closure(day("2026-12-24"), day("2026-12-23"))
