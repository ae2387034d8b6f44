"""Who may edit a service's form and who may read an uploaded file."""

import rules

from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.rules import is_administrator

from .selectors import upload_readable_by


def _service_of(obj):
    if obj is None:
        return None
    if hasattr(obj, "definition"):  # a FormVersion
        return obj.definition.service
    if hasattr(obj, "form_definition") or hasattr(obj, "department_id"):  # a Service
        return obj
    return getattr(obj, "service", None)  # a FormDefinition


@rules.predicate
def is_staff_of_service_department(user, obj) -> bool:
    service = _service_of(obj)
    if service is None or not user.is_authenticated:
        return False
    kinds = (StaffRoleKind.CASEWORKER, StaffRoleKind.DEPARTMENT_HEAD)
    return service.department_id in user.department_ids(*kinds)


@rules.predicate
def may_read_upload(user, upload) -> bool:
    return upload is not None and upload_readable_by(user, upload)


# Staff of the department responsible for the service edit and publish its form.
rules.add_perm("forms.change_form", is_staff_of_service_department | is_administrator)
rules.add_perm("forms.view_upload", may_read_upload)
