"""What the templates need to draw a step: each visible field with its value, errors, the ids
that link label, hint and error (``aria-describedby``) and, for groups, its rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .conditions import evaluate
from .constants import ADDRESS_PARTS, DEFAULT_MAX_SIZE_MB, FILE_EXTENSIONS, FILE_KINDS
from .engine import Field, FillContext, FormSpec, Step, field_html_id, localized, taken_over_value, visibility
from .fields import address_invalid_parts, is_upload_id, number_for_input
from .models import Upload

INPUT_TYPES = {"email": "email", "phone": "tel", "date": "date", "number": "text"}
ADDRESS_LABELS = {
    "street": gettext_lazy("Street and number"),
    "postal_code": gettext_lazy("Postal code"),
    "city": gettext_lazy("Town"),
}


@dataclass
class BoundField:
    key: str
    field: Field
    label: str
    hint: str
    value: Any
    errors: list[str]
    required: bool
    optional_marker: bool
    options: list[dict] = dataclass_field(default_factory=list)
    parts: list[dict] = dataclass_field(default_factory=list)
    rows: list[list[BoundField]] = dataclass_field(default_factory=list)
    uploads: list[Upload] = dataclass_field(default_factory=list)
    taken_over: str | None = None

    @property
    def id(self) -> str:
        return field_html_id(self.key)

    @property
    def type(self) -> str:
        return self.field.type

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.field.type, "text")

    @property
    def accepted_kinds(self) -> list[str]:
        """The file kinds an upload question takes (all known kinds unless it names some)."""
        return list(self.field.raw.get("accept") or FILE_KINDS)

    @property
    def file_hint(self) -> str:
        """The question's hint followed by what it takes: "… Allowed: PDF, JPEG, at most 5 MB."""
        allowed = _("Allowed: %(kinds)s, at most %(size)s MB per file.") % {
            "kinds": ", ".join(kind.upper() for kind in self.accepted_kinds),
            "size": self.field.raw.get("max_size_mb") or DEFAULT_MAX_SIZE_MB,
        }
        hint = self.hint.strip()
        if hint and hint[-1] not in ".!?:":
            hint += "."
        return f"{hint} {allowed}" if hint else allowed

    @property
    def accept_attribute(self) -> str:
        """The file input's ``accept``: extensions and media types of the kinds taken."""
        kinds = [kind for kind in self.accepted_kinds if kind in FILE_KINDS]
        return ",".join([FILE_EXTENSIONS[kind] for kind in kinds] + [FILE_KINDS[kind] for kind in kinds])

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-hint"] if self.hint or self.field.type == "file" else []
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)

    @property
    def widget(self) -> str:
        if self.field.type != "choice":
            return ""
        return self.field.raw.get("widget") or ("checkbox" if self.field.multiple else "radio")

    @property
    def text_value(self) -> str:
        return "" if self.value is None or isinstance(self.value, list | dict | bool) else str(self.value)


def _options(bound_key: str, fld: Field, value: Any, language: str) -> list[dict]:
    chosen = value if isinstance(value, list) else [value]
    return [
        {"value": v, "label": label, "checked": v in chosen, "id": f"{field_html_id(bound_key)}-{index}"}
        for index, (v, label) in enumerate(fld.options(language))
    ]


def _bind(
    fld: Field, key: str, value: Any, scope: Mapping, errors: Mapping, ctx: FillContext, extra_rows
) -> BoundField:
    language = ctx.language
    required = fld.is_required(scope)
    bound = BoundField(
        key=key,
        field=fld,
        label=fld.label(language),
        hint=fld.hint(language),
        value=value,
        errors=list(errors.get(key, [])),
        required=required,
        optional_marker=not required
        and "required_if" not in fld.raw
        and fld.type not in ("group", "declaration"),
    )
    if fld.type == "number":
        bound.value = number_for_input(value, language)  # sent again, it reads the same number
    elif fld.type == "choice":
        bound.options = _options(key, fld, value, language)
    elif fld.type == "address":
        current = value if isinstance(value, Mapping) else {}
        invalid = (address_invalid_parts(current) or ADDRESS_PARTS) if bound.errors else ()
        bound.parts = [
            {
                "name": f"{key}.{part}",
                "id": _address_part_id(key, part),
                "label": str(ADDRESS_LABELS[part]),
                "value": current.get(part) or "",
                "invalid": part in invalid,
            }
            for part in ADDRESS_PARTS
        ]
    elif fld.type == "file":
        # Only ids that can name an upload: a draft may hold ``[""]`` from before empty file
        # inputs were dropped, and a query with it would fail.
        ids = [v for v in value if is_upload_id(v)] if isinstance(value, list) else []
        bound.uploads = list(Upload.objects.filter(pk__in=ids, draft=ctx.draft)) if ids and ctx.draft else []
    elif fld.type == "group":
        rows = [row for row in value or [] if isinstance(row, Mapping)] if isinstance(value, list) else []
        wanted = max(
            len(rows) + extra_rows.get(fld.name, 0), fld.raw.get("min_rows", 1 if required else 0), 1
        )
        rows += [{}] * (min(wanted, fld.raw.get("max_rows", 10)) - len(rows))
        for index, row in enumerate(rows):
            row_scope = {**scope, **row}
            bound.rows.append(
                [
                    _bind(
                        child,
                        f"{key}.{index}.{child.name}",
                        row.get(child.name),
                        row_scope,
                        errors,
                        ctx,
                        extra_rows,
                    )
                    for child in fld.children
                    if evaluate(child.raw.get("visible_if"), row_scope)
                ]
            )
    return bound


