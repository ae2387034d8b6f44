"""The form engine: declarative form definitions, server-side validation, summaries.

Public interface (other apps import only these names)::

    spec = FormSpec.from_json(definition)         # FormDefinitionError with readable messages
    spec.steps                                    # [Step(id, fields, ...)]
    cleaned, errors = validate_step(spec, step_id, raw_data, context=ctx)
    cleaned = validate_all(spec, data, context=ctx)   # FormValidationError(errors_by_field)
    data = answers_from_post(spec, query_dict)    # a whole form posted at once, as ``data``
    summary_rows(spec, cleaned, "de")             # [(label, display value)]

A definition is JSON, checked against ``schema.json`` and then semantically (unique names,
conditions and rules that name existing fields, sensible bounds). Everything a browser sends is
re-validated here: fields the definition does not know are dropped, values of fields hidden by a
condition (or in a hidden step) are dropped, requiredness is decided on the server, choices must
be among the options, groups within their row bounds, and file answers must name uploads of
the very draft being filled (``FillContext.draft``).

Once-only: a field with ``"once_only": "eid_address"`` (or ``eid_birth_date``, ``eid_first_name``,
``eid_last_name``) is not asked when the current login has trust level substantial or high and the
account holds that data verified by the eID (``identity_trust_level``). The value is taken over
and recorded under ``cleaned["_once_only"][field] = {"source", "trust_level", "value"}``.

Version changes (design decision): a draft keeps the form version it was started on, and it is
submitted on that version even if a newer one was published meanwhile. Versions are immutable
and never deleted while drafts or submissions use them, so nothing a person entered is lost or
reinterpreted; the submission records exactly the form the person saw.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rathaus.accounts.constants import TrustLevel

from .conditions import check_rule, evaluate, is_empty, referenced_fields, rule_fields
from .constants import ADDRESS_PARTS, ONCE_ONLY_KEY
from .fields import (
    CLEANERS,
    clean_declaration,
    empty_value,
    file_answer,
    format_day,
    is_upload_id,
    resolve_date_bound,
    typed_number,
)

__all__ = [
    "FillContext",
    "FormDefinitionError",
    "FormSpec",
    "FormValidationError",
    "Step",
    "answers_from_post",
    "field_html_id",
    "prefill_data",
    "summary_rows",
    "summary_sections",
    "taken_over_value",
    "validate_all",
    "validate_step",
]

SCHEMA_PATH = Path(__file__).with_name("schema.json")
MAX_PARSED_ROWS = 60
RESERVED_STEP_IDS = {"zusammenfassung", "hochladen", "speichern"}
MAX_STRING = 10_000
ONCE_ONLY_TYPES = {
    "eid_address": {"address", "file"},
    "eid_birth_date": {"date", "file"},
    "eid_first_name": {"text", "file"},
    "eid_last_name": {"text", "file"},
}
PREFILL_TYPES = {
    "address": {"address"},
    "birth_date": {"date"},
    "email": {"email", "text"},
    "phone": {"phone", "text"},
}


class FormDefinitionError(Exception):
    """The definition is not valid; ``messages`` says what and where, one line each."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


