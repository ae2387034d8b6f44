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
    """The demo outbox, with tasks run as soon as they are enqueued (after the commit), so the
    notices the task worker would send are in it when the use case returns."""
    from rathaus.core.models import OutboxMessage

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return OutboxMessage.objects
