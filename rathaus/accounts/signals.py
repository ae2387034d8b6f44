"""Login bookkeeping: the session's trust level and the person's preferred language."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from rathaus.core.signals import language_chosen

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


@receiver(language_chosen, dispatch_uid="accounts_preferred_language_chosen")
def _store_chosen_language(sender, request, user, language, **kwargs):
    # The language a person picks in the header is theirs: it stays after the next login and
    # their e-mails and letters follow it.
    from .services import preferred_language_set

    preferred_language_set(user=user, language=language, request=request)
