"""Issue 3: an online service from the search to the notice, in the browser.

A citizen finds the residents' parking permit, fills the multi-step form (prefilled fields, a
vehicle row, uploads, an IBAN) and submits it; a caseworker of the responsible department (Amt 32)
claims the case and asks for more; the citizen answers; the caseworker grants the permit and the
citizen downloads the notice (a PDF with the reference). Every page on the way is audited with
axe-core. A second citizen cannot see the first one's case, and the form works by keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from playwright.sync_api import expect
from pypdf import PdfReader

from rathaus.accounts.models import User
from rathaus.cases.constants import CaseState
from rathaus.cases.workflow import workflow_for_service
from rathaus.catalog.models import Service

from .helpers import (
    CASEWORKER_EMAIL,
    CITIZEN_EMAIL,
    AxeAudit,
    duplicate_ids,
    focus_is_visible,
    focused_matches,
    log_in,
    pass_second_factor,
    submit,
    switch_language,
    tab_to,
    visit,
)

pytestmark = pytest.mark.browser

SECOND_CITIZEN_EMAIL = "jonas.beispiel@example.org"
SERVICE_SLUG = "bewohnerparkausweis"
DEFINITION = (
    Path(__file__).resolve().parents[2] / "rathaus" / "forms" / "definitions" / "bewohnerparkausweis.json"
)
IBAN = "DE89370400440532013000"
PLATE = "R-MM 1986"
REQUEST_TEXT = "Bitte Fahrzeugschein nachreichen"
ANSWER_TEXT = "Den Fahrzeugschein finden Sie im Anhang."
REASONING = "Sie wohnen in der Bewohnerparkzone; das Fahrzeug ist auf Sie zugelassen."
REFERENCE = re.compile(r"RBG-\d{4}-\d{6}")
DRAFT_STEP = re.compile(r"/antrag/entwurf/(?P<draft>[0-9a-f-]{36})/(?P<step>[a-z0-9-]+)/$")


# --- helpers ----------------------------------------------------------------------------------


def small_pdf(text: str) -> bytes:
    """A valid one-page PDF with ``text`` (ASCII) on it, offsets computed as the format wants."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": small_pdf(text)}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


class JourneyAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice (labels and descriptions stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


def follow(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


CONTINUE = "main form button[name=_action][value=next]:not([hidden])"


def continue_step(page) -> None:
    submit(page, CONTINUE)


def open_accordion(page, containing: str):
    """Open the accordion (details) that holds ``containing`` by clicking its summary."""
    details = page.locator("main details", has=page.locator(containing))
    if not details.evaluate("element => element.open"):
        details.locator("summary").click()
    expect(page.locator(containing)).to_be_visible()
    return page.locator(f"main {containing}")


def wait_for_autosave(page) -> None:
    """Let the step's autosave (htmx, 1 s after a change) finish before the step is sent: it
    stores the step without its files and must not overtake the upload (see the report)."""
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"\S"))


def current_step(page) -> str:
    match = DRAFT_STEP.search(page.url)
    assert match, f"not on a step of the form: {page.url}"
    return match["step"]


def new_page(browser, live_server, *, locale: str = "de-DE"):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale=locale)
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(15_000)
    return context.new_page()


def publish_parking_form() -> Service:
    """The demo parking service with a published form. ``load_demo`` publishes the demo forms;
    where it does not (yet), publish the definition shipped with the forms app."""
    from rathaus.forms import services as form_services
    from rathaus.forms.selectors import current_form_version

    service = Service.objects.get(slug=SERVICE_SLUG)
    if current_form_version(service) is None:
        definition = form_services.form_definition_ensure(acting_user=None, service=service)
        version = form_services.form_version_save(
            acting_user=None, definition=definition, schema=json.loads(DEFINITION.read_text("utf-8"))
        )
        form_services.form_version_publish(acting_user=None, version=version)
        service.refresh_from_db()
    assert service.department.code == "Amt 32", service.department
    return service


@pytest.fixture
def parking(demo):
    return publish_parking_form()


