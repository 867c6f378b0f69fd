"""The French catalogue: complete, placeholders intact, compiled, and used by the pages."""

import gettext
import html as html_text
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from incidents.choices import CrsvFormCode, VerificationStatus

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
# What must survive translation unchanged: %(name)s, %s, %d, {name}, HTML tags and entities.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>|&[a-z]+;|&#\d+;")


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(CATALOGUE / "django.po"))


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def translations(entry):
    """(source, translation) pairs of an entry: one, or singular and plural."""
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


def test_the_catalogue_header_says_french_with_french_plurals(po):
    assert po.metadata["Language"] == "fr"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"


def test_every_message_has_a_french_translation_that_is_not_fuzzy(po):
    assert len(po) > 1000
    untranslated = [e.msgid for e in po if not all(target.strip() for _, target in translations(e))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in po.obsolete_entries()]
    assert (untranslated, fuzzy, obsolete) == ([], [], [])


def test_every_translation_keeps_the_placeholders_tags_and_edge_spaces_of_the_english(po):
    broken = []
    for entry in po:
        for source, target in translations(entry):
            if placeholders(source) != placeholders(target):
                broken.append((source, target))
            if (source[:1].isspace(), source[-1:].isspace()) != (target[:1].isspace(), target[-1:].isspace()):
                broken.append((source, target))
    assert broken == []


def test_the_committed_mo_file_holds_exactly_the_po_translations(po):
    # Django reads the .mo; a .po edited without compilemessages would not show.
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in po:
        context = entry.msgctxt
        if entry.msgid_plural:
            def plural(n, entry=entry, context=context):
                if context is None:
                    return compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                return compiled.npgettext(context, entry.msgid, entry.msgid_plural, n)
            pairs = [(plural(1), entry.msgstr_plural[0]), (plural(2), entry.msgstr_plural[1])]
        elif context is None:
            pairs = [(compiled.gettext(entry.msgid), entry.msgstr)]
        else:
            pairs = [(compiled.pgettext(context, entry.msgid), entry.msgstr)]
        stale += [(entry.msgid, got) for got, wanted in pairs if got != wanted]
    assert stale == []
    assert compiled.ngettext("%(n)s incident", "%(n)s incidents", 0) == "%(n)s incident"


def test_labels_from_the_code_come_out_in_french():
    with translation.override("fr"):
        assert CrsvFormCode.RAPE.label == "Viol (y compris viol collectif)"
        assert CrsvFormCode.ENFORCED_STERILIZATION.label == "Stérilisation forcée"
        assert CrsvFormCode.SEXUAL_SLAVERY.label == "Esclavage sexuel"
        assert VerificationStatus.VERIFIED.label == "Vérifié"
        assert translation.ngettext("%(n)s alert", "%(n)s alerts", 1) % {"n": 1} == "1 alerte"
        assert translation.ngettext("%(n)s alert", "%(n)s alerts", 3) % {"n": 3} == "3 alertes"
    with translation.override("en"):
        assert CrsvFormCode.RAPE.label == "Rape (including gang rape)"


@pytest.mark.django_db
def test_a_browser_asking_for_french_gets_the_sign_in_page_in_french(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    html = html_text.unescape(page.content.decode())
    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert "Sign in" not in html


def test_a_wpa_who_switches_to_french_records_an_incident_in_french(client, login, users):
    login(users["WPA"])
    page = client.post("/i18n/setlang/", {"language": "fr", "next": "/incidents/new/"}, follow=True)
    html = html_text.unescape(page.content.decode())
    assert page.redirect_chain[-1][0] == "/incidents/new/"
    assert '<html lang="fr">' in html
    for french in ("Enregistrer l'incident", "Formes de VSLC", "Stérilisation forcée", "Tranche d'âge",
                   "Ajouter une autre victime"):
        assert french in html
    assert "Record incident" not in html

    # The language stays chosen: the next page, and its errors, are French too.
    refused = html_text.unescape(client.post("/incidents/new/", {"save": "1"}).content.decode())
    assert "Choisissez au moins une forme de violence sexuelle." in refused
    assert "Choose at least one form of sexual violence." not in refused
