"""Form rendering in the KERN design system.

Every form of Rathaus inherits ``KernFormMixin``: widgets get KERN's classes, and the project's
form renderer lays out label, hint, error and input so that screen readers announce errors
(``aria-invalid`` and ``aria-describedby`` on the input, the error text linked by id).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

_INPUT_CLASS = "kern-form-input__input"


class KernFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class KernFormMixin:
    error_css_class = "kern-form-input--error"
    # Label fields that may stay empty with "– optional". A filter form, all of whose fields are
    # optional by nature, says so once instead (``show_optional = False``).
    show_optional = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "kern-form-check__checkbox"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = ""
            elif isinstance(widget, forms.Select):
                css = "kern-form-input__select"
            else:
                css = _INPUT_CLASS
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        link_errors(self)


def link_errors(form: forms.BaseForm) -> None:
    """Point each erroneous input's ``aria-describedby`` at its error text (and help text), so a
    screen reader reads the error with the field."""
    for name in form.errors:
        if name in form.fields:
            bound = form[name]
            described = [f"{bound.auto_id}-error"]
            if bound.help_text:
                described.append(f"{bound.auto_id}_helptext")
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError with the form: at the fields it names, the rest above the
    form; the entered data stay. Errors added after validation are linked to their inputs too."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
    link_errors(form)


class KernForm(KernFormMixin, forms.Form):
    pass


class KernModelForm(KernFormMixin, forms.ModelForm):
    pass