def step_answers(user: User, today: dt.date) -> dict[str, dict[str, str]]:
    """What the citizen enters, by step, as the browser posts it (files apart)."""
    return {
        "person": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "birth_date": user.birth_date.isoformat(),
            "email": user.email,
        },
        "residence": {
            "address.street": user.street,
            "address.postal_code": user.postal_code,
            "address.city": user.city,
            "residence_kind": "main",
        },
        "vehicles": {
            "vehicles.0.plate": PLATE,
            "vehicles.0.holder": "self",
            "valid_from": today.isoformat(),
            "duration": "1y",
        },
        "evidence": {},
        "payment": {"account_holder": user.get_full_name(), "iban": IBAN, "sepa_mandate": "on"},
        "declaration": {"truthful": "on"},
    }


def draft_for(user: User, service: Service, *, until: str | None = None):
    """A draft of ``user`` filled through the forms services, up to (not including) ``until``."""
    from rathaus.forms import services as form_services
    from rathaus.forms.engine import FillContext
    from rathaus.forms.selectors import current_form_version

    draft = form_services.draft_start(user=user, form_version=current_form_version(service), session=None)
    context = FillContext(user=user, trust_level="basic", language="de", draft=draft)
    for step_id, answers in step_answers(user, dt.date.today()).items():
        if step_id == until:
            break
        raw = QueryDict(mutable=True)
        raw.update(answers)
        files = None
        if step_id == "evidence":
            files = MultiValueDict(
                {
                    name: [SimpleUploadedFile(f"{name}.pdf", small_pdf(name), content_type="application/pdf")]
                    for name in ("residence_proof", "registration_certificate")
                }
            )
        errors = form_services.draft_save_step(
            draft=draft, step_id=step_id, raw_data=raw, files=files, context=context
        )
        assert not errors, (step_id, errors)
    return draft


# --- the journey --------------------------------------------------------------------------------