class FormValidationError(Exception):
    """The answers are not valid; ``errors`` maps field keys (``group.0.child``) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} invalid answer(s): {', '.join(sorted(errors))}")


@dataclass(frozen=True)
class FillContext:
    """Who fills the form: the account (or None), the login's trust level and the language.
    ``draft`` is the draft whose uploads file answers may name; ``uploads`` maps the ids of
    files checked in this very request (not stored yet) to their question's name, which file
    answers may name too (a submission in one request, without a draft)."""

    user: Any = None
    trust_level: str | None = None
    language: str = "de"
    draft: Any = None
    uploads: Mapping[str, str] | None = None


def localized(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return value.get(language) or value.get("de") or ""
    return value or ""


@dataclass
class Field:
    name: str
    type: str
    raw: dict
    step_id: str
    group: str | None = None
    children: list[Field] = dataclass_field(default_factory=list)

    def label(self, language: str) -> str:
        return localized(self.raw.get("label"), language)

    def hint(self, language: str) -> str:
        return localized(self.raw.get("hint"), language)

    @property
    def required(self) -> bool:
        return bool(self.raw.get("required", False))

    @property
    def multiple(self) -> bool:
        return bool(self.raw.get("multiple", False))

    @property
    def once_only(self) -> str | None:
        return self.raw.get("once_only")

    def child(self, name: str) -> Field | None:
        return next((child for child in self.children if child.name == name), None)

    def options(self, language: str) -> list[tuple[str, str]]:
        return [(o["value"], localized(o["label"], language)) for o in self.raw.get("options", [])]

    def is_required(self, data: Mapping[str, Any]) -> bool:
        return self.required or ("required_if" in self.raw and evaluate(self.raw["required_if"], data))


@dataclass
class Step:
    id: str
    raw: dict
    fields: list[Field]

    def title(self, language: str) -> str:
        return localized(self.raw.get("title"), language)

    def description(self, language: str) -> str:
        return localized(self.raw.get("description"), language)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _where(path: Iterable) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(definition)"


def _schema_messages(schema: Any) -> list[str]:
    messages = []
    for error in sorted(_validator().iter_errors(schema), key=lambda e: list(map(str, e.absolute_path))):
        best = jsonschema.exceptions.best_match(error.context) if error.context else error
        messages.append(f"{_where(best.absolute_path)}: {_schema_message(best)}")
    return messages


_JSON_TYPES = {
    "object": gettext_lazy("an object {…}"),
    "array": gettext_lazy("a list […]"),
    "string": gettext_lazy("a text in quotes"),
    "integer": gettext_lazy("a whole number"),
    "number": gettext_lazy("a number"),
    "boolean": gettext_lazy("true or false"),
}


def _quoted(message: str) -> list[str]:
    return re.findall(r"'([^']*)'", message)


def _schema_message(error: jsonschema.ValidationError) -> str:
    """The editor's message for one violation of ``schema.json``, in the editor's language
    (jsonschema's own messages are English and technical)."""
    kind, value = error.validator, error.validator_value
    if kind == "required" and (names := _quoted(error.message)):
        return _("“%(name)s” is missing.") % {"name": names[0]}
    if kind == "additionalProperties":
        names = _quoted(error.message.split("(", 1)[-1]) or _quoted(error.message)
        return _("Unknown key: %(names)s.") % {"names": ", ".join(f"“{name}”" for name in names)}
    if kind == "type":
        wanted = value if isinstance(value, list) else [value]
        kinds = " / ".join(str(_JSON_TYPES.get(name, name)) for name in wanted)
        return _("Must be %(kind)s.") % {"kind": kinds}
    if kind == "enum":
        return _("“%(value)s” is not allowed here; possible: %(allowed)s.") % {
            "value": error.instance,
            "allowed": ", ".join(str(option) for option in value),
        }
    if kind == "const":
        return _("Must be “%(value)s”.") % {"value": value}
    if kind == "minItems":
        return ngettext("Needs at least %(count)d entry.", "Needs at least %(count)d entries.", value) % {
            "count": value
        }
    if kind == "maxItems":
        return ngettext("Takes at most %(count)d entry.", "Takes at most %(count)d entries.", value) % {
            "count": value
        }
    if kind == "minLength":
        return _("Must not be empty.") if value == 1 else _("Too short.")
    if kind == "maxLength":
        return _("Too long (at most %(count)d characters).") % {"count": value}
    if kind in ("minimum", "exclusiveMinimum"):
        return _("Must be at least %(limit)s.") % {"limit": value}
    if kind in ("maximum", "exclusiveMaximum"):
        return _("Must be at most %(limit)s.") % {"limit": value}
    if kind == "pattern":
        return _("“%(value)s” does not have the expected form.") % {"value": error.instance}
    return _("Not allowed here: %(detail)s") % {"detail": error.message}


class FormSpec:
    """A parsed, checked form definition."""

    def __init__(self, schema: dict, steps: list[Step]):
        self.schema = schema
        self.steps = steps
        self.rules: list[dict] = list(schema.get("rules", []))
        self.top_fields: dict[str, Field] = {f.name: f for s in steps for f in s.fields}
        self.all_fields: dict[str, Field] = {}
        for top in self.top_fields.values():
            self.all_fields[top.name] = top
            self.all_fields.update({child.name: child for child in top.children})

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_json(cls, schema: Any) -> FormSpec:
        if isinstance(schema, str | bytes):
            try:
                schema = json.loads(schema)
            except json.JSONDecodeError as exc:
                raise FormDefinitionError(
                    [
                        _("JSON: not valid JSON, error at line %(line)d, column %(column)d.")
                        % {"line": exc.lineno, "column": exc.colno}
                    ]
                ) from None
        messages = _schema_messages(schema)
        if messages:
            raise FormDefinitionError(messages)
        steps = [
            Step(
                id=step["id"],
                raw=step,
                fields=[_build_field(f, step["id"]) for f in step["fields"]],
            )
            for step in schema["steps"]
        ]
        spec = cls(schema, steps)
        messages = spec._semantic_messages()
        if messages:
            raise FormDefinitionError(messages)
        return spec

    def _semantic_messages(self) -> list[str]:
        messages: list[str] = []
        seen_steps: set[str] = set()
        seen_fields: set[str] = set()
        for step_index, step in enumerate(self.steps):
            where = f"steps[{step_index}]"
            if step.id in seen_steps:
                messages.append(f"{where}.id: the step id '{step.id}' is used twice")
            seen_steps.add(step.id)
            if step.id in RESERVED_STEP_IDS:
                messages.append(f"{where}.id: '{step.id}' is reserved, please choose another step id")
            messages += self._condition_messages(step.raw.get("visible_if"), f"{where}.visible_if")
            for field_index, fld in enumerate(step.fields):
                for name, path in _names_with_paths(fld, f"{where}.fields[{field_index}]"):
                    if name in seen_fields:
                        messages.append(f"{path}.name: the field name '{name}' is used twice")
                    seen_fields.add(name)
        for step_index, step in enumerate(self.steps):
            for field_index, fld in enumerate(step.fields):
                messages += self._field_messages(fld, f"steps[{step_index}].fields[{field_index}]")
        for index, rule in enumerate(self.rules):
            messages += self._rule_messages(rule, f"rules[{index}]")
        return messages

    def _condition_messages(self, condition, where: str, extra: Iterable[str] = ()) -> list[str]:
        known = set(self.top_fields) | set(extra)
        return [
            f"{where}: the condition refers to the unknown field '{name}'"
            for name in referenced_fields(condition)
            if name not in known
        ]

    def _field_messages(self, fld: Field, where: str, siblings: Iterable[str] = ()) -> list[str]:
        raw, messages = fld.raw, []
        for key in ("visible_if", "required_if"):
            messages += self._condition_messages(raw.get(key), f"{where}.{key}", siblings)
            if fld.name in referenced_fields(raw.get(key)):
                messages.append(f"{where}.{key}: a field cannot depend on itself")
        for low, high in (("min", "max"), ("min_length", "max_length"), ("min_rows", "max_rows")):
            if low in raw and high in raw and raw[low] > raw[high]:
                messages.append(f"{where}: {low} is greater than {high}")
        if "min_date" in raw and "max_date" in raw:
            today = dt.date(2000, 1, 1)
            if resolve_date_bound(raw["min_date"], today) > resolve_date_bound(raw["max_date"], today):
                messages.append(f"{where}: min_date is after max_date")
        if raw.get("once_only") and fld.type not in ONCE_ONLY_TYPES[raw["once_only"]]:
            messages.append(
                f"{where}.once_only: '{raw['once_only']}' does not fit a field of type {fld.type}"
            )
        if raw.get("once_only") and fld.group:
            messages.append(f"{where}.once_only: not possible inside a group")
        prefill = raw.get("prefill")
        if prefill and fld.type not in PREFILL_TYPES.get(prefill, {"text"}):
            messages.append(f"{where}.prefill: '{prefill}' does not fit a field of type {fld.type}")
        widget = raw.get("widget")
        if (widget == "checkbox" and not fld.multiple) or (widget in ("radio", "select") and fld.multiple):
            messages.append(f"{where}.widget: '{widget}' does not fit multiple={fld.multiple}")
        if fld.type == "choice":
            values = [o["value"] for o in raw["options"]]
            if len(values) != len(set(values)):
                messages.append(f"{where}.options: an option value is used twice")
        if fld.type == "group":
            names = [child.name for child in fld.children]
            for index, child in enumerate(fld.children):
                child_where = f"{where}.fields[{index}]"
                if child.type == "group":
                    messages.append(f"{child_where}.type: groups cannot be nested")
                    continue
                messages += self._field_messages(child, child_where, names)
        return messages

    def _rule_messages(self, rule: dict, where: str) -> list[str]:
        messages = []
        refs = [rule.get("before"), rule.get("after")] if rule["type"] == "date_order" else []
        refs += rule.get("fields", [])
        for operand in (rule.get("left"), rule.get("right")):
            if isinstance(operand, str):
                refs.append(operand)
            elif isinstance(operand, dict):
                refs += operand.get("sum", [])
        if rule.get("error_field"):
            refs.append(rule["error_field"])
        for ref in refs:
            group, _dot, child = ref.partition(".")
            top = self.top_fields.get(group)
            if top is None or (child and not any(c.name == child for c in top.children)):
                messages.append(f"{where}: the rule refers to the unknown field '{ref}'")
            elif rule["type"] == "date_order" and top.type != "date":
                messages.append(f"{where}: '{ref}' is not a date field")
            elif rule["type"] == "compare" and not child and top.type not in ("number", "date"):
                messages.append(f"{where}: '{ref}' is neither a number nor a date field")
        return messages

    # --- queries ----------------------------------------------------------------------------
    def title(self, language: str) -> str:
        return localized(self.schema.get("title"), language)

    def intro(self, language: str) -> str:
        return localized(self.schema.get("intro"), language)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def step_of(self, key: str) -> str | None:
        top = self.top_fields.get(key.split(".")[0])
        return top.step_id if top else None

    @property
    def has_file_field(self) -> bool:
        return any(f.type == "file" for f in self.all_fields.values())

    @property
    def has_once_only(self) -> bool:
        return any(f.once_only for f in self.all_fields.values())

    def visible_steps(self, data: Mapping[str, Any]) -> list[Step]:
        steps, _fields = visibility(self, data)
        return [step for step in self.steps if step.id in steps]


def _build_field(raw: dict, step_id: str, group: str | None = None) -> Field:
    fld = Field(name=raw["name"], type=raw["type"], raw=raw, step_id=step_id, group=group)
    fld.children = [_build_field(child, step_id, raw["name"]) for child in raw.get("fields", [])]
    return fld


def _names_with_paths(fld: Field, where: str):
    yield fld.name, where
    for index, child in enumerate(fld.children):
        yield from _names_with_paths(child, f"{where}.fields[{index}]")


# --- visibility, once-only, prefill ---------------------------------------------------------


def visibility(spec: FormSpec, data: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Visible step ids and top-level field names. Hidden fields count as empty for conditions,
    so we iterate until the answer is stable (bounded: conditions may form odd chains)."""
    visible = set(spec.top_fields)
    steps: set[str] = set()
    for _round in range(len(visible) + 2):
        effective = {name: value for name, value in data.items() if name in visible}
        steps = {s.id for s in spec.steps if evaluate(s.raw.get("visible_if"), effective)}
        now = {
            f.name
            for s in spec.steps
            if s.id in steps
            for f in s.fields
            if evaluate(f.raw.get("visible_if"), effective)
        }
        if now == visible:
            break
        visible = now
    return steps, visible


def _once_only_source(source: str, user) -> Any:
    if source == "eid_address":
        parts = {part: getattr(user, part, "") or "" for part in ADDRESS_PARTS}
        return parts if all(parts.values()) else None
    if source == "eid_birth_date":
        return user.birth_date.isoformat() if user.birth_date else None
    return getattr(user, source.removeprefix("eid_"), "") or None


def taken_over_value(fld: Field, context: FillContext) -> Any:
    """The eID-verified account value that replaces this field, or None if it must be asked."""
    user = context.user
    if not fld.once_only or user is None or not getattr(user, "is_authenticated", False):
        return None
    draft = getattr(context, "draft", None)
    if draft is not None and getattr(draft, "channel", "online") != "online":
        # Entered by staff for somebody else: the login is the caseworker's, not the applicant's.
        return None
    substantial = TrustLevel.rank(TrustLevel.SUBSTANTIAL)
    if TrustLevel.rank(context.trust_level) < substantial:
        return None
    if TrustLevel.rank(getattr(user, "identity_trust_level", "")) < substantial:
        return None
    return _once_only_source(fld.once_only, user)


def prefill_data(spec: FormSpec, user) -> dict[str, Any]:
    """Initial answers from the account for fields with a ``prefill`` key (editable)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    data = {}
    for fld in spec.top_fields.values():
        source = fld.raw.get("prefill")
        if not source:
            continue
        if source == "address":
            value: Any = {part: getattr(user, part, "") or "" for part in ADDRESS_PARTS}
        elif source == "birth_date":
            value = user.birth_date.isoformat() if user.birth_date else ""
        else:
            value = getattr(user, source, "") or ""
        if not is_empty(value):
            data[fld.name] = value
    return data


# --- parsing what was entered ---------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value[:MAX_STRING]
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value[:MAX_PARSED_ROWS]]
    if isinstance(value, dict):
        return {str(k)[:100]: _jsonable(v) for k, v in list(value.items())[:100]}
    return str(value)[:MAX_STRING]


def _extract(fld: Field, raw: Any, prefix: str = "", language: str = "de") -> Any:
    """The structured answer for ``fld`` from a form post (QueryDict) or a dict; only what the
    definition knows is read, so anything added by hand is dropped here. Numbers in a form post
    are read as written in ``language`` and kept as drafts keep them (``typed_number``)."""
    key = prefix + fld.name
    if hasattr(raw, "getlist"):
        if fld.type == "file":
            # An empty file input arrives as ``name=""``: no file, not an upload id.
            return file_answer(raw.getlist(key))
        if fld.type == "choice" and fld.multiple:
            return raw.getlist(key)
        if fld.type == "address":
            parts = {part: raw.get(f"{key}.{part}") for part in ADDRESS_PARTS}
            return None if all(v is None for v in parts.values()) else parts
        if fld.type == "group":
            pattern = re.compile(rf"^{re.escape(key)}\.(\d{{1,3}})\.")
            indices = sorted({int(m.group(1)) for k in raw if (m := pattern.match(k))})
            rows = [
                {child.name: _extract(child, raw, f"{key}.{i}.", language) for child in fld.children}
                for i in indices[:MAX_PARSED_ROWS]
            ]
            return _normalize_rows(fld, rows)
        if fld.type == "number":
            return typed_number(raw.get(key), language)
        return raw.get(key)
    if not isinstance(raw, Mapping):
        return None
    value = raw.get(fld.name)
    if fld.type == "group":
        return _normalize_rows(fld, value)
    if fld.type == "file" and value is not None:
        return file_answer(value)
    if fld.type == "address" and isinstance(value, Mapping):
        return {part: value.get(part) for part in ADDRESS_PARTS}
    return value


def storable_answer(fld: Field, value: Any) -> Any:
    """What a draft may keep of an answer as entered, even an invalid one: everything but file
    references that cannot name an upload (empty or not a UUID), which are dropped, also in the
    rows of a group."""
    if fld.type == "file":
        return [item for item in file_answer(value) if is_upload_id(item)] if value is not None else value
    if fld.type == "group" and isinstance(value, list):
        return [
            {
                name: storable_answer(child, row[name]) if (child := fld.child(name)) else row[name]
                for name in row
            }
            if isinstance(row, Mapping)
            else row
            for row in value
        ]
    return value


def answers_from_post(spec: FormSpec, raw: Any, language: str = "de") -> dict[str, Any]:
    """The answers of the whole form from one form post (``QueryDict``: ``address.street``,
    ``group.0.name``, repeated fields for multiple choices and files), structured as a draft
    keeps them; only what the definition knows is read."""
    return {fld.name: _jsonable(_extract(fld, raw, language=language)) for fld in spec.top_fields.values()}


def _normalize_rows(fld: Field, rows: Any) -> list[dict]:
    """Rows as dicts of the group's own fields; rows left completely empty are dropped."""
    if not isinstance(rows, list):
        return []
    normalized = []
    for row in rows[:MAX_PARSED_ROWS]:
        if not isinstance(row, Mapping):
            continue
        clean_row = {child.name: _extract(child, row) for child in fld.children}
        if not is_empty(clean_row):
            normalized.append(clean_row)
    return normalized


# --- validation -----------------------------------------------------------------------------


def _required_message(fld: Field) -> str:
    if fld.type == "choice":
        return _("Please choose an option.")
    if fld.type == "file":
        return _("Please attach a file.")
    if fld.type == "address":
        return _("Enter street and number, postal code and town.")
    return _("Please fill in this field.")


def _uploads_belong_to_draft(fld: Field, ids: list[str], context: FillContext) -> bool:
    given = context.uploads or {}
    ids = [i for i in ids if given.get(i) != fld.name]
    if not ids:
        return True
    if context.draft is None:
        return False
    from .models import Upload  # the engine reads the model only for this ownership check

    try:
        found = Upload.objects.filter(
            draft=context.draft, field_name=fld.name, submission__isnull=True, pk__in=ids
        ).values_list("pk", flat=True)
        return {str(pk) for pk in found} == set(ids)
    except (ValidationError, ValueError):
        return False


def _clean_field(fld: Field, value: Any, scope: Mapping, context: FillContext, errors: dict, key: str) -> Any:
    required = fld.is_required(scope)
    if fld.type == "group":
        return _clean_group(fld, value, scope, context, errors, key, required)
    if fld.type == "declaration":
        confirmed = clean_declaration(fld, value, context)
        if required and not confirmed:
            errors[key] = [_("Please confirm this declaration.")]
        return confirmed
    if is_empty(value):
        if required:
            errors[key] = [_required_message(fld)]
        return empty_value(fld)
    try:
        cleaned = CLEANERS[fld.type](fld, value, context)
    except ValidationError as exc:
        errors[key] = exc.messages
        return empty_value(fld)
    if fld.type == "file":
        if not _uploads_belong_to_draft(fld, cleaned, context):
            errors[key] = [_("A file reference is not valid. Please upload the file again.")]
            return []
        if required and not cleaned:
            errors[key] = [_required_message(fld)]
    return cleaned


def _clean_group(fld, value, scope, context, errors, key, required) -> list[dict]:
    rows = _normalize_rows(fld, value)
    min_rows = max(fld.raw.get("min_rows", 0), 1 if required else 0)
    max_rows = fld.raw.get("max_rows", 10)
    cleaned_rows = []
    for index, row in enumerate(rows[:max_rows]):
        row_scope = {**scope, **row}
        cleaned_rows.append(
            {
                child.name: _clean_field(
                    child, row.get(child.name), row_scope, context, errors, f"{key}.{index}.{child.name}"
                )
                for child in fld.children
                if evaluate(child.raw.get("visible_if"), row_scope)
            }
        )
    if len(rows) < min_rows:
        errors[key] = [
            ngettext("Add at least %(count)d entry.", "Add at least %(count)d entries.", min_rows)
            % {"count": min_rows}
        ]
    elif len(rows) > max_rows:
        errors[key] = [
            ngettext("Add at most %(count)d entry.", "Add at most %(count)d entries.", max_rows)
            % {"count": max_rows}
        ]
    return cleaned_rows


def has_error(name: str, errors: Mapping[str, Any]) -> bool:
    return any(key == name or key.startswith(f"{name}.") for key in errors)


def _apply_rules(spec: FormSpec, rules: Iterable[dict], cleaned: dict, errors: dict, language: str) -> None:
    def label(name: str) -> str:
        fld = spec.all_fields.get(name.split(".")[-1])
        return fld.label(language) if fld else name

    for rule in rules:
        if any(has_error(name, errors) for name in rule_fields(rule)):
            continue
        broken = check_rule(rule, cleaned, label, lambda text: localized(text, language))
        if broken:
            errors.setdefault(broken[0], []).append(broken[1])


@dataclass
class StepResult:
    cleaned: dict[str, Any]
    errors: dict[str, list[str]]
    entered: dict[str, Any]
    visible: bool = True


def check_step(
    spec: FormSpec, step_id: str, raw_data: Any, *, context: FillContext, data: Mapping | None = None
) -> StepResult:
    """Validate one step against the answers of the others (``data``); see ``validate_step``.
    ``entered`` holds what was typed into the visible fields (for redisplay and drafts)."""
    step = spec.step(step_id)
    data = dict(data if data is not None else getattr(context.draft, "data", None) or {})
    entered = {fld.name: _jsonable(_extract(fld, raw_data, language=context.language)) for fld in step.fields}
    steps, visible = visibility(spec, {**data, **entered})
    if step.id not in steps:
        return StepResult({}, {}, {}, visible=False)
    scope = {name: value for name, value in {**data, **entered}.items() if name in visible}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    with translation.override(context.language):
        for fld in step.fields:
            if fld.name not in visible or taken_over_value(fld, context) is not None:
                entered.pop(fld.name, None)
                continue
            cleaned[fld.name] = _clean_field(fld, entered[fld.name], scope, context, errors, fld.name)
        names = {fld.name for fld in step.fields}
        rules = [rule for rule in spec.rules if set(rule_fields(rule)) <= names]
        _apply_rules(spec, rules, cleaned, errors, context.language)
    entered = {name: value for name, value in entered.items() if name in visible}
    return StepResult({k: v for k, v in cleaned.items() if not has_error(k, errors)}, errors, entered)


def validate_step(
    spec: FormSpec, step_id: str, raw_data: Any, *, context: FillContext, data: Mapping | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean the answers of one step. ``raw_data`` is a form post (QueryDict) or a dict;
    ``data`` the answers given so far (default: ``context.draft.data``) for conditions.
    Returns the cleaned answers of the step's visible, valid fields and the errors by field."""
    result = check_step(spec, step_id, raw_data, context=context, data=data)
    return result.cleaned, result.errors


def validate_all(spec: FormSpec, data: Mapping[str, Any], *, context: FillContext) -> dict[str, Any]:
    """Clean every visible answer again, as for submitting; hidden and unknown answers are
    dropped. Raises ``FormValidationError`` with all errors by field key."""
    data = dict(data or {})
    steps, visible = visibility(spec, data)
    scope = {name: value for name, value in data.items() if name in visible}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    once_only: dict[str, dict] = {}
    with translation.override(context.language):
        for step in spec.steps:
            if step.id not in steps:
                continue
            for fld in step.fields:
                if fld.name not in visible:
                    continue
                value = taken_over_value(fld, context)
                if value is not None:
                    cleaned[fld.name] = [] if fld.type == "file" else value
                    once_only[fld.name] = {
                        "source": fld.once_only,
                        "trust_level": context.trust_level,
                        "value": value,
                    }
                    continue
                cleaned[fld.name] = _clean_field(fld, _extract(fld, data), scope, context, errors, fld.name)
        _apply_rules(spec, spec.rules, cleaned, errors, context.language)
    if errors:
        raise FormValidationError(errors)
    if once_only:
        cleaned[ONCE_ONLY_KEY] = once_only
    return cleaned


# --- presentation ---------------------------------------------------------------------------


def field_html_id(key: str) -> str:
    """The id of the input (or fieldset) of a field key such as ``vehicles.0.plate``."""
    return "f-" + key.replace(".", "-").replace("_", "-")


def _format_date(value: str, language: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    with translation.override(language):
        return format_day(day)


def _display(fld: Field, value: Any, language: str, upload_names: Mapping[str, str]) -> str:
    if fld.type == "declaration":
        return _("confirmed") if value else _("not confirmed")
    if is_empty(value):
        return "–"
    if fld.type == "date":
        return _format_date(value, language)
    if fld.type == "number" and language == "de":
        return str(value).replace(".", ",")
    if fld.type == "iban":
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    if fld.type == "address":
        return f"{value.get('street', '')}, {value.get('postal_code', '')} {value.get('city', '')}"
    if fld.type == "choice":
        labels = dict(fld.options(language))
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, v) for v in values)
    if fld.type == "file":
        return ", ".join(upload_names.get(v, _("file")) for v in value)
    return str(value)


def _display_taken_over(record: Mapping[str, Any], language: str) -> str:
    value = record.get("value")
    if isinstance(value, Mapping):
        return f"{value.get('street', '')}, {value.get('postal_code', '')} {value.get('city', '')}"
    if record.get("source") == "eid_birth_date":
        return _format_date(value, language)
    return str(value)


def _upload_names(spec: FormSpec, data: Mapping[str, Any]) -> dict[str, str]:
    ids = []
    for fld in spec.all_fields.values():
        if fld.type != "file":
            continue
        if fld.group:
            ids += [i for row in data.get(fld.group) or [] for i in row.get(fld.name) or []]
        else:
            ids += list(data.get(fld.name) or [])
    ids = [i for i in ids if is_upload_id(i)]
    if not ids:
        return {}
    from .models import Upload

    try:
        return {
            str(pk): name for pk, name in Upload.objects.filter(pk__in=ids).values_list("pk", "original_name")
        }
    except (ValidationError, ValueError):
        return {}


def summary_sections(spec: FormSpec, data: Mapping[str, Any], language: str) -> list[dict]:
    """The answers by step: ``[{"step": Step, "title": str, "rows": [(label, value)]}]``;
    only answers present in ``data`` (cleaned data holds the visible ones)."""
    names = _upload_names(spec, data)
    once_only = data.get(ONCE_ONLY_KEY) or {}
    sections = []
    with translation.override(language):
        for step in spec.steps:
            rows: list[tuple[str, str]] = []
            for fld in step.fields:
                if fld.name not in data:
                    continue
                if fld.name in once_only:
                    shown = _display_taken_over(once_only[fld.name], language)
                    rows.append((fld.label(language), f"{shown} ({_('taken over from your online ID')})"))
                elif fld.type == "group":
                    for index, row in enumerate(data.get(fld.name) or [], start=1):
                        for child in fld.children:
                            if child.name in row:
                                label = f"{fld.label(language)} {index}: {child.label(language)}"
                                rows.append((label, _display(child, row[child.name], language, names)))
                else:
                    rows.append((fld.label(language), _display(fld, data[fld.name], language, names)))
            if rows:
                sections.append({"step": step, "title": step.title(language), "rows": rows})
    return sections


def summary_rows(spec: FormSpec, data: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    """All answers as ``(label, display value)`` in form order, for the summary and the case."""
    return [row for section in summary_sections(spec, data, language) for row in section["rows"]]
