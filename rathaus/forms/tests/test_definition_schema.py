"""Form definitions are checked against our JSON Schema and semantically, with readable messages."""

import copy

import pytest
from django.utils import translation

from rathaus.forms.definitions import load, names
from rathaus.forms.engine import FormDefinitionError, FormSpec


def minimal(**field):
    return {
        "title": "Test",
        "steps": [
            {"id": "one", "title": "Eins", "fields": [{"name": "a", "type": "text", "label": "A", **field}]}
        ],
    }


def messages_for(definition) -> list[str]:
    with pytest.raises(FormDefinitionError) as caught:
        FormSpec.from_json(definition)
    return caught.value.messages


@pytest.mark.parametrize("name", names())
def test_shipped_example_definitions_are_valid(name):
    spec = FormSpec.from_json(load(name))
    assert spec.steps


def test_example_definitions_cover_parking_and_defect_report():
    assert {"bewohnerparkausweis", "maengelmelder"} <= set(names())


def test_json_text_is_accepted_and_broken_json_named_with_position():
    assert FormSpec.from_json(
        '{"title": "T", "steps": [{"id": "s", "title": "S", "fields": [{"name": "a", "type": "text", "label": "A"}]}]}'
    )
    problems = messages_for('{"title": "T", "steps": [')
    assert problems[0].startswith("JSON:") and "line 1" in problems[0]
    with translation.override("de"):
        assert "Zeile 1" in messages_for('{"title": "T", "steps": [')[0]


def test_unknown_field_type_is_named_with_its_path():
    problems = messages_for(minimal(type="colour"))
    assert len(problems) == 1
    assert problems[0].startswith("steps[0].fields[0].type:")
    assert "“colour” is not allowed here" in problems[0]
    assert "text, textarea" in problems[0]  # the allowed types are named


def test_missing_title_and_unknown_key_are_reported():
    definition = minimal()
    del definition["title"]
    definition["colour"] = "red"
    with translation.override("en"):
        problems = messages_for(definition)
    assert "(definition): “title” is missing." in problems
    assert "(definition): Unknown key: “colour”." in problems
    with translation.override("de"):
        german = messages_for(definition)
    assert any("fehlt" in p and "title" in p for p in german)
    assert any("Unbekannter Schlüssel" in p and "colour" in p for p in german)


def test_schema_messages_speak_the_editors_language():
    """jsonschema's own messages are English and technical; the editor reads German words."""
    definition = minimal()
    definition["steps"][0]["fields"] = []
    definition["steps"][0]["title"] = 5
    with translation.override("de"):
        german = messages_for(definition)
    assert "steps[0].fields: Braucht mindestens 1 Eintrag." in german, german
    assert any(p.startswith("steps[0].title: ") and "Text" in p for p in german), german
    assert not any("should be" in p or "is not of type" in p for p in german), german


def test_choice_without_options_is_refused():
    with translation.override("en"):
        problems = messages_for(minimal(type="choice"))
    assert problems == ["steps[0].fields[0]: “options” is missing."]


def test_field_names_must_be_unique_also_inside_groups():
    definition = minimal()
    definition["steps"][0]["fields"].append(
        {"name": "g", "type": "group", "label": "G", "fields": [{"name": "a", "type": "text", "label": "A"}]}
    )
    assert messages_for(definition) == ["steps[0].fields[1].fields[0].name: the field name 'a' is used twice"]


def test_conditions_and_rules_must_name_existing_fields():
    definition = minimal(visible_if={"field": "ghost", "equals": "x"})
    definition["rules"] = [{"type": "at_least_one", "fields": ["a", "phantom"]}]
    problems = messages_for(definition)
    assert "steps[0].fields[0].visible_if: the condition refers to the unknown field 'ghost'" in problems
    assert "rules[0]: the rule refers to the unknown field 'phantom'" in problems


def test_bounds_must_make_sense():
    assert messages_for(minimal(type="number", min=10, max=1)) == [
        "steps[0].fields[0]: min is greater than max"
    ]
    assert (
        "min_date is after max_date"
        in messages_for(minimal(type="date", min_date="+10d", max_date="today"))[0]
    )
    assert (
        "“tomorrow” does not have the expected form"
        in messages_for(minimal(type="date", min_date="tomorrow"))[0]
    )


def test_once_only_must_fit_the_field_type():
    problems = messages_for(minimal(type="number", once_only="eid_address"))
    assert problems == ["steps[0].fields[0].once_only: 'eid_address' does not fit a field of type number"]


def test_groups_cannot_be_nested():
    inner = {
        "name": "inner",
        "type": "group",
        "label": "I",
        "fields": [{"name": "x", "type": "text", "label": "X"}],
    }
    problems = messages_for(minimal(type="group", fields=[inner]))
    assert problems == ["steps[0].fields[0].fields[0].type: groups cannot be nested"]


def test_date_order_rule_needs_date_fields():
    definition = minimal()
    definition["steps"][0]["fields"].append({"name": "b", "type": "date", "label": "B"})
    definition["rules"] = [{"type": "date_order", "before": "a", "after": "b"}]
    assert messages_for(definition) == ["rules[0]: 'a' is not a date field"]


def test_reserved_step_id_is_refused():
    definition = copy.deepcopy(minimal())
    definition["steps"][0]["id"] = "zusammenfassung"
    assert "reserved" in messages_for(definition)[0]


def test_spec_reports_file_and_once_only_fields(parking_spec, defect_spec):
    assert parking_spec.has_file_field and parking_spec.has_once_only
    assert defect_spec.has_file_field and not defect_spec.has_once_only
