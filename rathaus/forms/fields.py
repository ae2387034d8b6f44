"""Cleaning one answer of each field type.

Each cleaner takes what the person entered (strings from a form post, or the structured value a
draft holds) and returns the canonical JSON value stored in drafts and submissions, or raises
``ValidationError`` with a translated message:

text/textarea/email/phone → str · number → int (``integer``) or decimal string · date → ISO
string · iban → compact upper-case string · address → {"street", "postal_code", "city"} ·
choice → str, or list of str (``multiple``) · file → list of upload ids · declaration → True.
Groups are cleaned by the engine, row by row.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from rathaus.core.validators import validate_phone

from .conditions import is_empty
from .constants import ADDRESS_PARTS

if TYPE_CHECKING:
    from .engine import Field, FillContext

MAX_TEXT = {"text": 200, "textarea": 5000, "email": 254, "phone": 40}
_POSTAL_CODE = re.compile(r"^\d{5}$")
_RELATIVE = re.compile(r"^([+-])(\d{1,5})([dmy])$")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = {"on", "true", "1", "yes", "ja"}


def _text(value: Any) -> str:
    if isinstance(value, list | dict):
        raise ValidationError(_("Enter a text."))
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise ValidationError(_("The text contains characters that are not allowed."))
    return text.strip()


# What a text question may restrict its answer to (``format``): a fixed set, not a regular
# expression an editor could write, so no form can make the server backtrack for seconds.
TEXT_FORMATS = {
    "digits": (re.compile(r"[0-9]*"), gettext_lazy("Enter digits only.")),
    "alphanumeric": (re.compile(r"[0-9A-Za-zÄÖÜäöüß]*"), gettext_lazy("Enter letters and digits only.")),
}


def clean_text(field: Field, value: Any, context: FillContext) -> str:
    text = _text(value)
    if field.type != "textarea":
        text = " ".join(text.split())
    if field.type == "text" and (text_format := field.raw.get("format")) in TEXT_FORMATS:
        allowed, message = TEXT_FORMATS[text_format]
        text = text.replace(" ", "")  # "276 098 106 543 210" is a number written in groups
        if not allowed.fullmatch(text):
            raise ValidationError(str(message))
    limit = field.raw.get("max_length", MAX_TEXT.get(field.type, 200))
    if len(text) > limit:
        raise ValidationError(
            ngettext("Enter at most %(limit)d character.", "Enter at most %(limit)d characters.", limit)
            % {"limit": limit}
        )
    minimum = field.raw.get("min_length", 0)
    if len(text) < minimum:
        raise ValidationError(
            ngettext("Enter at least %(limit)d character.", "Enter at least %(limit)d characters.", minimum)
            % {"limit": minimum}
        )
    return text


def clean_email(field: Field, value: Any, context: FillContext) -> str:
    text = clean_text(field, value, context)
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(_("Enter an e-mail address such as name@example.org.")) from None
    return text


def clean_phone(field: Field, value: Any, context: FillContext) -> str:
    text = clean_text(field, value, context)
    validate_phone(text)
    return text


# Where a single separator followed by exactly three digits groups thousands: "1.500" is one
# thousand five hundred in German, "1,500" in English. Elsewhere it can only mark the decimals.
_THOUSANDS_SEPARATOR = {"de": ".", "en": ","}
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


def _grouped(text: str, separator: str) -> bool:
    """Digits in groups of three such as ``1.500.000`` (no leading zero)."""
    return re.fullmatch(rf"[1-9]\d{{0,2}}(?:{re.escape(separator)}\d{{3}})+", text) is not None


def parse_decimal(text: str, language: str | None = None) -> Decimal:
    """A number as a person writes it in ``language``, never guessed: with both separators the
    last one marks the decimals and the other must group thousands properly ("1.234,56",
    "1,234.56"); a separator that appears several times groups thousands ("1.500.000"); a
    single one followed by exactly three digits groups thousands where the language writes it
    so ("1.500" in German, "1,500" in English) and marks the decimals otherwise ("1,5", "1.5",
    "0.500"). ``language`` None reads stored and machine values: a single separator always marks
    the decimals ("1.125" is what a draft keeps of 1,125). Raises ``InvalidOperation``."""
    text = text.translate(_SPACES)
    sign = text[:1] if text[:1] in "+-" else ""
    text = text[len(sign) :]
    if not text or not re.fullmatch(r"[0-9.,]+", text):
        raise InvalidOperation
    separators = {char for char in text if char in ".,"}
    if len(separators) == 2:
        decimal_mark = text[max(text.rfind(","), text.rfind("."))]
        whole, _mark, fraction = text.rpartition(decimal_mark)
        group_mark = "," if decimal_mark == "." else "."
        if not _grouped(whole, group_mark) or not fraction.isdigit():
            raise InvalidOperation
        return Decimal(f"{sign}{whole.replace(group_mark, '')}.{fraction}")
    if not separators:
        return Decimal(sign + text)
    separator = separators.pop()
    if text.count(separator) > 1 or (
        separator == _THOUSANDS_SEPARATOR.get((language or "")[:2]) and _grouped(text, separator)
    ):
        if not _grouped(text, separator):
            raise InvalidOperation
        return Decimal(sign + text.replace(separator, ""))
    whole, _mark, fraction = text.partition(separator)
    if not fraction.isdigit() or not (whole.isdigit() or not whole):
        raise InvalidOperation
    return Decimal(f"{sign}{whole or '0'}.{fraction}")


def canonical_number(number: Decimal) -> str:
    """How drafts and submissions keep a number: digits with a dot before the decimals."""
    return format(number.normalize(), "f")


def typed_number(value: Any, language: str) -> Any:
    """A number typed into a form in ``language`` as drafts keep it ("1.500" in German →
    "1500"); anything that is no number stays as typed, for the cleaner to refuse and the page
    to show again."""
    if not isinstance(value, str) or is_empty(value):
        return value
    try:
        number = parse_decimal(value, language)
    except InvalidOperation:
        return value
    return canonical_number(number) if number.is_finite() else value


def number_for_input(value: Any, language: str) -> Any:
    """A kept number as the person writes it in ``language`` (German: "1,125"), so that sending
    the page again reads the same number."""
    if language == "de" and isinstance(value, str) and re.fullmatch(r"[+-]?\d+\.\d+", value):
        return value.replace(".", ",")
    return value


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    # JSON numbers are machine values; text is read as a draft keeps it (``parse_decimal``).
    number = Decimal(str(value)) if isinstance(value, int | float | Decimal) else parse_decimal(_text(value))
    if not number.is_finite():
        raise InvalidOperation
    return number


def clean_number(field: Field, value: Any, context: FillContext) -> int | str:
    try:
        number = _decimal(value)
    except (InvalidOperation, ValueError, ValidationError):
        raise ValidationError(_("Enter a number.")) from None
    if field.raw.get("integer") and number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    if "min" in field.raw and number < Decimal(str(field.raw["min"])):
        raise ValidationError(_("Enter a number of at least %(min)s.") % {"min": field.raw["min"]})
    if "max" in field.raw and number > Decimal(str(field.raw["max"])):
        raise ValidationError(_("Enter a number of at most %(max)s.") % {"max": field.raw["max"]})
    if field.raw.get("integer"):
        return int(number)
    return canonical_number(number)


def resolve_date_bound(bound: str, today: dt.date | None = None) -> dt.date:
    """``today``, ``+365d``, ``-18y``, ``+6m`` (relative to today) or an ISO date."""
    today = today or timezone.localdate()
    if bound == "today":
        return today
    match = _RELATIVE.match(bound)
    if not match:
        return dt.date.fromisoformat(bound)
    sign, amount, unit = match.groups()
    amount = int(amount) * (1 if sign == "+" else -1)
    if unit == "d":
        return today + dt.timedelta(days=amount)
    months = amount * (12 if unit == "y" else 1)
    month_index = today.year * 12 + today.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(bound)


# How a form shows a date: the German short form (24.12.2026) is read alike by everybody, the
# English one (12/24/2026) differently in Britain and America, so English names the month
# ("Dec. 24, 2026"), as the other English pages do.
_DAY_FORMATS = {"de": "SHORT_DATE_FORMAT"}


def format_day(day: dt.date) -> str:
    """``day`` written in the active language's format (answers, summaries, messages)."""
    language = (translation.get_language() or "de")[:2]
    return formats.date_format(day, _DAY_FORMATS.get(language, "DATE_FORMAT"))


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if _ISO_DAY.fullmatch(text):  # what the form's date input sends: read without strptime
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Enter a date as day.month.year, such as 24.12.2026."))


