"""Sentences that are stored and read later, perhaps in another language: the notes of the
measures plan (why a measure starts where it does, why it was left out, what breaks a rule).

A note is written in the active language when it is made, as before, but it also remembers
what is needed to write it again: its message id (the English text of the catalogue) and its
parameters, themselves notes, numbers, dates or names in both languages. ``as_data`` gives
that as JSON for the database and ``render`` writes it in the reader's language. Every kind is
a ``str``, so code that only shows or compares the text needs no change.

``gettext`` and ``ngettext`` here are drop-in replacements for Django's (``_("…") % {…}``
gives a note), so ``makemessages`` finds the message ids as usual.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, translation

__all__ = ["Date", "Join", "Name", "Note", "Number", "gettext", "join", "ngettext", "render", "to_data"]

logger = logging.getLogger(__name__)


class Text(str):
    """A text in the active language that can say how to write it again."""

    def as_data(self) -> dict[str, Any]:  # pragma: no cover - every kind overrides it
        raise NotImplementedError


class Note(Text):
    """A catalogue message with its parameters (singular, or plural chosen by ``count``)."""

    msgid: str
    plural: str | None
    count: int | None
    params: dict[str, Any] | None

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None, *, plural=None, count=None):
        if plural is not None:
            text = translation.ngettext(msgid, plural, count)
        else:
            text = translation.gettext(msgid)
        if params is not None:
            text = text % {
                key: str(value) if isinstance(value, Text) else value for key, value in params.items()
            }
        self = super().__new__(cls, text)
        self.msgid, self.plural, self.count = msgid, plural, count
        self.params = dict(params) if params is not None else None
        return self

    def __mod__(self, params: Mapping[str, Any]) -> Note:
        return Note(self.msgid, params, plural=self.plural, count=self.count)

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.plural is not None:
            data["plural"], data["count"] = self.plural, self.count
        if self.params is not None:
            data["params"] = {key: to_data(value) for key, value in self.params.items()}
        return data


class Number(Text):
    """A number as the active language writes it: grouped, decimals only when not whole."""

    value: Decimal
    places: int

    def __new__(cls, value: Decimal, places: int):
        decimals = 0 if value == value.to_integral_value() else places
        self = super().__new__(
            cls, formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
        )
        self.value, self.places = value, places
        return self

    def as_data(self) -> dict[str, Any]:
        return {"number": str(self.value), "places": self.places}


class Date(Text):
    """A day in the active language's short format."""

    day: dt.date

    def __new__(cls, day: dt.date):
        self = super().__new__(cls, formats.date_format(day, "SHORT_DATE_FORMAT"))
        self.day = day
        return self

    def as_data(self) -> dict[str, Any]:
        return {"date": self.day.isoformat()}


class Name(Text):
    """A name the database holds in German and (perhaps) English, such as a measure's title."""

    de: str
    en: str

    def __new__(cls, de: str, en: str = ""):
        english = (translation.get_language() or "de").startswith("en")
        self = super().__new__(cls, en if english and en else de)
        self.de, self.en = de, en
        return self

    def as_data(self) -> dict[str, Any]:
        return {"name": {"de": self.de, "en": self.en}}


class Join(Text):
    """Texts joined by a separator (a list of names, sentences one after the other)."""

    sep: str
    items: list

    def __new__(cls, sep: str, items: Iterable):
        items = list(items)
        self = super().__new__(cls, sep.join(str(item) for item in items))
        self.sep, self.items = sep, items
        return self

    def as_data(self) -> dict[str, Any]:
        return {"join": self.sep, "items": [to_data(item) for item in self.items]}


def gettext(msgid: str) -> Note:
    return Note(msgid)


def ngettext(singular: str, plural: str, count: int) -> Note:
    return Note(singular, plural=plural, count=count)


def join(sep: str, items: Iterable) -> Join:
    return Join(sep, items)


def to_data(value: Any) -> Any:
    """JSON for a text (or a plain value, kept as it is)."""
    if isinstance(value, Text):
        return value.as_data()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def from_data(data: Any) -> Any:
    """The text again, written in the active language."""
    if not isinstance(data, dict):
        return data
    if "msgid" in data:
        params = data.get("params")
        return Note(
            data["msgid"],
            None if params is None else {key: from_data(value) for key, value in params.items()},
            plural=data.get("plural"),
            count=data.get("count"),
        )
    if "number" in data:
        return Number(Decimal(data["number"]), int(data["places"]))
    if "date" in data:
        return Date(dt.date.fromisoformat(data["date"]))
    if "name" in data:
        return Name(data["name"].get("de", ""), data["name"].get("en", ""))
    if "join" in data:
        return Join(data["join"], [from_data(item) for item in data["items"]])
    raise ValueError(f"not a stored note: {sorted(data)}")


def render(data: Any, fallback: str = "") -> str:
    """A stored note in the reader's language; ``fallback`` (the text as written when it was
    made) for a note stored before notes were kept this way, or one that can no longer be read."""
    if not data:
        return fallback
    try:
        return str(from_data(data))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        logger.warning("strategy note could not be written again", exc_info=True)
        return fallback
