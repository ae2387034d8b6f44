"""Fixtures of the account tests."""

import pytest


@pytest.fixture
def outbox(settings, db):
    """Send e-mail into the demo outbox (OutboxMessage), as the embedded default does."""
    from rathaus.core.models import OutboxMessage

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    return OutboxMessage.objects
