"""compute_fee: fixed fees, free services and rules computed from the answers."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from rathaus.catalog.fees import compute_fee, rule_fields


def service(kind: str = "rule", amount=None, rule=None):
    return SimpleNamespace(fee_kind=kind, fee_amount=amount, fee_rule=rule if rule is not None else {})


PARKING = {"per": {"field": "years", "amount": "30.00"}, "min": "30.00", "max": "60.00"}
ROAD_USE = {"per": {"fields": ["days", "square_metres"], "amount": "1.50"}, "min": "25.00"}


def test_free_service_has_no_fee():
    assert compute_fee(service("none", rule=PARKING), {"years": 2}) is None


@pytest.mark.parametrize(
    ("amount", "expected"), [("60", "60.00"), (Decimal("12.5"), "12.50"), ("0.005", "0.01")]
)
def test_fixed_fee_is_the_amount_in_cents(amount, expected):
    assert compute_fee(service("fixed", amount=amount), {"anything": 99}) == Decimal(expected)


@pytest.mark.parametrize("amount", [None, "abc", "NaN", "Infinity"])
def test_fixed_fee_with_a_broken_amount_is_zero_not_an_error(amount):
    assert compute_fee(service("fixed", amount=amount)) == Decimal("0.00")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"years": 1}, "30.00"),
        ({"years": 2}, "60.00"),
        ({"years": "2"}, "60.00"),
        ({"years": 5}, "60.00"),  # max
        ({}, "30.00"),  # min: what the service page shows as "from"
        (None, "30.00"),
    ],
)
def test_parking_permit_per_year_between_min_and_max(answers, expected):
    assert compute_fee(service(rule=PARKING), answers) == Decimal(expected)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"days": 10, "square_metres": 4}, "60.00"),
        ({"days": 30, "square_metres": "12,5"}, "562.50"),  # German decimal comma
        ({"days": 3, "square_metres": 2}, "25.00"),  # 9 € → minimum 25 €
        ({"days": 10}, "25.00"),  # a missing factor makes the product 0 → minimum
    ],
)
def test_special_road_use_per_day_and_square_metre(answers, expected):
    assert compute_fee(service(rule=ROAD_USE), answers) == Decimal(expected)


@pytest.mark.parametrize(
    "bad",
    [-5, "-5", "abc", "", None, True, [], {}, "1e999999", "NaN", "inf", "10000001", object(), " "],
)
def test_bad_answers_count_as_zero_and_never_raise(bad):
    rule = {"base": "10.00", "per": {"field": "n", "amount": "2.00"}}
    assert compute_fee(service(rule=rule), {"n": bad}) == Decimal("10.00")


def test_fee_never_goes_below_zero():
    rule = {"base": "-50", "per": {"field": "n", "amount": "-3"}}
    assert compute_fee(service(rule=rule), {"n": 4}) == Decimal("0.00")


def test_base_per_and_choice_add_up():
    rule = {
        "base": "10.00",
        "per": [{"field": "vehicles", "amount": "5.00"}, {"field": "extra", "amount": "1.25"}],
        "choice": {"field": "duration", "amounts": {"1y": "0", "2y": "25.00"}},
    }
    answers = {"vehicles": 2, "extra": 3, "duration": "2y"}
    assert compute_fee(service(rule=rule), answers) == Decimal("48.75")
    assert compute_fee(service(rule=rule), {"duration": "unknown"}) == Decimal("10.00")


def test_money_is_rounded_half_up_to_cents():
    rule = {"per": {"field": "n", "amount": "0.333"}}
    assert compute_fee(service(rule=rule), {"n": 3}) == Decimal(
        "0.99"
    )  # the amount is in cents first: 0.33 × 3
    assert compute_fee(service(rule=rule), {"n": "0.5"}) == Decimal("0.17")


@pytest.mark.parametrize(
    "rule",
    [
        {},
        None,
        "not a rule",
        ["base"],
        {"base": "abc"},
        {"per": "years"},
        {"per": {"fields": "days", "amount": "1"}},
        {"per": {"fields": [], "amount": "1"}},
        {"per": {"field": ["a"], "amount": "1"}},
        {"per": [1, "x", None]},
        {"choice": {"field": ["x"], "amounts": {}}},
        {"choice": {"field": "x", "amounts": "nope"}},
        {"choice": "x"},
        {"min": "abc", "max": None},
    ],
)
def test_malformed_rules_give_a_fee_not_an_error(rule):
    fee = compute_fee(service(rule=rule), {"days": 2, "x": "1"})
    assert isinstance(fee, Decimal)
    assert fee >= 0


def test_answers_that_are_not_a_dict_are_ignored():
    assert compute_fee(service(rule=PARKING), ["years", 2]) == Decimal("30.00")  # type: ignore[arg-type]


def test_fee_is_decimal_never_float():
    fee = compute_fee(service(rule=ROAD_USE), {"days": 1.1, "square_metres": 30})
    assert isinstance(fee, Decimal)
    assert fee == Decimal("49.50")


def test_rule_fields_lists_the_answers_a_rule_reads():
    assert rule_fields(ROAD_USE) == {"days", "square_metres"}
    assert rule_fields({"per": [{"field": "a"}], "choice": {"field": "b"}}) == {"a", "b"}
    assert rule_fields({"per": {"fields": "days"}}) == set()
    assert rule_fields(None) == set()


GARDEN_COURSE = {
    "per": {
        "field": "companions",
        "add": 1,
        "amount": {"field": "regensburg_pass", "amounts": {"yes": "5.00"}, "default": "15.00"},
    }
}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"regensburg_pass": "no"}, "15.00"),
        ({"regensburg_pass": "yes"}, "5.00"),
        ({"regensburg_pass": "yes", "companions": [{"companion_first_name": "Ida"}]}, "10.00"),
        ({"regensburg_pass": "no", "companions": [{}, {}, {}]}, "60.00"),
        ({}, "15.00"),  # what the service page shows: one person, no pass
        ({"regensburg_pass": ["yes"], "companions": "drei"}, "15.00"),  # nonsense: one person, full price
    ],
)
def test_a_fee_per_person_reduced_by_a_choice(answers, expected):
    assert compute_fee(service(rule=GARDEN_COURSE), answers) == Decimal(expected)


SPAN_ROAD_USE = {
    "per": {"fields": [{"days": ["start_date", "end_date"]}, "square_metres"], "amount": "1.50"},
    "min": "25.00",
}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"start_date": "2026-06-01", "end_date": "2026-06-10", "square_metres": 4}, "60.00"),
        ({"start_date": "2026-06-01", "end_date": "2026-06-01", "square_metres": 20}, "30.00"),  # one day
        # a typed-in day count no longer matters: same day, 730 days claimed
        ({"start_date": "2026-06-01", "end_date": "2026-06-01", "days": 730, "square_metres": 20}, "30.00"),
        (
            {"start_date": "2026-06-10", "end_date": "2026-06-01", "square_metres": 20},
            "25.00",
        ),  # reversed → min
        ({"start_date": "1. Juni", "end_date": "2026-06-01", "square_metres": 20}, "25.00"),
        ({"start_date": "2026-12-31", "end_date": "2027-01-01", "square_metres": 10}, "30.00"),
    ],
)
def test_days_counted_from_the_first_to_the_last_date(answers, expected):
    assert compute_fee(service(rule=SPAN_ROAD_USE), answers) == Decimal(expected)


def test_rule_fields_name_the_dates_and_the_choice_of_an_amount():
    assert rule_fields(SPAN_ROAD_USE) == {"start_date", "end_date", "square_metres"}
    assert rule_fields(GARDEN_COURSE) == {"companions", "regensburg_pass"}
    assert rule_fields({"per": {"fields": [{"days": ["a"]}], "amount": "1"}}) == set()
