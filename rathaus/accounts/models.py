"""People and organisations: citizen and organisation accounts, staff, departments, roles."""

from __future__ import annotations

import rules
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from rathaus.core.models import TranslatedFieldsMixin

from .constants import (
    DEPARTMENT_ROLES,
    ContactChannel,
    IdentityProvider,
    OrganisationKind,
    StaffRoleKind,
    TrustLevel,
)

german_postal_code = RegexValidator(r"^\d{5}$", _("A German postal code has five digits."))

# The fields a person maintains about themself (profile page, API, admin).
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "phone",
    "preferred_language",
    "preferred_channel",
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with a login: a citizen, someone acting for an organisation, or staff."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    email_verified_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[german_postal_code]
    )
    city = models.CharField(_("town"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("de", _("German")), ("en", _("English"))],
        default="de",
    )
    preferred_channel = models.CharField(
        _("preferred contact channel"),
        max_length=16,
        choices=ContactChannel.choices,
        default=ContactChannel.MAILBOX,
    )
    identity_trust_level = models.CharField(
        _("highest verified trust level"), max_length=16, choices=TrustLevel.choices, blank=True
    )
    is_integration = models.BooleanField(
        _("integration account"),
        default=False,
        help_text=_(
            "A technical account of a connected system (specialised procedure, portal), not a"
            " person. Only integration accounts can be given an API token."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def audit_label(self) -> str:
        """How this person appears in the audit log: staff by name (accountability),
        citizens by id only (the log must not copy personal data)."""
        if self.is_staff_member:
            return f"{self.get_full_name()} (#{self.pk})"
        return f"#{self.pk}"

    @property
    def is_staff_member(self) -> bool:
        cached = getattr(self, "_is_staff_member", None)
        if cached is None:
            cached = self.is_staff or self.staff_roles.exists()
            self._is_staff_member = cached
        return cached

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django lets an active superuser pass every check. For an object guarded by one of our
        rules (a case, a document, an upload, a booking …) the rule decides for superusers too:
        the administrator runs the system and its admin site, but reads no applications unless
        a rule grants it (``is_administrator`` where that is intended)."""
        if obj is not None and self.is_superuser and rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def role_kinds(self) -> set[str]:
        cached = getattr(self, "_role_kinds", None)
        if cached is None:
            cached = set(self.staff_roles.values_list("kind", flat=True))
            self._role_kinds = cached
        return cached

    def department_ids(self, *kinds: str) -> set[int]:
        roles = self.staff_roles.filter(department__isnull=False)
        if kinds:
            roles = roles.filter(kind__in=kinds)
        return set(roles.values_list("department_id", flat=True))

    @property
    def awaiting_confirmation(self) -> bool:
        """Registered but never confirmed: not active, no confirmed address, never logged in.
        An account an administrator deactivated is not awaiting confirmation: a new
        confirmation link must not activate it again."""
        return not self.is_active and self.email_verified_at is None and self.last_login is None

    @property
    def postal_address(self) -> str:
        return ", ".join(part for part in [self.street, f"{self.postal_code} {self.city}".strip()] if part)


class Department(TranslatedFieldsMixin, models.Model):
    """A unit of the city administration (Amt, Dienststelle, Referat)."""

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("e.g. 'Amt 33'"))
    name = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("visiting address"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"  # "Amt 32 – Amt für öffentliche Ordnung …"

    @property
    def display_name(self) -> str:
        return self.translated("name")

    def audit_label(self) -> str:
        return str(self)


class StaffRole(models.Model):
    """A role a staff member holds, for one department or (strategy office, DPO, admin) city-wide."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    kind = models.CharField(_("role"), max_length=32, choices=StaffRoleKind.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_roles",
        verbose_name=_("department"),
    )
    granted_at = models.DateTimeField(_("granted on"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "department"], name="accounts_staffrole_unique"),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(department__isnull=True),
                name="accounts_staffrole_unique_citywide",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=[k.value for k in DEPARTMENT_ROLES])
                | models.Q(department__isnull=False),
                name="accounts_staffrole_department_roles_need_department",
            ),
        ]

    def __str__(self) -> str:
        where = f" – {self.department.code}" if self.department_id else ""
        return f"{self.get_kind_display()}{where}"

    def audit_label(self) -> str:
        return str(self)


class Organisation(models.Model):
    """A company, club or institution; people act for it through memberships."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    register_number = models.CharField(_("register number"), max_length=60, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[german_postal_code]
    )
    city = models.CharField(_("town"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    members = models.ManyToManyField(User, through="OrganisationMembership", related_name="organisations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"#{self.pk}"

    @property
    def postal_address(self) -> str:
        return ", ".join(part for part in [self.street, f"{self.postal_code} {self.city}".strip()] if part)


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_memberships")
    is_admin = models.BooleanField(_("may manage the organisation"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="accounts_membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.organisation_id}"


class OrganisationInvitation(models.Model):
    """An invitation to act for an organisation, sent by e-mail to an address.

    Only a hash of the link's secret is stored. The person accepts while logged in with the
    account of that very address; accepted or withdrawn, the row is gone or marked, so a link
    works once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("invitation to an organisation")
        verbose_name_plural = _("invitations to organisations")
        constraints = [
            # One open invitation per address and organisation: inviting again replaces it.
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="accounts_invitation_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.pk}"

    def audit_label(self) -> str:
        return f"#{self.pk}"


class ExternalIdentity(models.Model):
    """The link between an account and an identity asserted by an eID provider."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(max_length=8, choices=IdentityProvider.choices)
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=300)
    trust_level = models.CharField(max_length=16, choices=TrustLevel.choices)
    last_login_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "issuer", "subject"], name="accounts_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.pk}"


class ApiToken(TokenProxy):
    """An API token of an integration account, as the admin shows it: never its key.

    DRF's ``Token.__str__`` is the key itself, which the admin would print in lists, titles,
    confirmation pages and its own log of changes. The key is shown once, on creation."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key[:4]}…" if self.key else "–"