def bound_fields(
    spec: FormSpec, step: Step, data: Mapping, errors: Mapping, ctx: FillContext, extra_rows=None
) -> list[BoundField]:
    _steps, visible = visibility(spec, data)
    scope = {name: value for name, value in data.items() if name in visible}
    result = []
    for fld in step.fields:
        if fld.name not in visible:
            continue
        taken = taken_over_value(fld, ctx)
        bound = _bind(fld, fld.name, data.get(fld.name), scope, errors, ctx, extra_rows or {})
        if taken is not None:
            bound.taken_over = _taken_over_text(taken)
        result.append(bound)
    return result


def _taken_over_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{value.get('street', '')}, {value.get('postal_code', '')} {value.get('city', '')}"
    return str(value)


def step_links(spec: FormSpec, draft, data: Mapping, current: str | None, language: str) -> list[dict]:
    """The step indicator: visible steps, then the summary; earlier steps are links."""
    links, reached = [], True
    for step in spec.visible_steps(data):
        is_current = step.id == current
        links.append(
            {
                "title": step.title(language),
                "url": reverse("forms:step", args=[draft.pk, step.id]),
                "current": is_current,
                "done": reached and not is_current,
            }
        )
        reached = reached and not is_current
    links.append(
        {
            "title": _("Check and submit"),
            "url": reverse("forms:summary", args=[draft.pk]),
            "current": current is None,
            "done": False,
        }
    )
    return links


def _address_part_id(key: str, part: str) -> str:
    return f"{field_html_id(key)}-{part}"


def _answer_at(answers: Mapping | None, key: str) -> Any:
    """The answer of a field key such as ``vehicles.0.plate`` (None if there is none)."""
    value: Any = answers or {}
    for step in key.split("."):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _error_label(spec: FormSpec, key: str, fld: Field | None, language: str) -> str:
    """The field an error is about, as the summary names it: "Dog 2: Breed" for a field in
    the second entry of a group, not "Breed" alone."""
    # A declaration's label is a sentence: "… for the dog tax.: Please confirm" reads badly.
    label = (fld.label(language) if fld else "").rstrip().rstrip(".")
    group_name, _dot, rest = key.partition(".")
    index, _dot, child_name = rest.partition(".")
    group = spec.top_fields.get(group_name)
    if group is None or group.type != "group" or not index.isdigit() or group.child(child_name) is None:
        return label
    row = f"{group.label(language)} {int(index) + 1}"
    return f"{row}: {label}" if label else row


def error_links(
    spec: FormSpec,
    draft,
    errors: Mapping[str, list[str]],
    *,
    same_page: bool,
    language: str,
    answers: Mapping | None = None,
) -> list[dict]:
    """Entries of the error summary, each linking to its field (on its step's page); for an
    address, to the first part in error (the postal code, say), found in ``answers``."""
    links = []
    for key, messages in errors.items():
        fld = spec.all_fields.get(key.split(".")[-1]) or spec.top_fields.get(key.split(".")[0])
        label = _error_label(spec, key, fld, language)
        anchor = f"#{field_html_id(key)}"
        if fld is not None and fld.type == "address":
            parts = address_invalid_parts(_answer_at(answers, key)) or ADDRESS_PARTS
            anchor = f"#{_address_part_id(key, parts[0])}"
        step_id = spec.step_of(key)
        url = (
            anchor
            if same_page or step_id is None
            else reverse("forms:step", args=[draft.pk, step_id]) + anchor
        )
        for message in messages:
            links.append({"url": url, "text": f"{label}: {message}" if label else message})
    return links


def title_of(spec: FormSpec, language: str) -> str:
    return localized(spec.schema.get("title"), language)
