"""Service model: LeiKa key, channels, and the OZG maturity derived from what is offered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rathaus.catalog.constants import OzgMaturity
from rathaus.catalog.models import Service
from rathaus.catalog.services import service_set_capabilities

pytestmark = pytest.mark.django_db

FLAGS = (
    "offers_form_assistant",
    "offers_online_submission",
    "offers_evidence_upload",
    "offers_online_notice",
    "offers_once_only",
)


def with_flags(service: Service, **flags: bool) -> Service:
    for name in FLAGS:
        setattr(service, name, flags.get(name, False))
    return service


@pytest.mark.parametrize(
    ("published", "documents", "flags", "level"),
    [
        (False, "", dict.fromkeys(FLAGS, True), OzgMaturity.OFFLINE),
        (True, "", {}, OzgMaturity.INFORMATION),
        (True, "", {"offers_form_assistant": True}, OzgMaturity.FORM_ASSISTANT),
        # Submission online but the notice goes by post: not yet level 3.
        (True, "", {"offers_online_submission": True}, OzgMaturity.FORM_ASSISTANT),
        (
            True,
            "Ausweis",
            {"offers_online_submission": True, "offers_online_notice": True},
            OzgMaturity.FORM_ASSISTANT,  # evidence needed but no upload
        ),
        (True, "", {"offers_online_submission": True, "offers_online_notice": True}, OzgMaturity.ONLINE),
        (
            True,
            "Ausweis",
            {"offers_online_submission": True, "offers_online_notice": True, "offers_evidence_upload": True},
            OzgMaturity.ONLINE,
        ),
        (
            True,
            "Ausweis",
            {
                "offers_online_submission": True,
                "offers_online_notice": True,
                "offers_evidence_upload": True,
                "offers_once_only": True,
            },
            OzgMaturity.ONCE_ONLY,
        ),
        # Once-only alone does not make a service fully online.
        (True, "", {"offers_once_only": True}, OzgMaturity.INFORMATION),
    ],
)
def test_derive_maturity(make_service, published, documents, flags, level):
    service = with_flags(make_service(is_published=published, required_documents=documents), **flags)
    assert service.derive_maturity() == level
    service.save()
    service.refresh_from_db()
    assert service.ozg_maturity == level


def test_each_level_0_to_4_is_reachable(make_service):
    reached = set()
    for published, flags in [
        (False, {}),
        (True, {}),
        (True, {"offers_form_assistant": True}),
        (True, {"offers_online_submission": True, "offers_online_notice": True}),
        (True, {"offers_online_submission": True, "offers_online_notice": True, "offers_once_only": True}),
    ]:
        reached.add(with_flags(make_service(is_published=published), **flags).derive_maturity())
    assert reached == {0, 1, 2, 3, 4}


def test_maturity_cannot_be_typed_in(make_service):
    service = make_service()
    service.ozg_maturity = OzgMaturity.ONCE_ONLY
    service.save()
    service.refresh_from_db()
    assert service.ozg_maturity == OzgMaturity.INFORMATION


def test_set_capabilities_derives_maturity_also_with_update_fields(make_service):
    service = make_service()
    service = service_set_capabilities(
        service=service, offers_online_submission=True, offers_online_notice=True
    )
    assert service.ozg_maturity == OzgMaturity.ONLINE
    assert Service.objects.get(pk=service.pk).ozg_maturity == OzgMaturity.ONLINE
    service = service_set_capabilities(service=service, offers_online_notice=False)
    assert Service.objects.get(pk=service.pk).ozg_maturity == OzgMaturity.FORM_ASSISTANT


def test_set_capabilities_refuses_unknown_capabilities(make_service):
    with pytest.raises(ValueError, match="unknown capabilities"):
        service_set_capabilities(service=make_service(), offers_teleportation=True)


@pytest.mark.parametrize(
    "key", ["9910800100100", "991080010010001", "9910800100100A", "ABCDEFGHIJKLMN", "", "99108 01001000"]
)
def test_leika_key_must_have_exactly_14_digits(make_service, key):
    service = make_service()
    service.leika_key = key
    with pytest.raises(ValidationError) as raised:
        service.full_clean()
    assert "leika_key" in raised.value.message_dict


def test_fourteen_digit_leika_key_is_valid(make_service):
    service = make_service(leika_key="99108001001000")
    service.full_clean()


@pytest.mark.parametrize("channels", [["fax"], ["online", "carrier pigeon"], ["ONLINE"]])
def test_unknown_channel_fails_clean(make_service, channels):
    service = make_service()
    service.channels = channels
    with pytest.raises(ValidationError) as raised:
        service.clean()
    assert "channels" in raised.value.message_dict


def test_known_channels_pass_clean(make_service):
    service = make_service(channels=["online", "counter", "post", "phone"])
    service.clean()
    assert len(service.channel_labels) == 4


def test_fixed_fee_needs_an_amount_in_the_database(make_service):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_service(fee_kind="fixed", fee_amount=None)


def test_document_list_strips_bullets_and_blank_lines(make_service):
    service = make_service(required_documents="- Ausweis\n\n• Foto \n  Vollmacht")
    assert service.document_list == ["Ausweis", "Foto", "Vollmacht"]
