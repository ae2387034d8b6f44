"""Login bookkeeping: the session's trust level and the person's preferred language."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .constants import TrustLevel
from .trust import SESSION_KEY


@receiver(user_logged_in, dispatch_uid="accounts_session_trust_level")
def _store_trust_level(sender, request, user, **kwargs):
    if request is None:
        return
    # An eID backend puts the asserted level on the user object it authenticated; every other
    # login (password, test client) is "basic".
    request.session[SESSION_KEY] = getattr(user, "eid_trust_level", None) or TrustLevel.BASIC
    request.rathaus_language = user.preferred_language
