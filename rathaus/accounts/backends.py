from django.contrib.auth.backends import ModelBackend


def axes_username(request, credentials) -> str | None:
    """The login name django-axes counts failures under: the address in lower case, as the
    login itself ignores case (``UserManager.get_by_natural_key``)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username") if request is not None else None
    return username.strip().lower() if isinstance(username, str) else username


def axes_reset_for(email: str) -> int:
    """Lift django-axes' lockout of an address (all client addresses); returns the attempts removed."""
    from axes.utils import reset

    return reset(username=email.strip().lower())


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
