"""The reference lists people choose from (forms of violence, site types, sources, party types on the
intake form; services on the provider form) are offered in French to a French-speaking person: every
entry by its French name, none by its English one. The codes sent back stay the same."""

from django.utils import translation

from incidents.choices import CrsvFormCode, PartyType, SiteType, SourceType
from referrals.models import Service
from tests.crsv_mis.french_text import visible_text


def names(choices, language):
    with translation.override(language):
        return {code: str(label) for code, label in choices.choices}


def offered(html, choices):
    """{code: shown name} of the choices as the page offers them (options and checkboxes)."""
    pieces = set(visible_text(html))
    english = names(choices, "en")
    return {code: (french in pieces, english[code] != french and english[code] in pieces)
            for code, french in names(choices, "fr").items()}


def french_speaking(login, user):
    user.language = "fr"
    user.save()
    return login(user)


def test_it_offers_the_intake_lists_in_french(login, users):
    page = french_speaking(login, users["WPA"]).get("/incidents/new/").content.decode()
    for choices in (CrsvFormCode, SiteType, SourceType, PartyType):
        shown = offered(page, choices)
        assert shown == {code: (True, False) for code in choices.values}, choices.__name__
    assert 'value="FIELD_OR_FARM"' in page and 'value="RAPE"' in page


def test_it_offers_the_services_in_french(login, users):
    page = french_speaking(login, users["SWPA"]).get("/referrals/providers/new/").content.decode()
    assert offered(page, Service) == {code: (True, False) for code in Service.values}
    assert 'value="MEDICAL"' in page
