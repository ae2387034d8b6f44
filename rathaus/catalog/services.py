"""Write use cases of the catalogue."""

from __future__ import annotations

from django.db import transaction

from .models import Service

__all__ = ["service_set_capabilities"]

CAPABILITIES = (
    "offers_form_assistant",
    "offers_online_submission",
    "offers_evidence_upload",
    "offers_online_notice",
    "offers_once_only",
)


@transaction.atomic
def service_set_capabilities(*, service: Service, **capabilities: bool) -> Service:
    """Record what Rathaus offers for a service (called by the form engine and the workflow);
    the OZG maturity follows from it."""
    unknown = set(capabilities) - set(CAPABILITIES)
    if unknown:
        raise ValueError(f"unknown capabilities: {sorted(unknown)}")
    service = Service.objects.select_for_update().get(pk=service.pk)
    for name, value in capabilities.items():
        setattr(service, name, bool(value))
    service.save(update_fields=list(capabilities))
    return service
