"""The shipped form definitions and the demo's online forms: every definition parses, belongs to
a demo service and is bilingual; the demo publishes them (OZG maturity 3 or 4) idempotently; a
realistic answer set for each form passes the full validation."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rathaus.accounts.constants import TrustLevel
from rathaus.accounts.models import Department, User
from rathaus.catalog.constants import OzgMaturity
from rathaus.catalog.models import Service
from rathaus.demo import catalog_data, data
from rathaus.demo.catalog_data import load_catalog
from rathaus.demo.forms_data import load_forms
from rathaus.demo.loader import load_demo
from rathaus.forms import services
from rathaus.forms.constants import ONCE_ONLY_KEY
from rathaus.forms.definitions import load, names
from rathaus.forms.engine import FillContext, FormSpec, FormValidationError, validate_all
from rathaus.forms.models import FormDefinition, FormVersion

from .helpers import PNG_BYTES, pdf_file

PDF, PNG = "<pdf>", "<png>"  # placeholders: the test uploads a file of that kind to the draft
CITIZEN = "maria.muster@example.org"
ADDRESS = {"street": "Maximilianstraße 12", "postal_code": "93047", "city": "Regensburg"}
IBAN = "DE89370400440532013000"


def _days(count: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=count)).isoformat()


def _years_ago(years: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=round(years * 365.25) + 10)).isoformat()


def sample_answers(name: str) -> dict:
    """A complete, valid answer set per demo form, as a careful applicant would give it."""
    return {
        "bewohnerparkausweis": {
            "first_name": "Maria",
            "last_name": "Muster",
            "birth_date": "1986-04-17",
            "email": CITIZEN,
            "address": ADDRESS,
            "residence_kind": "main",
            "vehicles": [
                {"plate": "R-MM 86", "holder": "self"},
                {"plate": "R-SW 12", "holder": "employer", "holder_name": "Stadtwerke Regensburg"},
            ],
            "valid_from": _days(0),
            "duration": "2y",
            "residence_proof": [PDF],
            "registration_certificate": [PDF, PNG],
            "company_car_proof": [PDF],
            "account_holder": "Maria Muster",
            "iban": IBAN,
            "sepa_mandate": True,
            "truthful": True,
        },
        "maengelmelder": {
            "category": "light",
            "location_description": "Steinerne Brücke, Nordseite, dritte Laterne",
            "description": "Die Laterne leuchtet seit drei Tagen nicht mehr.",
            "photo": [PNG],
            "wants_feedback": "yes",
            "email": "hinweis@example.org",
        },
        "meldebescheinigung": {
            "first_name": "Maria",
            "last_name": "Muster",
            "birth_date": "1986-04-17",
            "address": ADDRESS,
            "certificate_kind": "extended",
            "extended_contents": ["marital_status", "former_addresses"],
            "purpose": "other",
            "purpose_other": "Wohnungsbewerbung",
            "copies": "2",
            "delivery": "mailbox",
            "identity_document": [PDF],
            "email": CITIZEN,
            "truthful": True,
        },
        "hundesteuer-anmeldung": {
            "first_name": "Maria",
            "last_name": "Muster",
            "birth_date": "1986-04-17",
            "address": ADDRESS,
            "email": CITIZEN,
            "dogs": [
                {
                    "dog_name": "Bello",
                    "breed": "labrador",
                    "sex": "male",
                    "dog_birth_date": _years_ago(3),
                    "chip_number": "276098106543210",
                },
                {"dog_name": "Fussel", "breed": "other", "breed_other": "Bolonka Zwetna", "sex": "female"},
            ],
            "holding_start": _days(-10),
            "previously_registered": "yes",
            "previous_municipality": "Neutraubling",
            "previous_end": _days(-10),
            "relief": "animal_shelter",
            "relief_proof": [PDF],
            "payment_method": "direct_debit",
            "account_holder": "Maria Muster",
            "iban": "DE89 3704 0044 0532 0130 00",
            "sepa_mandate": True,
            "truthful": True,
        },
        "sondernutzung-strasse": {
            "applicant_kind": "company",
            "company_name": "Gerüstbau Donau GmbH",
            "first_name": "Maria",
            "last_name": "Muster",
            "address": ADDRESS,
            "email": CITIZEN,
            "phone": "0941 507-1234",
            "purpose": "scaffolding",
            "location": {"street": "Goliathstraße 4", "postal_code": "93047", "city": "Regensburg"},
            "location_detail": "Gehweg vor dem Haus, 1,5 m ab Hauswand",
            "surfaces": ["pavement", "parking_lane"],
            "square_metres": "22,5",
            "start_date": _days(14),
            "end_date": _days(20),
            "site_plan": [PDF],
            "liability": True,
        },
        "trautermin-eheschliessung-anmelden": {
            "partners": [
                {
                    "first_names": "Maria Anna",
                    "last_name": "Muster",
                    "birth_date": "1986-04-17",
                    "birth_place": "Regensburg",
                    "nationality": "german",
                    "marital_status": "single",
                    "registered_in_regensburg": "yes",
                },
                {
                    "first_names": "Luca",
                    "last_name": "Rossi",
                    "birth_date": "1984-09-30",
                    "birth_place": "Verona",
                    "nationality": "other",
                    "nationality_other": "italienisch",
                    "marital_status": "divorced",
                    "registered_in_regensburg": "no",
                },
            ],
            "venue": "old_town_hall",
            "desired_from": _days(30),
            "desired_until": _days(60),
            "weekdays": ["fri", "sat"],
            "guests": "25",
            "married_name": "keep",
            "interpreter": "yes",
            "interpreter_language": "Italienisch",
            "identity_documents": [PDF, PDF],
            "birth_records": [PDF, PDF],
            "previous_marriage": "yes",
            "previous_marriage_documents": [PDF],
            "email": CITIZEN,
            "address": ADDRESS,
            "truthful": True,
        },
        "kita-platz-voranmelden": {
            "child_first_name": "Lena",
            "child_last_name": "Muster",
            "child_birth_date": _years_ago(2),
            "special_needs": "no",
            "care_type": "kindergarten",
            "desired_start": _days(90),
            "care_hours": "7-8",
            "centres": [{"centre": "kita-altstadt"}, {"centre": "kita-stadtamhof"}],
            "sibling": "no",
            "first_name": "Maria",
            "last_name": "Muster",
            "address": ADDRESS,
            "email": CITIZEN,
            "situation": ["employed"],
            "data_sharing": True,
        },
        "gastschulbeitrag": {
            "child_first_name": "Paul",
            "child_last_name": "Muster",
            "child_birth_date": _years_ago(8),
            "current_school": "Grundschule am Sallerner Berg",
            "school_type": "grundschule",
            "guest_school_name": "Grundschule Lappersdorf",
            "guest_school_address": {
                "street": "Schulstraße 2",
                "postal_code": "93138",
                "city": "Lappersdorf",
            },
            "grade": "3",
            "start_date": _days(30),
            "end_date": _days(400),
            "reason": "care",
            "reason_details": "Nach der Schule betreuen die Großeltern Paul, die in Lappersdorf wohnen.",
            "admission_confirmation": [PDF],
            "first_name": "Maria",
            "last_name": "Muster",
            "address": ADDRESS,
            "email": CITIZEN,
            "custody": True,
        },
        "gartenkurs-anmelden": {
            "course": "obstbaumschnitt",
            "waiting_list": "yes",
            "regensburg_pass": "yes",
            "regensburg_pass_number": "RP-2026-0815",
            "first_name": "Maria",
            "last_name": "Muster",
            "phone": "0171 2345678",
            "companions": [
                {"companion_first_name": "Paul", "companion_last_name": "Muster", "companion_age": "child"}
            ],
            "cancellation_terms": True,
        },
        "bauantrag-digital": {
            "applicant_kind": "private",
            "first_name": "Maria",
            "last_name": "Muster",
            "address": ADDRESS,
            "email": CITIZEN,
            "designer_name": "Architekturbüro Keplerstraße, Dipl.-Ing. Eva Stein",
            "designer_qualification": "architect",
            "designer_chamber_number": "BYAK 123456",
            "designer_email": "stein@architektur.example",
            "designer_phone": "0941 123456",
            "plot_address": {"street": "Am Brandlberg 7", "postal_code": "93057", "city": "Regensburg"},
            "cadastral_district": "Weichs",
            "parcel_numbers": "1234/5",
            "project_kind": "new_building",
            "procedure": "simplified",
            "project_description": "Einfamilienhaus mit Garage, zwei Vollgeschosse, Satteldach.",
            "storeys": "2",
            "gross_floor_area": "210,5",
            "construction_cost_thousands": "480",
            "parking_spaces": "2",
            "planned_start": _days(90),
            "planned_completion": _days(500),
            "application_form": [PDF],
            "site_plan": [PDF],
            "drawings": [PDF, PDF, PDF],
            "building_description": [PDF],
            "parking_proof": [PDF],
            "qualification_proof": [PDF],
            "neighbours_signed": "some",
            "neighbour_signatures": [PDF],
            "truthful": True,
        },
    }[name]


def _labels(node, path="definition"):
    """Every translatable text of a definition with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "hint", "title", "intro", "description", "message", "row_label"):
                yield f"{path}.{key}", value
            yield from _labels(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _labels(item, f"{path}[{index}]")


# --- the definitions ------------------------------------------------------------------------


@pytest.mark.parametrize("name", names())
def test_every_definition_parses(name):
    spec = FormSpec.from_json(load(name))
    assert spec.steps and spec.title("de") and spec.title("en")


@pytest.mark.parametrize("name", names())
def test_every_definition_is_bilingual(name):
    for path, text in _labels(load(name)):
        assert isinstance(text, dict) and text.get("de") and text.get("en"), path


def test_every_definition_belongs_to_a_demo_service_and_has_sample_answers():
    slugs = {entry["slug"] for entry in catalog_data.SERVICES}
    assert set(names()) <= slugs
    assert len(names()) >= 8
    for name in names():
        assert sample_answers(name)


def test_fee_rule_answers_are_asked_by_the_form():
    """A computed fee reads answers by field name; the form must ask for them."""
    from rathaus.catalog.fees import rule_fields

    rules = {entry["slug"]: entry.get("fee_rule") for entry in catalog_data.SERVICES}
    for name in ("sondernutzung-strasse", "bauantrag-digital"):
        assert rule_fields(rules[name]) <= set(FormSpec.from_json(load(name)).top_fields), name


# --- the demo -------------------------------------------------------------------------------


def _form_rows() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"forms", "catalog", "cases"}
    }


