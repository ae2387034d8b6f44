"""API authentication (DRF). Kept apart from ``core.api``: DRF imports its authentication
classes while ``rest_framework.views`` is still loading."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

__all__ = ["TokenAuthentication"]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token login, which also learns in the same query whether the person holds a staff
    role: the audit log labels every actor by it (``User.is_staff_member``), and a submission
    through the API would otherwise ask once more (issue 3 benchmark)."""

    def authenticate_credentials(self, key):
        from rathaus.accounts.models import StaffRole

        model = self.get_model()
        has_role = Exists(StaffRole.objects.filter(user_id=OuterRef("user_id")))
        try:
            token = model.objects.select_related("user").annotate(user_has_staff_role=has_role).get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user._is_staff_member = token.user.is_staff or token.user_has_staff_role
        return (token.user, token)
