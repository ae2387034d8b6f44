"""The main navigation: services for everyone; applications and mailbox (with the unread count
in the link text) for logged-in people; the case inbox for caseworkers."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def _nav(html: str) -> str:
    return re.search(r'<nav class="rathaus-nav".*?</nav>', html, re.S).group(0)


def test_logged_in_citizen_sees_applications_and_unread_count(case, citizen_client):
    nav = _nav(citizen_client.get(reverse("mailbox:index")).content.decode())
    assert reverse("catalog:index") in nav and reverse("cases:list") in nav
    link = re.search(rf'<a [^>]*href="{reverse("mailbox:index")}"[^>]*>(.*?)</a>', nav, re.S)
    assert 'aria-current="page"' in link.group(0)
    text = re.sub(r"<[^>]+>", "", link.group(1))
    assert re.sub(r"\s+", " ", text).strip() == "Postfach (1 ungelesen)"
    assert reverse("backoffice:inbox") not in nav


def test_unread_count_costs_one_query(case, citizen_client):
    citizen_client.get(reverse("core:home"))  # warm caches (branding, session)
    with CaptureQueriesContext(connection) as queries:
        citizen_client.get(reverse("core:home"))
    counts = [q["sql"] for q in queries.captured_queries if "mailbox_message" in q["sql"]]
    assert len(counts) == 1


def test_anonymous_visitor_sees_services_but_no_mailbox(db):
    nav = _nav(Client().get(reverse("core:home")).content.decode())
    assert reverse("catalog:index") in nav
    assert reverse("mailbox:index") not in nav and reverse("cases:list") not in nav


def test_caseworker_sees_the_case_inbox(caseworker_client):
    nav = _nav(caseworker_client.get(reverse("core:home")).content.decode())
    assert reverse("backoffice:inbox") in nav and "Vorgänge" in nav


def test_home_page_links_the_service_search_and_account_links_applications(citizen_client):
    home = Client().get(reverse("core:home")).content.decode()
    main = home.split('id="inhalt"', 1)[1]
    assert reverse("catalog:index") in main
    account = citizen_client.get(reverse("accounts:home")).content.decode().split('id="inhalt"', 1)[1]
    assert reverse("cases:list") in account and reverse("mailbox:index") in account