@pytest.mark.django_db
def test_demo_publishes_the_forms_and_reaches_maturity_three_or_four():
    created = load_demo()
    assert created["forms"] == len(names())
    assert created["notice_templates"] == 1
    with_form = Service.objects.filter(form_definition__versions__published_at__isnull=False).distinct()
    assert with_form.count() >= 8
    assert set(with_form.values_list("slug", flat=True)) == set(names())
    for service in with_form:
        assert service.ozg_maturity >= OzgMaturity.ONLINE, service.slug
        assert service.offers_online_submission and service.offers_online_notice, service.slug
    assert Service.objects.get(slug="bewohnerparkausweis").ozg_maturity == OzgMaturity.ONCE_ONLY
    assert Service.objects.get(slug="meldebescheinigung").ozg_maturity == OzgMaturity.ONCE_ONLY
    assert Service.objects.get(slug="maengelmelder").allows_anonymous
    assert Service.objects.filter(ozg_maturity__gte=OzgMaturity.ONLINE).count() >= 8
    # Services without a form stay honestly at information level.
    assert not Service.objects.exclude(slug__in=names()).filter(ozg_maturity__gt=OzgMaturity.INFORMATION)


@pytest.mark.django_db
def test_second_load_creates_and_writes_nothing():
    load_demo()
    before = _form_rows()
    versions = list(FormVersion.objects.order_by("pk").values_list("pk", "number", "published_at"))
    with CaptureQueriesContext(connection) as queries:
        created = load_demo()
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert set(created.values()) == {0}
    assert _form_rows() == before
    assert list(FormVersion.objects.order_by("pk").values_list("pk", "number", "published_at")) == versions