def clean_date(field: Field, value: Any, context: FillContext) -> str:
    day = parse_date(value)
    earliest, latest = field.raw.get("min_date"), field.raw.get("max_date")
    if earliest or latest:
        today = timezone.localdate()
        if earliest and day < (earliest := resolve_date_bound(earliest, today)):
            raise ValidationError(_("Enter a date on or after %(date)s.") % {"date": format_day(earliest)})
        if latest and day > (latest := resolve_date_bound(latest, today)):
            raise ValidationError(_("Enter a date on or before %(date)s.") % {"date": format_day(latest)})
    return day.isoformat()


def clean_iban(field: Field, value: Any, context: FillContext) -> str:
    compact = stdnum_iban.compact(_text(value))
    try:
        return stdnum_iban.validate(compact)
    except StdnumError:
        raise ValidationError(
            _("This IBAN is not valid. Please check it – a German IBAN has 22 characters and starts with DE.")
        ) from None


_ADDRESS_MAX_LENGTH = {"street": 200, "city": 100}


def _address_parts(value: Any) -> dict[str, str]:
    given = value if isinstance(value, Mapping) else {}
    return {part: " ".join(_text(given.get(part)).split()) for part in ADDRESS_PARTS}


def address_invalid_parts(value: Any) -> list[str]:
    """The parts of an address answer that ``clean_address`` refuses, in the order of the form:
    the page marks those inputs and the error summary links to the first of them."""
    parts = _address_parts(value)
    if any(not parts[part] for part in ADDRESS_PARTS):
        return [part for part in ADDRESS_PARTS if not parts[part]]
    if not _POSTAL_CODE.match(parts["postal_code"]):
        return ["postal_code"]
    return [part for part, limit in _ADDRESS_MAX_LENGTH.items() if len(parts[part]) > limit]


