from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Password login by e-mail address, case-insensitive. Inactive (unconfirmed) accounts are
    let through to the form, which then says why they cannot log in yet."""

    def user_can_authenticate(self, user) -> bool:
        return True
