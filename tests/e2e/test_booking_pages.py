"""Bookings in the browser: every booking page audited with axe-core (German, the main ones in
English too), a barbecue area booked, found in "Meine Buchungen", exported as iCalendar and
cancelled, and a free slot chosen and booked with the keyboard alone.

The demo (``load_demo``) brings the resources, the season 2026/27 with granted club slots, the
courses and the sports office's caseworker (Amt 52).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect

from rathaus.booking.constants import BookingStatus
from rathaus.booking.models import Booking

from .helpers import (
    CITIZEN_EMAIL,
    AxeAudit,
    duplicate_ids,
    focus_is_visible,
    log_in,
    pass_second_factor,
    submit,
    switch_language,
    tab_to,
    visit,
)

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
STAFF_EMAIL = "sportamt@regensburg.example"
BARBECUE = "grillplatz-westbad"  # flat fee 15 €, to be paid within 30 minutes
BARBECUE_BY_HOUR = "grillplatz-donaupark"
HALL = "dreifachturnhalle-koenigswiesen"
COURSE = "obstbaumschnitt-fruehjahr-2027"
SLOT_FORM = "#woche form[action$='/buchen/'], #woche form[action$='/reservieren/']"


class BookingAudit(AxeAudit):
    """axe-core plus a check that no id occurs twice (labels and descriptions stay linked)."""

    def check(self, label: str | None = None) -> None:
        super().check(label)
        duplicates = duplicate_ids(self.page)
        if duplicates:
            self.reports.append(f"{self.checked[-1]}: ids used more than once: {', '.join(duplicates)}")


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="de-DE")
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(15_000)
    return context.new_page()


def follow(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def next_week(page) -> None:
    """Page to the following week through htmx: only the week is swapped, the address follows."""
    title = page.locator("#woche-titel").inner_text()
    main_count = page.locator("main").count()
    link = page.locator("#woche nav a[href*='ab=']").last
    expect(link).to_have_attribute("hx-get", re.compile(r"ab="))
    link.click()
    expect(page.locator("#woche-titel")).not_to_have_text(title)
    expect(page).to_have_url(re.compile(r"[?&]ab=\d{4}-\d{2}-\d{2}"))
    assert page.locator("main").count() == main_count, "the whole page was swapped into the week"
    expect(page.locator("#woche-status")).to_contain_text(re.compile(r"\d"))


def first_slot(page, *, days_ahead: int = 3) -> tuple[object, dt.datetime]:
    """The button of the first free slot at least ``days_ahead`` days away (so it can still be
    cancelled online) and its start (aware, Regensburg time)."""
    expect(page.locator(SLOT_FORM).first).to_be_visible()
    earliest = dt.datetime.now(BERLIN) + dt.timedelta(days=days_ahead)
    values = page.locator("#woche form input[name=starts_at]")
    for value in values.evaluate_all("inputs => inputs.map(input => input.value)"):
        starts_at = dt.datetime.fromisoformat(value).astimezone(BERLIN)
        if starts_at >= earliest:
            form = page.locator(f"#woche form:has(input[name=starts_at][value='{value}'])")
            return form.locator("button[type=submit]"), starts_at
    raise AssertionError(f"no free slot after {earliest:%d.%m.%Y %H:%M} in this week")


def slot_label(starts_at: dt.datetime) -> str:
    return f"{starts_at:%H:%M}"


def book_first_slot(page) -> tuple[int, dt.datetime]:
    button, starts_at = first_slot(page)
    follow(page, button)
    match = re.search(r"/buchen/meine/(\d+)/$", page.url)
    assert match, f"not on the confirmation page: {page.url}\n{page.locator('main').inner_text()}"
    return int(match[1]), starts_at


# --- every booking page, audited ------------------------------------------------------------------


def test_booking_pages_pass_axe(page, browser, live_server, demo):
    audit = BookingAudit(page)

    # Anonymous: the public pages.
    visit(page, "/buchen/")
    audit.check("resource list (anonymous)")
    visit(page, f"/buchen/{BARBECUE}/")
    audit.check("leisure resource (anonymous)")
    visit(page, "/belegung/")
    audit.check("occupancy plans")
    visit(page, f"/belegung/{HALL}/")
    expect(page.locator("main table caption")).to_contain_text("Belegung")
    audit.check("occupancy plan of the triple hall")
    visit(page, f"/belegung/{HALL}/druck/")
    expect(page.locator("main table")).to_have_count(1)
    audit.check("occupancy plan, print view")

    # The citizen.
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    visit(page, "/buchen/")
    audit.check("resource list")
    follow(page, page.locator(f"main a[href='/buchen/{BARBECUE}/']"))
    expect(page.locator("main h1")).to_have_text("Grillplatz Westbad")
    audit.check("leisure resource with its week")
    next_week(page)
    audit.check("leisure resource, next week (htmx)")
    booking_pk, starts_at = book_first_slot(page)
    main = page.locator("main")
    expect(main.locator(".kern-alert--warning")).to_contain_text("Zahlung")
    expect(main).to_contain_text("15,00 €")
    expect(page.locator("main .kern-subline")).to_contain_text(slot_label(starts_at))
    audit.check("booking confirmation (payment pending)")

    visit(page, "/buchen/meine/")
    expect(page.locator(f"main a[href='/buchen/meine/{booking_pk}/']")).to_have_count(1)
    audit.check("my bookings")

    # The wedding calendar, then a provisional reservation.
    visit(page, "/buchen/trauung/")
    audit.check("wedding calendar")
    next_week(page)
    audit.check("wedding calendar, next week (htmx)")
    follow(page, first_slot(page)[0])
    assert re.search(r"/buchen/meine/\d+/$", page.url), page.locator("main").inner_text()
    expect(page.locator("main .kern-alert--info")).to_have_count(1)
    audit.check("wedding reservation (provisional)")

    # Courses: list, detail, registration.
    visit(page, "/buchen/kurse/")
    audit.check("course list")
    follow(page, page.locator(f"main a[href='/buchen/kurse/{COURSE}/']"))
    audit.check("course detail")
    submit(page, f"main form[action='/buchen/kurse/{COURSE}/anmelden/'] button[type=submit]")
    assert page.url.endswith("/buchen/meine/"), page.url
    expect(page.locator(f"main a[href='/buchen/kurse/{COURSE}/']")).to_have_count(1)
    audit.check("my bookings after the course registration")
    visit(page, f"/buchen/kurse/{COURSE}/")
    audit.check("course detail, registered")

    # Cancelling the barbecue booking from its page.
    visit(page, f"/buchen/meine/{booking_pk}/")
    submit(page, f"main form[action='/buchen/meine/{booking_pk}/stornieren/'] button[type=submit]")
    assert page.url.endswith("/buchen/meine/"), page.url
    audit.check("my bookings after cancelling")
    visit(page, f"/buchen/meine/{booking_pk}/")
    audit.check("cancelled booking")

    # The main pages in English.
    switch_language(page, "en")
    visit(page, "/buchen/")
    audit.check("resource list")
    visit(page, f"/buchen/{BARBECUE}/")
    audit.check("leisure resource")
    next_week(page)
    audit.check("leisure resource, next week (htmx)")
    english_pk, _starts = book_first_slot(page)
    expect(page.locator("main .kern-alert--warning")).to_contain_text("Payment")
    audit.check("booking confirmation")
    visit(page, "/buchen/meine/")
    audit.check("my bookings")
    visit(page, "/buchen/trauung/")
    audit.check("wedding calendar")
    visit(page, "/buchen/kurse/")
    audit.check("course list")
    visit(page, f"/buchen/kurse/{COURSE}/")
    audit.check("course detail")
    visit(page, f"/belegung/{HALL}/")
    audit.check("occupancy plan")
    visit(page, f"/belegung/{HALL}/druck/")
    audit.check("occupancy plan, print view")
    assert Booking.objects.get(pk=english_pk).resource.slug == BARBECUE

    # The sports office (Amt 52) with its second factor.
    staff = new_page(browser, live_server)
    staff_audit = BookingAudit(staff)
    try:
        log_in(staff, STAFF_EMAIL, demo.DEMO_PASSWORD)
        pass_second_factor(staff)
        visit(staff, "/verwaltung/buchungen/")
        audit_staff_pages(staff, staff_audit)
        switch_language(staff, "en")
        visit(staff, f"/verwaltung/buchungen/{HALL}/?ansicht=woche")
        staff_audit.check("staff calendar, week")
        visit(staff, "/verwaltung/buchungen/saisons/")
        follow(staff, staff.locator("main a[href^='/verwaltung/buchungen/saisons/']").first)
        staff_audit.check("season allocation")
    finally:
        staff.context.close()

    audit.reports.extend(staff_audit.reports)
    assert len(audit.checked) + len(staff_audit.checked) >= 40
    audit.assert_clean()


def audit_staff_pages(staff, audit: BookingAudit) -> None:
    audit.check("staff overview")
    follow(staff, staff.locator(f"main a[href='/verwaltung/buchungen/{HALL}/']"))
    audit.check("staff calendar (default: week)")
    for view, label in (("tag", "day"), ("woche", "week"), ("monat", "month")):
        follow(staff, staff.locator(f"main nav a[href^='?ansicht={view}&']"))
        assert f"ansicht={view}" in staff.url
        audit.check(f"staff calendar, {label}")
    follow(staff, staff.locator("main nav a[rel=next]"))
    audit.check("staff calendar, next month")
    booking_link = staff.locator("main table a[href^='/verwaltung/buchungen/buchung/']").first
    expect(booking_link).to_be_visible()  # the club's granted season dates
    follow(staff, booking_link)
    audit.check("staff booking of a season date")

    visit(staff, "/verwaltung/buchungen/saisons/")
    audit.check("seasons")
    follow(staff, staff.locator("main a[href^='/verwaltung/buchungen/saisons/']").first)
    expect(staff.locator("main table")).to_have_count(1)
    audit.check("season allocation")
    follow(staff, staff.locator("main nav a[href^='?anlage=']").first)
    audit.check("season allocation of one facility")

    visit(staff, f"/verwaltung/buchungen/{HALL}/sperren/")
    audit.check("block times form")
    submit(staff, "main form button[type=submit]")
    assert staff.url.endswith("/sperren/"), "an empty form must not block anything"
    audit.check("block times form with errors")
    visit(staff, f"/verwaltung/buchungen/{HALL}/buchen/")
    audit.check("book for someone")


# --- the journey --------------------------------------------------------------------------------


def test_barbecue_booked_exported_and_cancelled(page, demo):
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    visit(page, "/buchen/")
    follow(page, page.locator(f"main a[href='/buchen/{BARBECUE}/']"))
    next_week(page)
    button, starts_at = first_slot(page)
    expect(button.locator(".kern-label")).to_have_text(
        re.compile(rf"^{slot_label(starts_at)}–\d{{2}}:\d{{2}}$")
    )
    follow(page, button)
    match = re.search(r"/buchen/meine/(\d+)/$", page.url)
    assert match, page.locator("main").inner_text()
    booking = Booking.objects.get(pk=int(match[1]))
    assert booking.status == BookingStatus.PAYMENT_PENDING
    assert booking.starts_at == starts_at
    expect(page.locator("main")).to_contain_text("15,00 €")

    # Meine Buchungen lists it with its time.
    visit(page, "/buchen/meine/")
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='/buchen/meine/{booking.pk}/']"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{starts_at:%d.%m.%Y}, {slot_label(starts_at)}")

    # The calendar file starts at the chosen time (Regensburg wall clock).
    # (Fetched with the page's session: a download aborts the request in the browser, which the
    # page fixture would count as a failed request.)
    ics_link = row.locator(f"a[href='/buchen/meine/{booking.pk}/kalender.ics']")
    expect(ics_link).to_have_count(1)
    response = page.request.get(ics_link.get_attribute("href"))
    assert response.status == 200, response.status
    assert response.headers["content-type"].startswith("text/calendar"), response.headers
    assert "attachment" in response.headers["content-disposition"], response.headers
    content = response.body()
    calendar = icalendar.Calendar.from_ical(content)
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 1, content.decode("utf-8", "replace")
    start = events[0].decoded("DTSTART")
    assert isinstance(start, dt.datetime) and start.tzinfo is not None, start
    local = start.astimezone(BERLIN)
    assert (local.date(), local.time()) == (starts_at.date(), starts_at.time()), (local, starts_at)

    # Cancelled from the list; it then shows as cancelled.
    follow(page, row.locator("form[action$='/stornieren/'] button[type=submit]"))
    assert page.url.endswith("/buchen/meine/"), page.url
    expect(page.locator("main")).to_contain_text("storniert")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    follow(page, page.locator(f"main a[href='/buchen/meine/{booking.pk}/']").first)
    expect(page.locator("main dl")).to_contain_text(booking.get_status_display())
    expect(page.locator("main form[action$='/stornieren/']")).to_have_count(0)

    # The time is free again.
    visit(page, f"/buchen/{BARBECUE}/?ab={starts_at.date() - dt.timedelta(days=starts_at.weekday())}")
    again = page.locator(f"#woche form input[name=starts_at][value='{starts_at.isoformat()}']")
    expect(again).to_have_count(1)


# --- keyboard -----------------------------------------------------------------------------------


def test_slot_chosen_and_booked_by_keyboard(page, demo):
    log_in(page, CITIZEN_EMAIL, demo.DEMO_PASSWORD)
    visit(page, f"/buchen/{BARBECUE_BY_HOUR}/")
    page.locator("main h1").focus()

    # The week navigation by keyboard (an htmx link, activated with Enter).
    title = page.locator("#woche-titel").inner_text()
    tab_to(page, "#woche nav a:last-child")
    assert focus_is_visible(page), "no visible focus on the week link"
    page.keyboard.press("Enter")
    expect(page.locator("#woche-titel")).not_to_have_text(title)

    # The first free slot of that week, reached by Tab and booked with Enter.
    _button, starts_at = first_slot(page)
    selector = f"#woche form:has(input[name=starts_at][value='{starts_at.isoformat()}']) button"
    assert page.locator(selector).count() == 1
    tab_to(page, selector, max_tabs=80)
    assert focus_is_visible(page), "no visible focus on the slot"
    # The accessible name starts with the visible time and names the day (WCAG 2.5.3).
    name = page.evaluate("document.activeElement.textContent").strip()
    assert name.startswith(slot_label(starts_at)), name
    assert f"{starts_at.day}. " in name and "buchen" in name, name
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    match = re.search(r"/buchen/meine/(\d+)/$", page.url)
    assert match, page.locator("main").inner_text()
    booking = Booking.objects.get(pk=int(match[1]))
    assert booking.booked_by.email == CITIZEN_EMAIL
    assert booking.starts_at == starts_at


def test_club_season_application_page_passes_axe(page, demo):
    """A club member (the demo organisation's admin) applies for a weekly hall slot."""
    from rathaus.booking.models import Season

    Season.objects.create(
        name="Saison 2027/28", first_day=dt.date(2027, 9, 13), last_day=dt.date(2028, 6, 30)
    )
    audit = BookingAudit(page)
    log_in(page, "jonas.beispiel@example.org", demo.DEMO_PASSWORD)
    visit(page, "/buchen/saison/")
    expect(page.locator("main form[action$='/buchen/saison/']")).to_be_visible()
    expect(page.locator("main h1")).to_be_visible()
    audit.check("season application (club member)")
    submit(page, "main form[action$='/buchen/saison/'] button[type=submit]")
    audit.check("season application with errors")
    audit.assert_clean()
