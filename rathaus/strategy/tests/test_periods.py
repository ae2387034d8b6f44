"""Periods as people type them: year, quarter, month, day; what does not exist is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from rathaus.strategy.periods import parse_period, period_for, period_label

TODAY = dt.date(2026, 11, 28)
KINDS = ("year", "quarter", "month", "day")
past_days = st.dates(min_value=dt.date(1990, 1, 1), max_value=TODAY)


@pytest.fixture(autouse=True)
def _german():
    with translation.override("de"):
        yield


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026"),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "Q3 2026"),
        ("Q3 2026", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "Q3 2026"),
        ("q4/2025", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "Q4 2025"),
        ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30), "11/2026"),
        ("11/2026", dt.date(2026, 11, 1), dt.date(2026, 11, 30), "11/2026"),
        ("2/2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "02/2024"),
        ("2026-11-28", dt.date(2026, 11, 28), dt.date(2026, 11, 28), "28.11.2026"),
        ("28.11.2026", dt.date(2026, 11, 28), dt.date(2026, 11, 28), "28.11.2026"),
        ("  1.3.2025 ", dt.date(2025, 3, 1), dt.date(2025, 3, 1), "01.03.2025"),
    ],
)
def test_each_written_form_names_its_period(text, start, end, label):
    assert parse_period(text, today=TODAY) == (start, end, label)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-Q5", "5"),
        ("Q0 2026", "0"),
        ("2026-13", "13"),
        ("13/2026", "13"),
        ("30.02.2026", "30.02.2026"),
        ("2025-02-29", "2025-02-29"),
        ("31.04.2026", "31.04.2026"),
    ],
)
def test_a_period_that_does_not_exist_is_refused_naming_it(text, says):
    with pytest.raises(ValidationError) as refused:
        parse_period(text, today=TODAY)
    assert says in " ".join(refused.value.messages)
    assert refused.value.code == "no_such_period"


@pytest.mark.parametrize("text", ["2027", "Q1 2027", "12/2026-x", "29.11.2026", "2026-12"])
def test_a_period_that_has_not_begun_or_is_garbled_is_refused(text):
    with pytest.raises(ValidationError) as refused:
        parse_period(text, today=TODAY)
    assert refused.value.code in ("future", "invalid")
    assert refused.value.messages[0]


def test_a_period_that_has_begun_may_still_be_running():
    assert parse_period("2026", today=TODAY).end > TODAY
    assert parse_period("Q4 2026", today=TODAY).start == dt.date(2026, 10, 1)


def test_the_future_message_names_the_period():
    with pytest.raises(ValidationError) as refused:
        parse_period("2027-q1", today=TODAY)
    assert "Q1 2027" in refused.value.messages[0]


@pytest.mark.parametrize("text", ["", "   ", "irgendwann", "2026 Q", "1.1.26", "Q3"])
def test_empty_or_unreadable_text_is_refused(text):
    with pytest.raises(ValidationError):
        parse_period(text, today=TODAY)


@given(kind=st.sampled_from(KINDS), day=past_days)
def test_the_label_of_a_period_parses_back_to_the_same_period(kind, day):
    period = period_for(kind, day)
    assert period.start <= day <= period.end
    assert parse_period(period.label, today=TODAY) == period


@given(day=past_days)
def test_iso_and_german_spellings_agree(day):
    assert parse_period(day.isoformat(), today=TODAY) == parse_period(day.strftime("%d.%m.%Y"), today=TODAY)
    assert parse_period(day.strftime("%Y-%m"), today=TODAY) == parse_period(
        f"{day.month}/{day.year}", today=TODAY
    )
    quarter = (day.month - 1) // 3 + 1
    assert parse_period(f"{day.year}-Q{quarter}", today=TODAY) == parse_period(
        f"Q{quarter} {day.year}", today=TODAY
    )


@given(kind=st.sampled_from(KINDS), day=past_days)
def test_periods_of_a_kind_tile_the_calendar(kind, day):
    period = period_for(kind, day)
    following = period_for(kind, period.end + dt.timedelta(days=1))
    assert following.start == period.end + dt.timedelta(days=1)
    assert period_label(period.start, period.end) == period.label


@given(day=st.dates(min_value=TODAY + dt.timedelta(days=1), max_value=dt.date(2100, 12, 31)))
def test_no_day_after_today_is_accepted(day):
    with pytest.raises(ValidationError) as refused:
        parse_period(day.strftime("%d.%m.%Y"), today=TODAY)
    assert refused.value.code == "future"
