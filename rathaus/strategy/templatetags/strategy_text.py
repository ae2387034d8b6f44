"""Texts of the strategy in the reader's language.

``{{ area|translated:"name" }}`` shows ``name_en`` to English readers when it is filled in and
the German ``name`` otherwise (``TranslatedFieldsMixin.translated``). Templates of the strategy
use it for every name, title and text an object carries in both languages; the council's
status report (``reports/report_document.html``) is German by design and does not.
"""

from django import template

register = template.Library()


@register.filter
def translated(obj, field: str) -> str:
    if obj is None:
        return ""
    method = getattr(obj, "translated", None)
    if method is None:
        return getattr(obj, field, "")
    return method(field)
