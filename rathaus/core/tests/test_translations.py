"""The German catalogue is complete: every English message id in the code and templates has a German text.

German is the default language of the portal, so a string without a translation shows up as English
on a German page. These tests name the offending strings, so whoever adds a string sees at once
which ones still need a German text (run `makemessages`, translate, `make messages`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

PACKAGE_DIR = Path(__file__).resolve().parents[2]
LOCALE_DIR = PACKAGE_DIR / "locale"
GERMAN_PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
ENGLISH_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

FIX_HINT = (
    "Run `cd rathaus && django-admin makemessages -l de -l en --ignore '*/tests/*' --no-obsolete`, "
    "translate the entries in rathaus/locale/de/LC_MESSAGES/django.po and run `make messages`."
)


def _label(entry: polib.POEntry) -> str:
    text = repr(entry.msgid)
    if entry.msgctxt:
        text = f"[{entry.msgctxt}] {text}"
    where = ", ".join(f"{path}:{line}" if line else path for path, line in entry.occurrences[:3])
    return f"{text} ({where})" if where else text


def _report(problem: str, entries: list[polib.POEntry]) -> str:
    lines = "\n".join(f"  - {_label(entry)}" for entry in entries)
    return f"{len(entries)} {problem}:\n{lines}\n{FIX_HINT}"


def _is_translated(entry: polib.POEntry) -> bool:
    return entry.translated() and not entry.fuzzy


def test_german_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(GERMAN_PO))
    untranslated = catalogue.untranslated_entries()
    fuzzy = catalogue.fuzzy_entries()
    for entry in untranslated:
        print("untranslated:", entry.msgid)
    for entry in fuzzy:
        print("fuzzy:", entry.msgid)
    assert not untranslated, _report("German entries without a translation", untranslated)
    assert not fuzzy, _report("German entries marked fuzzy (check and confirm them)", fuzzy)
    assert catalogue.metadata.get("Plural-Forms", "").startswith("nplurals=2;")


def test_catalogues_are_valid_for_msgfmt(tmp_path):
    for po in (GERMAN_PO, ENGLISH_PO):
        result = subprocess.run(
            ["msgfmt", "--check-format", "-o", str(tmp_path / "django.mo"), str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"msgfmt rejects {po}:\n{result.stderr}"


def test_german_catalogue_is_up_to_date_with_the_source(tmp_path, monkeypatch):
    """Extract the strings afresh from a copy of the package and look each one up in the committed file."""
    source = tmp_path / "rathaus"
    shutil.copytree(
        PACKAGE_DIR,
        source,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po", "node_modules"),
    )
    fresh_locale = source / "locale"
    (fresh_locale / "de" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[str(fresh_locale)]):
        call_command("makemessages", locale=["de"], ignore_patterns=["*/tests/*"], verbosity=0)

    extracted = polib.pofile(str(fresh_locale / "de" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 0, "makemessages found no strings at all"
    committed = polib.pofile(str(GERMAN_PO))

    missing, untranslated = [], []
    for entry in extracted:
        if entry.obsolete:
            continue
        found = committed.find(entry.msgid, msgctxt=entry.msgctxt or False)
        if found is None or found.obsolete:
            missing.append(entry)
        elif not _is_translated(found) or (entry.msgid_plural and found.msgid_plural != entry.msgid_plural):
            untranslated.append(entry)
    for entry in missing:
        print("not in the German catalogue:", entry.msgid)
    for entry in untranslated:
        print("not translated in the German catalogue:", entry.msgid)
    assert not missing, _report("strings in the source that are missing from the German catalogue", missing)
    assert not untranslated, _report("strings in the source without a German translation", untranslated)


@pytest.fixture
def compiled_catalogues(tmp_path, settings):
    """Compile the committed .po files afresh, so the page test never reads a stale .mo file."""
    locale = tmp_path / "locale"
    for language in ("de", "en"):
        target = locale / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(
            [
                "msgfmt",
                "--check-format",
                "-o",
                str(target / "django.mo"),
                str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"),
            ],
            check=True,
        )
    settings.LOCALE_PATHS = [locale]
    return locale


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "subheading", "absent"),
    [
        ("de", "Anmelden", "Mit E-Mail-Adresse und Passwort", "With e-mail and password"),
        ("en", "Log in", "With e-mail and password", "Mit E-Mail-Adresse und Passwort"),
    ],
)
def test_login_page_speaks_the_chosen_language(
    client, compiled_catalogues, language, heading, subheading, absent
):
    client.cookies["rathaus_language"] = language
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{heading}</h1>" in html
    assert subheading in html
    assert absent not in html
    assert f'lang="{language}"' in html


@pytest.mark.django_db
def test_german_is_the_default_language(client, compiled_catalogues):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert ">Anmelden</h1>" in html
    assert "Zum Inhalt springen" in html