@pytest.mark.django_db
def test_a_form_published_by_staff_is_not_overwritten():
    load_demo()
    definition = FormDefinition.objects.get(service__slug="gartenkurs-anmelden")
    edited = load("gartenkurs-anmelden")
    edited["title"] = {"de": "Gartenkurs (geändert)", "en": "Gardening course (changed)"}
    services.form_version_publish(
        acting_user=None,
        version=services.form_version_save(acting_user=None, definition=definition, schema=edited),
    )
    assert load_demo()["forms"] == 0
    assert definition.current_version().number == 2
    assert definition.current_version().schema["title"]["de"] == "Gartenkurs (geändert)"


@pytest.mark.django_db
def test_parking_permit_has_its_own_notice_with_legal_remedy():
    load_demo()
    service = Service.objects.get(slug="bewohnerparkausweis")
    template = service.workflow.notice_template
    assert "{{ case.reference }}" in template and "Rechtsbehelfsbelehrung" in template
    service.workflow.full_clean()
    case = SimpleNamespace(reference="BPA-2026-00042", created_at=dt.datetime(2026, 3, 2, 9, 0), fee="60.00")
    text = Template(template).render(
        Context(
            {
                "case": case,
                "service": service,
                "department": service.department,
                "outcome": "granted",
                "outcome_label": "Dem Antrag wird stattgegeben.",
                "reasoning": "Die Voraussetzungen liegen vor.",
                "decided_at": dt.datetime(2026, 3, 5, 10, 0),
                "applicant_name": "Maria Muster",
                "answers": {**sample_answers("bewohnerparkausweis"), "valid_from": "2026-04-01"},
            },
            autoescape=True,
        )
    )
    assert text.count("BPA-2026-00042") >= 2
    assert "ab dem 01.04.2026" in text and "für zwei Jahre" in text and "R-MM 86, R-SW 12" in text
    assert "60.00 EUR" in text and "Verwaltungsgericht Regensburg" in text
    assert "Sehr geehrte/r Maria Muster" in text


