"""Keyboard only: skip link, login, language switch and a visible focus, without a mouse."""

from __future__ import annotations

import pytest

from .helpers import CASEWORKER_EMAIL, CITIZEN_EMAIL, log_in, pass_second_factor, visit

pytestmark = pytest.mark.browser

MAX_TABS = 40


def active(page, script: str):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(MAX_TABS):
        if active(page, f"el && el.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{MAX_TABS} presses of Tab did not reach {selector}")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def focus_indicator(page) -> dict:
    return active(
        page,
        "(() => { const s = getComputedStyle(el);"
        " return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; })()",
    )


def assert_focus_visible(page, what: str) -> None:
    style = focus_indicator(page)
    outlined = style["outline"] != "none" and style["width"] not in ("0px", "")
    assert outlined or style["shadow"] != "none", f"no visible focus on {what}: {style}"


def test_skip_link_moves_focus_to_main(page, demo):
    visit(page, "/")
    page.keyboard.press("Tab")
    assert active(page, "el.classList.contains('rathaus-skip-link')"), active(page, "el.outerHTML")
    assert active(page, "el.getAttribute('href')") == "#inhalt"
    assert_focus_visible(page, "the skip link")
    # The focused skip link is moved on screen.
    box = page.locator("a.rathaus-skip-link").bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"], f"the skip link overflows the screen: {box}"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'inhalt'")
    assert active(page, "el.tagName") == "MAIN"
    # The next Tab continues inside the main content, not at the top of the page.
    page.keyboard.press("Tab")
    assert active(page, "!!el.closest('main')"), active(page, "el.outerHTML")


def test_focus_is_visible_on_links_and_buttons(page, demo):
    visit(page, "/")
    for selector in (
        "header a.rathaus-brand",
        "header button[name=language]",
        "header a[href='/konto/anmelden/']",
        "nav a.kern-link",
        "main a.kern-link",
        "footer a.kern-link",
    ):
        tab_to(page, selector)
        assert_focus_visible(page, selector)


def test_login_by_keyboard(page, demo):
    visit(page, "/")
    tab_to(page, "header a[href='/konto/anmelden/']")
    press_enter_and_wait(page)
    assert page.url.endswith("/konto/anmelden/")
    tab_to(page, "#id_username")
    page.keyboard.type(CITIZEN_EMAIL)
    tab_to(page, "#id_password")
    assert_focus_visible(page, "the password field")
    page.keyboard.type(demo.DEMO_PASSWORD)
    press_enter_and_wait(page)
    assert page.url.endswith("/konto/"), page.url
    assert page.locator("main h1").inner_text() == "Mein Konto"
    assert CITIZEN_EMAIL in page.locator("main").inner_text()


def test_language_switch_by_keyboard(page, demo):
    visit(page, "/seite/impressum/")
    assert page.evaluate("document.documentElement.lang") == "de"
    tab_to(page, "header button[name=language][value=en]")
    assert_focus_visible(page, "the language button")
    press_enter_and_wait(page)
    assert page.url.endswith("/seite/impressum/"), "the switch keeps the visitor on the same page"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("main h1").inner_text() == "Legal notice"
    tab_to(page, "header button[name=language][value=de]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.locator("main h1").inner_text() == "Impressum"


def test_the_brand_and_result_cards_get_the_kern_focus_ring(page, demo):
    """Not the browser's thin default: the same 4 px ring as every other link."""

    def ring_width() -> float:
        return page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth); }"
        )

    visit(page, "/leistungen/?q=parken")
    for selector in ("header a.rathaus-brand", "main .kern-card a.kern-link--stretched"):
        tab_to(page, selector)
        assert ring_width() >= 3, selector


def test_a_scrollable_table_region_shows_the_focus_ring(page, demo):
    """The inbox's table region takes the keyboard focus (to scroll a wide table) and must show
    it: KERN removes its ring on :focus-visible, rathaus.css puts it back (WCAG 2.4.7)."""
    log_in(page, CASEWORKER_EMAIL, demo.DEMO_PASSWORD)
    pass_second_factor(page)
    visit(page, "/verwaltung/vorgaenge/")
    region = "main .kern-table-responsive[tabindex='0']"
    assert page.locator(region).count() >= 1, "the inbox shows no table region"
    page.locator("main form[role=search] button[type=submit]").focus()
    tab_to(page, region)
    assert active(page, "el.matches(':focus-visible')")
    assert_focus_visible(page, "the inbox's table region")
    width = active(page, "parseFloat(getComputedStyle(el).outlineWidth)")
    assert width >= 3, width
