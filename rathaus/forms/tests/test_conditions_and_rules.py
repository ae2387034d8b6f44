"""Conditional visibility and requiredness, cross-field rules, and refusing what was added by hand."""

import pytest
from django.http import QueryDict

from rathaus.forms.conditions import evaluate
from rathaus.forms.engine import FillContext, FormSpec, FormValidationError, validate_all, validate_step

CTX = FillContext(language="en")

SPEC = {
    "title": "T",
    "steps": [
        {
            "id": "kind",
            "title": "Art",
            "fields": [
                {
                    "name": "applicant",
                    "type": "choice",
                    "label": "Wer",
                    "required": True,
                    "options": [
                        {"value": "person", "label": "Person"},
                        {"value": "company", "label": "Firma"},
                    ],
                },
                {
                    "name": "company_name",
                    "type": "text",
                    "label": "Firmenname",
                    "visible_if": {"field": "applicant", "equals": "company"},
                    "required_if": {"field": "applicant", "equals": "company"},
                },
                {
                    "name": "wants_call",
                    "type": "choice",
                    "label": "Rückruf",
                    "options": [{"value": "yes", "label": "Ja"}, {"value": "no", "label": "Nein"}],
                },
                {
                    "name": "phone",
                    "type": "phone",
                    "label": "Telefon",
                    "required_if": {"field": "wants_call", "equals": "yes"},
                },
            ],
        },
        {
            "id": "company",
            "title": "Firma",
            "visible_if": {"field": "applicant", "equals": "company"},
            "fields": [
                {"name": "register_number", "type": "text", "label": "Registernummer", "required": True}
            ],
        },
        {
            "id": "period",
            "title": "Zeitraum",
            "fields": [
                {"name": "start", "type": "date", "label": "Beginn", "required": True},
                {"name": "end", "type": "date", "label": "Ende", "required": True},
                {"name": "adults", "type": "number", "label": "Erwachsene", "integer": True},
                {"name": "children", "type": "number", "label": "Kinder", "integer": True},
                {"name": "email", "type": "email", "label": "E-Mail"},
                {"name": "post_address", "type": "address", "label": "Postanschrift"},
            ],
        },
    ],
    "rules": [
        {"type": "date_order", "before": "start", "after": "end"},
        {"type": "at_least_one", "fields": ["email", "post_address"]},
        {
            "type": "compare",
            "left": {"sum": ["adults", "children"]},
            "op": "<=",
            "right": {"value": 6},
            "error_field": "children",
            "message": {"de": "Höchstens 6 Personen.", "en": "At most 6 people."},
        },
    ],
}
PERSON_DATA = {
    "applicant": "person",
    "start": "2026-05-01",
    "end": "2026-05-03",
    "email": "a@example.org",
}


@pytest.fixture
def spec():
    return FormSpec.from_json(SPEC)


@pytest.mark.parametrize(
    ("condition", "data", "expected"),
    [
        ({"field": "a", "equals": "x"}, {"a": "x"}, True),
        ({"field": "a", "equals": "x"}, {"a": ["x", "y"]}, True),
        ({"field": "a", "in": ["x", "y"]}, {"a": "z"}, False),
        ({"field": "a", "filled": True}, {"a": "  "}, False),
        ({"field": "a", "filled": False}, {}, True),
        ({"all": [{"field": "a", "equals": 1}, {"field": "b", "filled": True}]}, {"a": 1, "b": "x"}, True),
        ({"any": [{"field": "a", "equals": 1}, {"field": "b", "filled": True}]}, {"a": 2}, False),
        ({"not": {"field": "a", "equals": "x"}}, {"a": "x"}, False),
        ({"field": "ok", "equals": True}, {"ok": True}, True),
    ],
)
def test_conditions(condition, data, expected):
    assert evaluate(condition, data) is expected


def test_value_of_a_hidden_field_is_dropped_on_step_save(spec):
    cleaned, errors = validate_step(
        spec, "kind", {"applicant": "person", "company_name": "Schein GmbH"}, context=CTX, data={}
    )
    assert errors == {}
    assert "company_name" not in cleaned


def test_required_if_is_decided_on_the_server(spec):
    _cleaned, errors = validate_step(spec, "kind", {"applicant": "company"}, context=CTX, data={})
    assert list(errors) == ["company_name"]
    _cleaned, errors = validate_step(
        spec, "kind", {"applicant": "person", "wants_call": "yes"}, context=CTX, data={}
    )
    assert list(errors) == ["phone"]


def test_hidden_steps_values_are_dropped_on_submit(spec):
    data = {**PERSON_DATA, "company_name": "Schein GmbH", "register_number": "HRB 1"}
    cleaned = validate_all(spec, data, context=CTX)
    assert "company_name" not in cleaned
    assert "register_number" not in cleaned
    assert cleaned["applicant"] == "person"


def test_a_visible_step_is_validated_on_submit_even_if_never_saved(spec):
    with pytest.raises(FormValidationError) as caught:
        validate_all(spec, {**PERSON_DATA, "applicant": "company", "company_name": "X GmbH"}, context=CTX)
    assert list(caught.value.errors) == ["register_number"]


def test_fields_added_by_hand_are_dropped(spec):
    post = QueryDict("applicant=person&is_admin=1&fee_waived=yes&company_name=evil")
    cleaned, errors = validate_step(spec, "kind", post, context=CTX, data={})
    assert errors == {}
    assert set(cleaned) == {"applicant", "wants_call", "phone"}
    cleaned = validate_all(spec, {**PERSON_DATA, "is_admin": True, "_once_only": {"x": {}}}, context=CTX)
    assert "is_admin" not in cleaned and "_once_only" not in cleaned


def test_date_order_rule(spec):
    with pytest.raises(FormValidationError) as caught:
        validate_all(spec, {**PERSON_DATA, "start": "2026-05-03", "end": "2026-05-01"}, context=CTX)
    assert caught.value.errors == {"end": ["Ende must not be before Beginn."]}
    validate_all(spec, {**PERSON_DATA, "start": "2026-05-03", "end": "2026-05-03"}, context=CTX)


def test_at_least_one_of_rule(spec):
    with pytest.raises(FormValidationError) as caught:
        validate_all(spec, {**PERSON_DATA, "email": ""}, context=CTX)
    assert list(caught.value.errors) == ["email"]
    assert "at least one of: E-Mail, Postanschrift" in caught.value.errors["email"][0]
    address = {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"}
    assert (
        validate_all(spec, {**PERSON_DATA, "email": "", "post_address": address}, context=CTX)["post_address"]
        == address
    )


def test_sum_compare_rule_with_own_message_in_the_step(spec):
    data = {
        "start": "2026-05-01",
        "end": "2026-05-02",
        "adults": "4",
        "children": "3",
        "email": "a@example.org",
    }
    _cleaned, errors = validate_step(spec, "period", data, context=CTX, data={})
    assert errors == {"children": ["At most 6 people."]}
    _cleaned, errors = validate_step(spec, "period", {**data, "children": "2"}, context=CTX, data={})
    assert errors == {}


def test_conditions_inside_group_rows(parking_spec):
    rows = [
        {"plate": "R-AB 1", "holder": "self", "holder_name": "versteckt"},
        {"plate": "R-AB 2", "holder": "other"},
    ]
    data = {"vehicles": rows, "valid_from": None, "duration": "1y"}
    cleaned, errors = validate_step(parking_spec, "vehicles", data, context=CTX, data={})
    assert list(errors) == ["vehicles.1.holder_name", "valid_from"]
    assert errors["vehicles.1.holder_name"] == ["Please fill in this field."]
    assert "vehicles" not in cleaned