def clean_address(field: Field, value: Any, context: FillContext) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError(_("Enter street, postal code and town."))
    parts = _address_parts(value)
    invalid = address_invalid_parts(parts)
    if any(not parts[part] for part in invalid):
        raise ValidationError(_("Enter street and number, postal code and town."))
    if invalid == ["postal_code"]:
        raise ValidationError(_("A German postal code has five digits."))
    if invalid:
        raise ValidationError(_("The street or town is too long."))
    return parts


def clean_choice(field: Field, value: Any, context: FillContext) -> str | list[str]:
    allowed = [option["value"] for option in field.raw["options"]]
    if field.raw.get("multiple"):
        values = value if isinstance(value, list) else [value]
        chosen = {_text(item) for item in values if not is_empty(item)}
        if chosen - set(allowed):
            raise ValidationError(_("Choose only from the options offered."))
        return [option for option in allowed if option in chosen]
    choice = _text(value)
    if choice not in allowed:
        raise ValidationError(_("Choose one of the options offered."))
    return choice


def clean_declaration(field: Field, value: Any, context: FillContext) -> bool:
    if value is True:
        return True
    return isinstance(value, str) and value.strip().lower() in _TRUE


def is_upload_id(value: Any) -> bool:
    """Whether ``value`` can name an upload at all (a UUID); anything else names none."""
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def file_answer(value: Any) -> list[Any]:
    """A file answer as a list without empty entries: a browser sends an empty file input as
    ``name=""``, which is no file and must never be kept as an id."""
    values = value if isinstance(value, list) else [value]
    return [item for item in values if not is_empty(item)]


def clean_file(field: Field, value: Any, context: FillContext) -> list[str]:
    """Upload ids; each must be an upload of this draft for this field (checked in the engine)."""
    ids = list(dict.fromkeys(_text(item) for item in file_answer(value)))
    if not all(is_upload_id(upload_id) for upload_id in ids):
        raise ValidationError(_("A file reference is not valid. Please upload the file again."))
    limit = field.raw.get("max_files", 1)
    if len(ids) > limit:
        raise ValidationError(
            ngettext("Attach at most %(limit)d file.", "Attach at most %(limit)d files.", limit)
            % {"limit": limit}
        )
    return ids


CLEANERS: dict[str, Callable[[Field, Any, FillContext], Any]] = {
    "text": clean_text,
    "textarea": clean_text,
    "email": clean_email,
    "phone": clean_phone,
    "number": clean_number,
    "date": clean_date,
    "iban": clean_iban,
    "address": clean_address,
    "choice": clean_choice,
    "declaration": clean_declaration,
    "file": clean_file,
}


def empty_value(field: Field) -> Any:
    if field.type in ("file", "group") or (field.type == "choice" and field.raw.get("multiple")):
        return []
    if field.type == "declaration":
        return False
    return None