def test_parking_permit_from_search_to_notice(page, browser, live_server, parking, demo):
    audit = JourneyAudit(page)
    today = dt.date.today()

    # The citizen logs in and searches the catalogue.
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    visit(page, "/leistungen/")
    audit.check("catalogue")
    page.locator("#suche").fill("parken")
    results = page.locator("#suchergebnisse")
    expect(results.locator("h2")).to_contain_text("parken")
    service_link = results.locator(f"a[href='/leistungen/{SERVICE_SLUG}/']")
    expect(service_link).to_be_visible()
    # The search is in the address, so it can be shared and reloaded.
    expect(page).to_have_url(re.compile(r"/leistungen/\?q=parken$"))
    # The count is announced in a status region that stays in the page.
    expect(page.locator("#suche-status[role=status]")).to_contain_text("parken")
    audit.check("search results")
    # Emptying the field shows no results, and not a second page inside the first.
    page.locator("#suche").fill("")
    expect(results.locator("h2")).to_have_count(0)
    assert page.locator("main").count() == 1, "the whole page was swapped into the results"
    page.locator("#suche").fill("parken")
    expect(service_link).to_be_visible()
    follow(page, service_link)
    assert page.locator("main h1").inner_text() == parking.name
    assert "Amt für öffentliche Ordnung und Straßenverkehr" in page.locator("main").inner_text()
    audit.check("service page")

    follow(page, page.locator(f"main a[href='/antrag/{SERVICE_SLUG}/']"))
    audit.check("form start")
    follow(page, page.locator("main form button[type=submit]"))

    # Step 1: taken over from the account.
    assert current_step(page) == "person"
    expect(page.locator("#f-first-name")).to_have_value("Maria")
    expect(page.locator("#f-last-name")).to_have_value("Muster")
    expect(page.locator("#f-birth-date")).to_have_value("1986-04-17")
    expect(page.locator("#f-email")).to_have_value(CITIZEN_EMAIL)
    audit.check("step person")
    continue_step(page)

    # Step 2: the address comes from the account, the kind of residence is chosen.
    assert current_step(page) == "residence"
    expect(page.locator("#f-address-street")).to_have_value("Maximilianstraße 12")
    expect(page.locator("#f-address-postal_code")).to_have_value("93047")
    expect(page.locator("#f-address-city")).to_have_value("Regensburg")
    page.locator("label[for=f-residence-kind-0]").click()
    audit.check("step residence")
    continue_step(page)

    # Step 3: sent empty first, the errors are listed and linked; then one vehicle.
    assert current_step(page) == "vehicles"
    audit.check("step vehicles")
    continue_step(page)
    assert current_step(page) == "vehicles", "an empty required step must not be passed"
    summary = page.locator("main #fehler[role=alert]")
    expect(summary).to_be_visible()
    for anchor in ("#f-vehicles", "#f-valid-from", "#f-duration"):
        expect(summary.locator(f"a[href='{anchor}']")).to_have_count(1)
    expect(page.locator("#f-valid-from")).to_have_attribute("aria-invalid", "true")
    audit.check("step vehicles with errors")
    page.locator("#f-vehicles-0-plate").fill(PLATE)
    page.locator("label[for=f-vehicles-0-holder-0]").click()
    page.locator("#f-valid-from").fill(today.isoformat())
    page.locator("label[for=f-duration-0]").click()
    continue_step(page)

    # Step 4: two real PDFs.
    assert current_step(page) == "evidence", page.locator("main").inner_text()
    audit.check("step evidence")
    page.locator("#f-residence-proof").set_input_files(
        pdf_file("meldebescheinigung.pdf", "Meldebescheinigung")
    )
    page.locator("#f-registration-certificate").set_input_files(
        pdf_file("fahrzeugschein.pdf", "Fahrzeugschein")
    )
    wait_for_autosave(page)
    continue_step(page)

    # Step 5: the fee by direct debit.
    assert current_step(page) == "payment", page.locator("main").inner_text()
    audit.check("step payment")
    page.locator("#f-account-holder").fill("Maria Muster")
    page.locator("#f-iban").fill(IBAN)
    page.locator("label[for=f-sepa-mandate]").click()
    continue_step(page)

    # Step 6: the declaration, then the summary.
    assert current_step(page) == "declaration", page.locator("main").inner_text()
    audit.check("step declaration")
    page.locator("label[for=f-truthful]").click()
    continue_step(page)
    assert page.url.endswith("/zusammenfassung/"), page.url
    main = page.locator("main").inner_text()
    for expected in (PLATE, "Maria", "Maximilianstraße 12", "meldebescheinigung.pdf"):
        assert expected in main, f"{expected!r} missing from the summary"
    assert page.locator("main #fehler").count() == 0, main
    audit.check("summary")
    submit(page, "main form[action$='/absenden/'] button[type=submit]")

    # Submitted: the reference is shown.
    assert "/konto/antraege/eingereicht/" in page.url, page.url
    match = REFERENCE.search(page.locator("main").inner_text())
    assert match, page.locator("main").inner_text()
    reference = match.group(0)
    assert page.url.endswith(f"/eingereicht/{reference}/")
    audit.check("submitted")

    visit(page, "/konto/antraege/")
    audit.check("my applications")
    follow(page, page.locator(f"main a[href='/konto/antraege/{reference}/']"))
    assert page.locator("main h1").inner_text() == parking.name
    assert reference in page.locator("main").inner_text()
    audit.check("case page")

    # The caseworker of Amt 32 logs in with the second factor and claims the case.
    staff = new_page(browser, live_server)
    staff_audit = JourneyAudit(staff)
    try:
        log_in(staff, CASEWORKER_EMAIL, demo.DEMO_PASSWORD)
        pass_second_factor(staff)
        visit(staff, "/verwaltung/vorgaenge/")
        row_link = staff.locator(f"main a[href='/verwaltung/vorgaenge/{reference}/']")
        expect(row_link).to_have_count(1)
        staff_audit.check("back-office inbox")
        follow(staff, row_link)
        staff_audit.check("back-office case")
        follow(staff, staff.locator("main form[action$='/uebernehmen/'] button[type=submit]"))
        assert "Sabine Sachs" in staff.locator("main dl").first.inner_text()

        request_form = open_accordion(staff, "form[action$='/nachforderung/']")
        staff_audit.check("back-office case, requesting information")
        request_form.locator("textarea[name=message]").fill(REQUEST_TEXT)
        follow(staff, request_form.locator("button[type=submit]"))
        assert staff.locator("main [role=status], main .kern-alert--success").count() >= 1
        assert REQUEST_TEXT in staff.locator("main").inner_text()

        # The citizen sees the request on the case page and in the mailbox, and answers.
        visit(page, "/konto/postfach/")
        audit.check("mailbox")
        thread_link = page.locator("main a[href^='/konto/postfach/']").first
        follow(page, thread_link)
        expect(page.locator("main")).to_contain_text(REQUEST_TEXT)
        audit.check("mailbox thread")
        follow(page, page.locator(f"main a[href='/konto/antraege/{reference}/']"))
        expect(page.locator("main")).to_contain_text(REQUEST_TEXT)
        audit.check("case page with request")
        answer_form = page.locator("main form[action*='/nachforderung/']")
        answer_form.locator("textarea[name=answer]").fill(ANSWER_TEXT)
        answer_form.locator("input[type=file][name=file]").set_input_files(
            pdf_file("fahrzeugschein-nachgereicht.pdf", "Fahrzeugschein")
        )
        follow(page, answer_form.locator("button[type=submit]"))
        assert page.locator("main form[action*='/nachforderung/']").count() == 0
        audit.check("case page after answering")

        # The caseworker sees the case resumed and grants the permit.
        visit(staff, f"/verwaltung/vorgaenge/{reference}/")
        expect(staff.locator("main")).to_contain_text(ANSWER_TEXT)
        with translation.override("de"):
            in_review = workflow_for_service(parking).state_label(CaseState.IN_REVIEW.value)
        assert in_review in staff.locator("main dl").first.inner_text(), "the answer resumes the review"
        expect(staff.locator("main form[action$='/entscheiden/']")).to_have_count(1)
        decide_form = open_accordion(staff, "form[action$='/entscheiden/']")
        staff_audit.check("back-office case resumed, deciding")
        decide_form.locator("input[name=outcome][value=granted]").check()
        decide_form.locator("textarea[name=reasoning]").fill(REASONING)
        follow(staff, decide_form.locator("button[type=submit]"))
        decided = staff.locator("main").inner_text()
        assert staff.locator("main form[action$='/entscheiden/']").count() == 0, decided
        assert "Bescheid" in decided, decided
        staff_audit.check("back-office case decided")
    finally:
        staff.context.close()

    # The citizen downloads the notice and it names the reference.
    visit(page, f"/konto/antraege/{reference}/")
    audit.check("case page with notice")
    notice_link = page.locator("main a[href*='/dokumente/']", has_text="Bescheid")
    expect(notice_link).to_have_count(1)
    with page.expect_download() as download_info:
        notice_link.click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-"), content[:20]
    text = pdf_text(content)
    assert reference in text, text[:500]

    # In English: the catalogue, the service page and a form step.
    switch_language(page, "en")
    visit(page, "/leistungen/?q=parking")
    audit.check("catalogue search (en)")
    visit(page, f"/leistungen/{SERVICE_SLUG}/")
    audit.check("service page (en)")
    visit(page, f"/antrag/{SERVICE_SLUG}/")
    follow(page, page.locator("main form button[type=submit]"))
    assert current_step(page) == "person"
    audit.check("step person (en)")
    # The start page now lists that draft; deleting it asks once more.
    visit(page, f"/antrag/{SERVICE_SLUG}/")
    audit.check("start page with a draft (en)")
    follow(page, page.locator("main a[href$='/verwerfen/']").first)
    audit.check("delete draft? (en)")
    follow(page, page.locator("main form button[type=submit]"))
    assert page.url.endswith(f"/antrag/{SERVICE_SLUG}/"), page.url
    audit.check("draft deleted (en)")

    audit.reports.extend(staff_audit.reports)
    audit.assert_clean()


