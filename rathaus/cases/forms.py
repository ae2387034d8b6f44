"""Input forms of the case pages (KERN rendering). They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import User
from rathaus.accounts.selectors import organisations_of
from rathaus.catalog.constants import Channel
from rathaus.catalog.models import Service
from rathaus.core.forms import KernForm

from .constants import CaseState
from .models import NoticeOutcome
from .rules import department_role_ids
from .selectors import INBOX_SORTS


class OwnIdsForm(KernForm):
    """Several forms share the back-office case page: each gets its own id prefix, so that no
    id occurs twice and every label points at its own field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class VersionedForm(OwnIdsForm):
    """Carries the case version the page showed (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class TransitionForm(VersionedForm):
    transition = forms.CharField(widget=forms.HiddenInput, max_length=64)
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(VersionedForm):
    id_prefix = "withdraw"
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(OwnIdsForm):
    id_prefix = "note"
    text = forms.CharField(
        label=_("Internal note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MessageForm(OwnIdsForm):
    id_prefix = "message"
    text = forms.CharField(
        label=_("Message to the applicant"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class InformationRequestForm(VersionedForm):
    id_prefix = "request"
    message = forms.CharField(
        label=_("What is missing?"),
        help_text=_("The applicant reads this text in the mailbox and answers in the portal."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecideForm(VersionedForm):
    id_prefix = "decide"
    outcome = forms.ChoiceField(label=_("Decision"), choices=NoticeOutcome.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        label=_("Reasons"),
        help_text=_("Appear in the notice. The notice also states how to appeal."),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class AssignForm(VersionedForm):
    id_prefix = "assign"
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("nobody")
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email


class BulkAssignForm(KernForm):
    cases = forms.MultipleChoiceField(label=_("Cases"), choices=(), widget=forms.CheckboxSelectMultiple)
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("nobody")
    )

    def __init__(self, *args, case_choices=(), staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = case_choices
        if staff is not None:
            self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email


class AnswerForm(KernForm):
    answer = forms.CharField(
        label=_("Your answer"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = forms.FileField(
        label=_("Document"), required=False, help_text=_("PDF, JPEG or PNG, at most 10 MB.")
    )

    def clean(self):
        data = super().clean()
        if not (data.get("answer") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Please write an answer or attach a file."))
        return data


class ReplyRecordForm(OwnIdsForm):
    """Staff record an answer to an information request that came by post, at the counter or
    by phone."""

    id_prefix = "reply"
    answer = forms.CharField(
        label=_("What did the person answer?"),
        help_text=_("For a letter: its date and what it says or encloses."),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("Scan of the answer"), required=False, help_text=_("PDF, JPEG or PNG, at most 10 MB.")
    )

    def clean(self):
        data = super().clean()
        if not (data.get("answer") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Please write down the answer or attach a scan of it."))
        return data


class InboxFilterForm(KernForm):
    show_optional = False
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all open")), *list(CaseState.choices)]
    )
    scope = forms.ChoiceField(
        label=_("Assignment"),
        required=False,
        choices=[("", _("all")), ("mine", _("assigned to me")), ("unassigned", _("unassigned"))],
    )
    channel = forms.ChoiceField(
        label=_("Received by"), required=False, choices=[("", _("all channels")), *list(Channel.choices)]
    )
    overdue = forms.BooleanField(label=_("only overdue"), required=False)
    q = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=32,
        help_text=_("Searches all cases of your department, also decided and closed ones."),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("due date, earliest first")),
            ("-due", _("due date, latest first")),
            ("received", _("received, oldest first")),
            ("-received", _("received, newest first")),
            ("reference", _("reference")),
        ],
    )

    def clean_sort(self):
        value = self.cleaned_data.get("sort") or "due"
        return value if value in INBOX_SORTS else "due"


FOR_THE_PERSON = "person"


class CounterIntakeForm(KernForm):
    """Antrag erfassen: a member of staff enters an application for a person. Only services of
    the departments where ``user`` processes cases are offered: the case lands in their inbox
    (``counter_draft_start`` checks the same)."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    channel = forms.ChoiceField(
        label=_("How did the application reach us?"),
        choices=[(c.value, c.label) for c in (Channel.COUNTER, Channel.POST, Channel.PHONE)],
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("E-mail address of the person's account"),
        required=False,
        help_text=_("If the person has an account, the application appears in it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = (
            Service.objects.filter(
                form_definition__versions__published_at__isnull=False,
                department_id__in=department_role_ids(user),
            )
            .distinct()
            .order_by("name")
        )
        self.fields["service"].label_from_instance = lambda service: service.display_name
        # A person who acts for organisations (a club, a company) may apply in the name of one
        # of them: once their account is found, the form asks for whom (a second round, no
        # script needed). Only their own organisations are offered and accepted.
        self.person = self._person(self.data.get("email", "")) if self.is_bound else None
        self.person_organisations = list(organisations_of(self.person)) if self.person else []
        if self.person_organisations:
            self.fields["organisation"] = forms.ChoiceField(
                label=_("For whom is the application made?"),
                choices=[(FOR_THE_PERSON, _("for the person themself"))]
                + [(str(organisation.pk), organisation.name) for organisation in self.person_organisations],
                widget=forms.RadioSelect,
                help_text=_("The person acts for these organisations. Their members see the application."),
                error_messages={"required": _("Please choose for whom the application is made.")},
            )

    @staticmethod
    def _person(email) -> User | None:
        email = email.strip() if isinstance(email, str) else ""
        if not email:
            return None
        return User.objects.filter(email__iexact=email, is_active=True).first()

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        if not email:
            return None
        if self.person is None or self.person.email.lower() != email.lower():
            raise forms.ValidationError(_("There is no active account with this e-mail address."))
        return self.person

    def clean_organisation(self):
        value = self.cleaned_data.get("organisation")
        if value in (None, "", FOR_THE_PERSON):
            return None
        return next(o for o in self.person_organisations if str(o.pk) == value)
