import pytest

from conftest import make_staff
from rathaus.accounts.constants import StaffRoleKind

from .factories import make_case, make_service


@pytest.fixture
def service(department):
    return make_service(department)


@pytest.fixture
def other_service(other_department):
    return make_service(other_department, slug="eheschliessung", name="Eheschließung anmelden")


@pytest.fixture
def department_head(department):
    return make_staff(
        "leitung@stadt.example",
        StaffRoleKind.DEPARTMENT_HEAD,
        department,
        first_name="Lena",
        last_name="Leitung",
    )


@pytest.fixture
def colleague(department):
    return make_staff(
        "kollege@stadt.example", StaffRoleKind.CASEWORKER, department, first_name="Karl", last_name="Kollege"
    )


@pytest.fixture
def case(service, citizen):
    return make_case(service, applicant=citizen)