# --- answers --------------------------------------------------------------------------------


def _with_uploads(name: str, answers: dict, user) -> tuple[dict, FillContext]:
    """Start a draft of the published demo form and replace the file placeholders by uploads."""
    version = FormDefinition.objects.get(service__slug=name).current_version()
    draft = services.draft_start(user=user, form_version=version, session={})
    data = dict(answers)
    for field_name, value in answers.items():
        if isinstance(value, list) and value and value[0] in (PDF, PNG):
            data[field_name] = [
                str(
                    services.upload_accept(
                        draft=draft,
                        field_name=field_name,
                        file=pdf_file(f"{field_name}-{index}.pdf")
                        if kind == PDF
                        else pdf_file(f"{field_name}-{index}.png", PNG_BYTES, "image/png"),
                        acting_user=user,
                    ).pk
                )
                for index, kind in enumerate(value)
            ]
    return data, FillContext(user=user, trust_level=TrustLevel.BASIC, language="de", draft=draft)


@pytest.fixture
def demo_citizen(db):
    """The demo catalogue with its forms and the demo citizen Maria Muster, without the rest of
    the demo (quicker than ``load_demo``, which the tests above cover)."""
    departments: dict[str, Department] = {}
    for code, name, name_en, parent in data.DEPARTMENTS:
        departments[code] = Department.objects.create(
            code=code, name=name, name_en=name_en, parent=departments.get(parent)
        )
    load_catalog()
    load_forms()
    person = dict(data.CITIZENS[0])
    person["birth_date"] = dt.date.fromisoformat(person["birth_date"])
    return User.objects.create(is_active=True, **person)