# --- keyboard -----------------------------------------------------------------------------------


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def choose_file_by_keyboard(page, selector: str, file: dict) -> None:
    tab_to(page, selector)
    assert focus_is_visible(page), f"no visible focus on {selector}"
    with page.expect_file_chooser() as chooser_info:
        page.keyboard.press("Space")
    chooser_info.value.set_files(file)
    assert focused_matches(page, selector), "choosing a file moved the focus"


def test_form_steps_by_keyboard_alone(page, parking, demo):
    """Vehicles, evidence (file inputs), fee, declaration and submit with Tab, typing, Space and
    Enter only; Enter in a text field continues (it neither adds a row nor goes back)."""
    # Playwright switches the interception of file choosers on without waiting for it: do it
    # early, so the first Space on a file input cannot open the chooser before it is on.
    page.on("filechooser", lambda chooser: None)
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    draft = draft_for(User.objects.get(email=CITIZEN_EMAIL), parking, until="vehicles")
    # The date field's segment order follows the browser's locale (day or month first): a date
    # with day == month is typed the same either way.
    valid_from = next(
        day for day in (dt.date.today() + dt.timedelta(days=n) for n in range(366)) if day.day == day.month
    )
    visit(page, f"/antrag/entwurf/{draft.pk}/vehicles/")
    page.locator("main h1").focus()  # start inside main, as after the skip link

    # Vehicles: radios by Space, the date typed digit by digit, then Enter in the plate field.
    tab_to(page, "input[name='vehicles.0.holder'][value=self]")
    page.keyboard.press("Space")
    expect(page.locator("#f-vehicles-0-holder-0")).to_be_checked()
    tab_to(page, "#f-valid-from")
    page.keyboard.type(valid_from.strftime("%d%m%Y"))
    expect(page.locator("#f-valid-from")).to_have_value(valid_from.isoformat())
    tab_to(page, "input[name=duration][value='1y']")
    page.keyboard.press("Space")
    expect(page.locator("#f-duration-0")).to_be_checked()
    tab_to(page, "#f-vehicles-0-plate", backwards=True)
    page.keyboard.type(PLATE)
    press_and_wait(page, "Enter")
    assert current_step(page) == "evidence", page.locator("main").inner_text()

    # Evidence: both file inputs are reached by Tab and open the file chooser with Space.
    page.locator("main h1").focus()
    choose_file_by_keyboard(
        page, "#f-residence-proof", pdf_file("meldebescheinigung.pdf", "Meldebescheinigung")
    )
    choose_file_by_keyboard(
        page, "#f-registration-certificate", pdf_file("fahrzeugschein.pdf", "Fahrzeugschein")
    )
    wait_for_autosave(page)
    tab_to(page, CONTINUE)
    assert focus_is_visible(page), "no visible focus on Continue"
    press_and_wait(page, "Space")
    assert current_step(page) == "payment", page.locator("main").inner_text()

    # Fee: typing and a checkbox by Space; Enter on the button.
    page.locator("main h1").focus()
    tab_to(page, "#f-account-holder")
    page.keyboard.type("Maria Muster")
    tab_to(page, "#f-iban")
    page.keyboard.type(IBAN)
    tab_to(page, "#f-sepa-mandate")
    page.keyboard.press("Space")
    expect(page.locator("#f-sepa-mandate")).to_be_checked()
    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter")
    assert current_step(page) == "declaration", page.locator("main").inner_text()

    page.locator("main h1").focus()
    tab_to(page, "#f-truthful")
    page.keyboard.press("Space")
    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter")
    assert page.url.endswith("/zusammenfassung/"), page.url
    assert page.locator("main #fehler").count() == 0, page.locator("main").inner_text()
    for expected in (PLATE, "meldebescheinigung.pdf", "fahrzeugschein.pdf"):
        assert expected in page.locator("main").inner_text(), expected

    page.locator("main h1").focus()
    tab_to(page, "main form[action$='/absenden/'] button[type=submit]")
    press_and_wait(page, "Enter")
    assert "/konto/antraege/eingereicht/" in page.url, page.url
    assert REFERENCE.search(page.locator("main").inner_text())


