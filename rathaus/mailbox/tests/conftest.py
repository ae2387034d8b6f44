import pytest

from rathaus.cases.tests.factories import make_case, make_service


@pytest.fixture
def service(department):
    return make_service(department)


@pytest.fixture
def case(service, citizen):
    return make_case(service, applicant=citizen)


@pytest.fixture
def outbox(settings, db):
    """The demo outbox; notices reach it when the sweep runs (``notices_send``)."""
    from rathaus.core.models import OutboxMessage

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    return OutboxMessage.objects