@pytest.mark.parametrize("name", names())
def test_sample_answers_pass_the_full_validation(name, demo_citizen):
    data, context = _with_uploads(name, sample_answers(name), demo_citizen)
    spec = FormSpec.from_json(load(name))
    cleaned = validate_all(spec, data, context=context)
    for fld in spec.top_fields.values():
        if fld.type == "file" and fld.name in data:
            assert cleaned[fld.name] == data[fld.name], fld.name  # the uploads are kept
    assert set(cleaned) <= set(spec.top_fields)


@pytest.mark.parametrize(
    ("name", "change", "error_field"),
    [
        ("sondernutzung-strasse", {"end_date": _days(10)}, "end_date"),
        ("trautermin-eheschliessung-anmelden", {"desired_until": _days(20)}, "desired_until"),
        ("kita-platz-voranmelden", {"child_birth_date": _days(120)}, "desired_start"),
        ("gastschulbeitrag", {"end_date": _days(30)}, "end_date"),
        ("bauantrag-digital", {"planned_completion": _days(60)}, "planned_completion"),
        ("hundesteuer-anmeldung", {"previous_end": _days(-5)}, "holding_start"),
        ("gartenkurs-anmelden", {"phone": ""}, "email"),
        ("meldebescheinigung", {"email": ""}, "email"),
    ],
)
def test_cross_field_rules_catch_inconsistent_answers(name, change, error_field, demo_citizen):
    data, context = _with_uploads(name, {**sample_answers(name), **change}, demo_citizen)
    with pytest.raises(FormValidationError) as caught:
        validate_all(FormSpec.from_json(load(name)), data, context=context)
    assert error_field in caught.value.errors


@pytest.mark.parametrize(
    ("name", "change", "error_field"),
    [
        ("trautermin-eheschliessung-anmelden", "one_partner", "partners"),
        ("hundesteuer-anmeldung", "debit_without_iban", "iban"),
        ("bauantrag-digital", "plans_missing", "drawings"),
        ("sondernutzung-strasse", "narrowed_road_without_sign_plan", "traffic_sign_plan"),
    ],
)
def test_conditions_and_bounds_are_enforced(name, change, error_field, demo_citizen):
    answers = sample_answers(name)
    if change == "one_partner":
        answers["partners"] = answers["partners"][:1]
    elif change == "debit_without_iban":
        answers.pop("iban")
    elif change == "plans_missing":
        answers.pop("drawings")
    else:
        answers["surfaces"] = ["roadway"]
    data, context = _with_uploads(name, answers, demo_citizen)
    with pytest.raises(FormValidationError) as caught:
        validate_all(FormSpec.from_json(load(name)), data, context=context)
    assert error_field in caught.value.errors


def test_building_plans_are_pdf_only_up_to_20_mb():
    spec = FormSpec.from_json(load("bauantrag-digital"))
    plans = [spec.all_fields[name] for name in ("site_plan", "drawings", "building_description")]
    assert all(f.raw["accept"] == ["pdf"] and f.raw["max_size_mb"] == 20 for f in plans)


@pytest.mark.parametrize("name", ["bewohnerparkausweis", "meldebescheinigung"])
def test_once_only_with_the_online_id_needs_no_proof(name, demo_citizen):
    citizen = demo_citizen
    citizen.identity_trust_level = TrustLevel.HIGH
    citizen.save()
    answers = sample_answers(name)
    for proof in ("residence_proof", "identity_document"):
        answers.pop(proof, None)
    if name == "meldebescheinigung":  # name, birth date and address come from the online ID
        for taken_over in ("first_name", "last_name", "birth_date", "address"):
            answers.pop(taken_over)
    data, context = _with_uploads(name, answers, citizen)
    context = FillContext(user=citizen, trust_level=TrustLevel.HIGH, language="de", draft=context.draft)
    cleaned = validate_all(FormSpec.from_json(load(name)), data, context=context)
    assert cleaned[ONCE_ONLY_KEY]
    if name == "meldebescheinigung":
        assert cleaned["address"] == ADDRESS and cleaned["birth_date"] == "1986-04-17"
        assert cleaned["first_name"] == "Maria"
