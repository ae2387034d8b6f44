from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm


class ReplyForm(KernForm):
    body = forms.CharField(
        label=_("Your message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
