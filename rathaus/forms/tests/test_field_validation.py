"""Each field type is validated on the server, whatever the browser sends."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from rathaus.forms.engine import FillContext, FormSpec, validate_step
from rathaus.forms.fields import canonical_number, number_for_input, parse_decimal


def one_field(**field) -> FormSpec:
    return FormSpec.from_json(
        {
            "title": "T",
            "steps": [{"id": "s", "title": "S", "fields": [{"name": "f", "label": "Feld", **field}]}],
        }
    )


def check(field: dict, value, *, language="en"):
    spec = one_field(**field)
    cleaned, errors = validate_step(spec, "s", {"f": value}, context=FillContext(language=language), data={})
    return cleaned.get("f"), errors.get("f")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ({"type": "text"}, "  Maria   Muster ", "Maria Muster"),
        ({"type": "textarea"}, "Zeile 1\nZeile 2", "Zeile 1\nZeile 2"),
        ({"type": "email"}, "maria@example.org", "maria@example.org"),
        ({"type": "phone"}, "+49 941 507-0", "+49 941 507-0"),
        ({"type": "number", "integer": True, "min": 1, "max": 3}, "2", 2),
        ({"type": "number"}, "12,50", "12.5"),
        ({"type": "date"}, "24.12.2026", "2026-12-24"),
        ({"type": "date"}, "2026-12-24", "2026-12-24"),
        ({"type": "iban"}, "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ({"type": "declaration", "required": True}, "on", True),
        ({"type": "text", "format": "digits", "min_length": 15}, "276 098 106 543 210", "276098106543210"),
        ({"type": "text", "format": "alphanumeric"}, "AB12ö", "AB12ö"),
    ],
)
def test_valid_values_are_cleaned_to_their_canonical_form(field, value, expected):
    cleaned, error = check(field, value)
    assert error is None
    assert cleaned == expected


@pytest.mark.parametrize(
    ("field", "value", "message_part"),
    [
        ({"type": "text", "max_length": 5}, "zu lang", "at most 5"),
        ({"type": "email"}, "maria(at)example", "e-mail address"),
        ({"type": "phone"}, "ruf mich an", "phone number"),
        ({"type": "number"}, "zwölf", "Enter a number"),
        ({"type": "number", "integer": True}, "1.5", "whole number"),
        ({"type": "number", "min": 1}, "0", "at least 1"),
        ({"type": "number", "max": 3}, "4", "at most 3"),
        ({"type": "date"}, "31.02.2026", "Enter a date"),
        ({"type": "iban"}, "DE89370400440532013001", "IBAN is not valid"),
        ({"type": "iban"}, "DE8937040044053201300", "IBAN is not valid"),
        ({"type": "declaration", "required": True}, "", "confirm"),
        ({"type": "text", "required": True}, "   ", "fill in"),
        ({"type": "text", "format": "digits", "max_length": 15}, "abcdefghijklmno", "digits only"),
        ({"type": "text", "format": "digits"}, "١٢٣", "digits only"),  # other scripts' digits too
        ({"type": "text", "format": "alphanumeric"}, "AB-12", "letters and digits only"),
    ],
)
def test_invalid_values_are_refused_with_a_message(field, value, message_part):
    cleaned, error = check(field, value)
    assert cleaned is None
    assert error and message_part in error[0]


def test_relative_date_bounds_today_and_days_ahead():
    today = timezone.localdate()
    field = {"type": "date", "min_date": "today", "max_date": "+365d"}
    assert check(field, today.isoformat())[1] is None
    assert check(field, (today + dt.timedelta(days=365)).isoformat())[1] is None
    assert "on or after" in check(field, (today - dt.timedelta(days=1)).isoformat())[1][0]
    assert "on or before" in check(field, (today + dt.timedelta(days=366)).isoformat())[1][0]


def test_age_bound_in_years():
    today = timezone.localdate()
    field = {"type": "date", "max_date": "-16y"}
    assert check(field, today.replace(year=today.year - 20).isoformat())[1] is None
    assert check(field, today.replace(year=today.year - 10).isoformat())[1]


ADDRESS = {"type": "address", "required": True}


def test_german_postal_address_needs_five_digit_postal_code():
    good = {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"}
    assert check(ADDRESS, good) == (good, None)
    _value, error = check(ADDRESS, {**good, "postal_code": "9304"})
    assert "five digits" in error[0]
    _value, error = check(ADDRESS, {**good, "postal_code": "A3047"})
    assert "five digits" in error[0]
    _value, error = check(ADDRESS, {**good, "city": ""})
    assert "postal code and town" in error[0]


def test_address_from_a_form_post_uses_dotted_names():
    from django.http import QueryDict

    spec = one_field(**ADDRESS)
    post = QueryDict("f.street=Domplatz+1&f.postal_code=93047&f.city=Regensburg")
    cleaned, errors = validate_step(spec, "s", post, context=FillContext(), data={})
    assert errors == {}
    assert cleaned["f"] == {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"}


CHOICE = {"type": "choice", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}


def test_single_choice_must_be_one_of_the_options():
    assert check(CHOICE, "a") == ("a", None)
    assert "options offered" in check(CHOICE, "c")[1][0]


def test_multiple_choice_keeps_option_order_and_refuses_foreign_values():
    field = {**CHOICE, "multiple": True}
    assert check(field, ["b", "a", "a"]) == (["a", "b"], None)
    assert "options offered" in check(field, ["a", "evil"])[1][0]


GROUP = {
    "type": "group",
    "min_rows": 1,
    "max_rows": 3,
    "fields": [
        {"name": "plate", "type": "text", "label": "Kennzeichen", "required": True},
        {"name": "holder", "type": "text", "label": "Halter"},
    ],
}


def test_group_rows_within_min_and_max():
    rows = [{"plate": "R-AB 1"}, {"plate": "R-AB 2", "holder": "Firma"}]
    cleaned, error = check(GROUP, rows)
    assert error is None
    assert cleaned == [{"plate": "R-AB 1", "holder": None}, {"plate": "R-AB 2", "holder": "Firma"}]
    assert "at least 1" in check(GROUP, [])[1][0]
    assert "at most 3" in check(GROUP, [{"plate": f"R-X {i}"} for i in range(4)])[1][0]


def test_group_row_errors_name_the_row_and_the_field():
    spec = one_field(**GROUP)
    _cleaned, errors = validate_step(
        spec, "s", {"f": [{"plate": "R-AB 1"}, {"holder": "nur Halter"}]}, context=FillContext(), data={}
    )
    assert list(errors) == ["f.1.plate"]


def test_group_rows_from_a_form_post_and_empty_rows_dropped():
    from django.http import QueryDict

    spec = one_field(**GROUP)
    post = QueryDict("f.0.plate=R-AB+1&f.0.holder=&f.1.plate=&f.1.holder=&f.2.plate=R-CD+2&f.2.evil=x")
    cleaned, errors = validate_step(spec, "s", post, context=FillContext(), data={})
    assert errors == {}
    assert cleaned["f"] == [{"plate": "R-AB 1", "holder": None}, {"plate": "R-CD 2", "holder": None}]


def test_error_summary_does_not_put_a_colon_after_a_sentence():
    from rathaus.forms.rendering import error_links

    spec = one_field(type="declaration", label="Ich erteile ein SEPA-Lastschriftmandat.", required=True)
    (link,) = error_links(spec, None, {"f": ["Bitte bestätigen Sie."]}, same_page=True, language="de")
    assert link["text"] == "Ich erteile ein SEPA-Lastschriftmandat: Bitte bestätigen Sie."
    assert link["url"] == "#f-f"


# --- numbers as people write them -------------------------------------------------------------


def posted(field: dict, text: str, *, language: str):
    """A number field sent by the browser (a form post) in ``language``."""
    from django.http import QueryDict

    spec = one_field(**field)
    post = QueryDict(mutable=True)
    post["f"] = text
    cleaned, errors = validate_step(spec, "s", post, context=FillContext(language=language), data={})
    return cleaned.get("f"), errors.get("f")


@pytest.mark.parametrize(
    ("text", "german", "english"),
    [
        ("1500", "1500", "1500"),
        ("1.500", "1500", "1.5"),  # one thousand five hundred in German
        ("1,500", "1.5", "1500"),  # … and in English
        ("1.500.000", "1500000", "1500000"),
        ("1,500,000", "1500000", "1500000"),
        ("1.234,56", "1234.56", "1234.56"),
        ("1,234.56", "1234.56", "1234.56"),
        ("1 500", "1500", "1500"),
        ("1,5", "1.5", "1.5"),
        ("1.5", "1.5", "1.5"),  # a single dot before one digit can only mark the decimals
        ("12.50", "12.5", "12.5"),
        ("0.500", "0.5", "0.5"),  # no thousands group starts with a zero
        ("1.2345", "1.2345", "1.2345"),
        ("-1.500", "-1500", "-1.5"),
        (",5", "0.5", "0.5"),
    ],
)
def test_typed_numbers_are_read_as_written_in_the_language(text, german, english):
    assert posted({"type": "number"}, text, language="de") == (german, None)
    assert posted({"type": "number"}, text, language="en") == (english, None)


@pytest.mark.parametrize(
    "text", ["1.2.3", "12.345.6", "1,2,3", "1.", "1.500,5.5", "1e5", "NaN", "1,23.4", "--1"]
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_numbers_that_cannot_be_read_safely_are_refused(text, language):
    cleaned, error = posted({"type": "number"}, text, language=language)
    assert cleaned is None
    assert error == [{"de": "Bitte geben Sie eine Zahl ein.", "en": "Enter a number."}[language]]


def test_a_whole_number_field_takes_german_thousands():
    assert posted({"type": "number", "integer": True, "max": 5000}, "1.500", language="de") == (1500, None)
    _cleaned, error = posted({"type": "number", "max": 1000}, "1.500", language="de")
    assert error == ["Bitte geben Sie eine Zahl von höchstens 1000 ein."]


decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=4
)


def _written(number: Decimal, language: str, grouped: bool) -> str:
    text = f"{number:,f}" if grouped else f"{number:f}"  # English: 1,234.5
    if language == "de":
        text = text.translate(str.maketrans(",.", ".,"))  # German: 1.234,5
    return text


@given(number=decimals, language=st.sampled_from(["de", "en"]), grouped=st.booleans())
@settings(max_examples=300, deadline=None)
def test_a_number_written_in_the_language_is_read_as_that_number(number, language, grouped):
    text = _written(number, language, grouped)
    assert parse_decimal(text, language) == number


@given(number=decimals, language=st.sampled_from(["de", "en"]))
@settings(max_examples=300, deadline=None)
def test_a_kept_number_reads_the_same_after_the_page_is_sent_again(number, language):
    """What a draft keeps ("1.125") is shown in the input as the person writes it ("1,125" in
    German) and read back as the same number, never as 1125."""
    kept = canonical_number(number)
    assert parse_decimal(kept) == number  # stored values, the submit's validation
    assert parse_decimal(number_for_input(kept, language), language) == number


@pytest.mark.parametrize(("language", "shown"), [("de", "1,125"), ("en", "1.125")])
def test_the_input_shows_a_kept_number_as_the_person_writes_it(language, shown):
    from rathaus.forms.rendering import bound_fields

    spec = one_field(type="number")
    (bound,) = bound_fields(spec, spec.steps[0], {"f": "1.125"}, {}, FillContext(language=language))
    assert bound.text_value == shown
    assert posted({"type": "number"}, shown, language=language) == ("1.125", None)


@pytest.mark.parametrize(
    ("language", "after", "before"),
    [
        (
            "de",
            "Bitte geben Sie ein Datum ab dem 01.03.2025 ein.",
            "Bitte geben Sie ein Datum bis zum 31.12.2025 ein.",
        ),
        ("en", "Enter a date on or after 1 March 2025.", "Enter a date on or before 31 December 2025."),
    ],
)
def test_date_bounds_are_written_in_the_language(language, after, before):
    field = {"type": "date", "min_date": "2025-03-01", "max_date": "2025-12-31"}
    assert check(field, "2025-02-28", language=language) == (None, [after])
    assert check(field, "01.01.2026", language=language) == (None, [before])


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_date_is_taken_as_the_date_input_sends_it_or_as_day_month_year(language):
    assert check({"type": "date"}, "2026-12-24", language=language) == ("2026-12-24", None)
    assert check({"type": "date"}, "24.12.2026", language=language) == ("2026-12-24", None)
    _cleaned, error = check({"type": "date"}, "12/24/2026", language=language)
    assert error == [
        {
            "de": "Bitte geben Sie ein Datum als Tag.Monat.Jahr ein, zum Beispiel 24.12.2026.",
            "en": "Enter a date as day.month.year, such as 24.12.2026.",
        }[language]
    ]


def _date_read_by_strptime(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", fullmatch=True),
        st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{2,4}", fullmatch=True),
        st.dates().map(dt.date.isoformat),
        st.text(max_size=12),
    )
)
def test_a_date_is_read_as_strptime_reads_it(text):
    """The shortcut for the date input's ISO form reads exactly what the patterns read."""
    from django.core.exceptions import ValidationError

    from rathaus.forms.fields import parse_date

    expected = _date_read_by_strptime(text.strip())
    try:
        assert parse_date(text) == expected
    except ValidationError:
        assert expected is None
