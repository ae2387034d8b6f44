from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm, KernFormMixin, KernModelForm
from rathaus.core.validators import validate_phone

from .models import PROFILE_FIELDS, Organisation, User
from .validators import normalise_phone, validate_birth_date


class LoginForm(KernFormMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    error_messages = {
        "invalid_login": _("The e-mail address or the password is not correct. Please try again."),
        "inactive": _("Please confirm your e-mail address first: open the link in the e-mail we sent you."),
        "deactivated": _(
            "This account is not active. If you think this is a mistake, please contact the city"
            " administration."
        ),
    }

    # Set when the refused account still awaits its confirmation: the page then offers to send
    # the link again.
    awaiting_confirmation = False

    def confirm_login_allowed(self, user):
        # Reached only with the right password, so the message tells nobody else anything.
        if not user.is_active:
            if user.awaiting_confirmation:
                self.awaiting_confirmation = True
                raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
            raise forms.ValidationError(self.error_messages["deactivated"], code="deactivated")


class RegistrationForm(KernForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_privacy = forms.BooleanField(label=_("I have read the privacy policy."), required=True)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ConfirmationResendForm(KernForm):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ProfileForm(KernModelForm):
    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "preferred_channel": forms.RadioSelect,
        }

    # The same rules as the application forms, which are prefilled from the profile.
    def clean_birth_date(self):
        day = self.cleaned_data.get("birth_date")
        if day:
            validate_birth_date(day)
        return day

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data.get("phone", ""))
        if phone:
            validate_phone(phone)
        return phone


class DeleteAccountForm(KernForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(label=_("Yes, delete my account and my profile data."), required=True)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.user.has_usable_password() and not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class OrganisationForm(KernModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "register_number", "street", "postal_code", "city", "email"]


class PasswordResetForm(KernFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(KernFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(KernFormMixin, auth_forms.PasswordChangeForm):
    pass


class TokenForm(KernForm):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _object_type_choices() -> list[tuple[str, str]]:
    from django.apps import apps

    models_by_label = sorted(
        (str(model._meta.verbose_name), model._meta.label_lower) for model in apps.get_models()
    )
    return [
        ("", _("all")),
        *((label_lower, f"{name} ({label_lower})") for name, label_lower in models_by_label),
    ]


class AuditLogFilterForm(KernForm):
    """Filters of the audit log page (GET). All optional; an account is named by its number."""

    show_optional = False
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.IntegerField(
        label=_("Actor (account number)"), required=False, min_value=1, help_text=_("e.g. 17 for #17")
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    subject = forms.CharField(
        label=_("Person concerned"),
        required=False,
        max_length=254,
        help_text=_("Account number or e-mail address"),
    )

    def __init__(self, *args, **kwargs):
        from rathaus.core.audit_actions import audit_action_choices

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("all")), *audit_action_choices()]
        self.fields["object_type"].choices = _object_type_choices()

    def clean_subject(self) -> int | None:
        """The person's account number; an e-mail address is looked up (deleted accounts keep
        their number in the log, so a number is accepted whether or not the account exists)."""
        value = self.cleaned_data["subject"].strip().lstrip("#")
        if not value:
            return None
        if value.isdigit():
            return int(value)
        user_id = User.objects.filter(email__iexact=value).values_list("pk", flat=True).first()
        if user_id is None:
            raise forms.ValidationError(_("No account has this e-mail address. Enter its number instead."))
        return user_id

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period lies before its start."))
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", _("Choose the type of the object as well."))
        return data


class OrganisationInviteForm(KernForm):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_("We send an invitation link to this address. The person accepts it with their account."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