# --- privacy ------------------------------------------------------------------------------------


def test_other_citizen_cannot_open_the_case_or_its_documents(page, parking, demo):
    from rathaus.cases import services as case_services
    from rathaus.forms.engine import FillContext

    maria = User.objects.get(email=CITIZEN_EMAIL)
    draft = draft_for(maria, parking)
    case = case_services.application_submit(
        draft=draft,
        acting_user=maria,
        idempotency_key=str(uuid.uuid4()),
        trust_level="basic",
        context=FillContext(user=maria, trust_level="basic", language="de", draft=draft),
    )
    receipt = case.documents.get(kind="receipt")
    thread = getattr(case, "thread", None)

    log_in(page, SECOND_CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    paths = [
        f"/konto/antraege/{case.reference}/",
        f"/konto/antraege/{case.reference}/status/",
        f"/konto/antraege/{case.reference}/dokumente/{receipt.pk}/",
        f"/konto/antraege/eingereicht/{case.reference}/",
    ]
    if thread is not None:
        paths.append(f"/konto/postfach/{thread.pk}/")
    for path in paths:
        visit(page, path, status=404)
        assert page.locator("main h1").inner_text() in ("Seite nicht gefunden", "Page not found"), path
        assert case.reference not in page.locator("main").inner_text(), f"{path} shows the reference"

    visit(page, "/konto/antraege/")
    assert case.reference not in page.locator("main").inner_text()

    # The owner does get them.
    page.context.clear_cookies()
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    visit(page, f"/konto/antraege/{case.reference}/")
    response = page.request.get(f"/konto/antraege/{case.reference}/dokumente/{receipt.pk}/")
    assert response.status == 200
    assert case.reference in pdf_text(response.body())
