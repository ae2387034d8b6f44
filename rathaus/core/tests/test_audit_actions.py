"""Every app's audit actions have a translated label, shown wherever the log is read."""

import logging

import pytest
from django.urls import reverse
from django.utils import translation

from rathaus.booking.services import AuditActions as BookingAuditAction
from rathaus.cases.constants import CaseAuditAction
from rathaus.core import audit_actions
from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_action_choices, audit_action_label
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from rathaus.strategy.services.planning import PlanAuditAction

pytestmark = pytest.mark.django_db


def test_actions_of_every_app_are_registered_with_labels_in_both_languages():
    values = {value for value, _label in audit_action_choices()}
    for action in (
        AuditAction.LOGIN,
        CaseAuditAction.CASE_CREATED,
        BookingAuditAction.MOVED,
        PlanAuditAction.ADOPTED,
    ):
        assert action.value in values
    with translation.override("de"):
        assert audit_action_label("strategy_plan_adopted") == "Plan beschlossen"
        assert audit_action_label("booking_season_granted") == "Saisonantrag bewilligt"
        german = dict(audit_action_choices())
    with translation.override("en"):
        assert audit_action_label("strategy_plan_adopted") == "Plan adopted"
        english = dict(audit_action_choices())
    # No label is its own value, and every one is translated.
    assert all(label != value for value, label in english.items())
    untranslated = sorted(value for value in english if english[value] == german[value] and value != "login")
    assert untranslated == []


def test_an_unregistered_action_fails_in_tests_and_only_warns_in_production(citizen, monkeypatch, caplog):
    with pytest.raises(ValueError, match="no registered label"):
        audit_record(action="made_up_action", actor=citizen)
    assert not AuditEntry.objects.filter(action="made_up_action").exists()
    monkeypatch.setattr(audit_actions, "STRICT", False)
    with caplog.at_level(logging.WARNING):
        entry = audit_record(action="made_up_action", actor=citizen)
    assert entry.action_label == "made_up_action"
    assert any("made_up_action" in record.getMessage() for record in caplog.records)


def test_a_second_label_for_the_same_value_is_refused():
    from django.db import models

    class Clash(models.TextChoices):
        ADOPTED = "strategy_plan_adopted", "Something else"

    with pytest.raises(ValueError, match="registered twice"):
        audit_actions.audit_actions(Clash)


def test_admin_log_shows_and_filters_by_label(admin_client_2fa, citizen):
    audit_record(action=CaseAuditAction.CASE_CREATED, actor=citizen)
    audit_record(action=PlanAuditAction.ADOPTED, actor=citizen)
    url = reverse("admin:core_auditentry_changelist")
    with translation.override("de"):
        page = admin_client_2fa.get(url, {"action": PlanAuditAction.ADOPTED.value}, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Plan beschlossen" in text
    assert "Vorgang angelegt" in text  # in the filter's list of actions
    assert page.context["cl"].result_count == 1
