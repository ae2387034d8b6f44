"""Form rendering in the KERN design system.

Every form of Rathaus inherits ``KernFormMixin``: widgets get KERN's classes, and the project's
form renderer lays out label, hint, error and input so that screen readers announce errors
(``aria-invalid`` and ``aria-describedby`` on the input, the error text linked by id).
"""

from django import forms
from django.forms.renderers import TemplatesSetting

_INPUT_CLASS = "kern-form-input__input"


class KernFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class KernFormMixin:
    error_css_class = "kern-form-input--error"

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
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}-error"]
                if bound.help_text:
                    described.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


class KernForm(KernFormMixin, forms.Form):
    pass


class KernModelForm(KernFormMixin, forms.ModelForm):
    pass
