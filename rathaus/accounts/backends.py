from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Password login by e-mail address, case-insensitive.

    ``authenticate`` lets inactive accounts through to the login form, which then says why they
    cannot log in (never confirmed, or deactivated). An existing session of an inactive account
    is not: ``get_user`` refuses it, so deactivating an account ends its sessions on their next
    request."""

    def user_can_authenticate(self, user) -> bool:
        return True

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
