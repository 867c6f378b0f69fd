"""Every page of the site, found in the URLconf, opened by a French-speaking person of a role that sees
it, shows no English: no message of the catalogue left untranslated and no common English interface
word (tests/crsv_mis/french_text.py says how text is read). The sign-in steps are read too."""

from django.conf import settings
from django.test import Client

from tests.conftest import verified_login
from tests.crsv_mis.french_text import english_on_page, visible_text
from tests.e2e import pages

# Texts the fixtures write in English into records: data, shown as typed, never interface.
SYNTHETIC = ("Synthetic", "Testname", "Ashdale", "Quillby", "Northmark", "Southmark", "Birchford", "Testland",
             "Test Front", "Test mission", "North office", "South office", "One woman reported",
             "Increase day patrols", "Engage the Test Front", "Senior management group", "Action plan on CRSV",
             "Protection Working Group", "Trends.", "Two incidents verified.", "Office of the prosecutor",
             "Letter of request", "matrix.xlsx", "TL-PR-0001")


def french_client(user):
    user.language = "fr"
    user.save(update_fields=["language"])
    return verified_login(Client(), user)


def test_it_shows_every_page_in_french_to_a_french_speaking_user(users, stations, gazetteer, party, make_incident):
    objects = pages.sample_objects(users=users, stations=stations, gazetteer=gazetteer, party=party,
                                   make_incident=make_incident)
    urls = pages.page_urls(objects)
    offenders, seen, read = {}, set(), 0
    for role in pages.ROLES:
        client = french_client(users[role])
        for name, url in urls:
            if name in seen and name != "home":
                continue
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            seen.add(name)
            html = response.content.decode()
            assert '<html lang="fr">' in html, f"{role} {url}"
            read += 1
            if found := english_on_page(html, SYNTHETIC):
                offenders[f"{role} {url}"] = found
    assert seen == {name for name, _url in urls}, f"pages no role opened: {sorted({n for n, _ in urls} - seen)}"

    signed_out = Client(headers={"accept-language": "en"})
    signed_out.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    second_factor = Client()
    second_factor.force_login(users["WPA"])  # users["WPA"] speaks French by now
    for label, client, url in (("signed out", signed_out, "/accounts/login/"),
                               ("second factor", second_factor, "/accounts/2fa/")):
        html = client.get(url).content.decode()
        assert '<html lang="fr">' in html and visible_text(html), label
        read += 1
        if found := english_on_page(html, SYNTHETIC):
            offenders[f"{label} {url}"] = found

    assert read > 50
    assert offenders == {}, "English left on French pages:\n" + "\n".join(
        f"{page}: {', '.join(found)}" for page, found in offenders.items())


def test_it_finds_the_english_a_page_would_leave(login, users):
    # The reader above must see English when there is some: the same pages in English are full of it.
    client = login(users["SWPA"])
    for url in ("/", "/incidents/", "/reports/"):
        assert english_on_page(client.get(url).content.decode(), SYNTHETIC), url
    found = english_on_page('<p>Statut</p><button title="Search">Rechercher</button><input type="submit" value="Save">'
                            '<p aria-label="Back to the list">x</p><script>var Cancel = 1;</script>'
                            '<p>Record incident</p><p>Synthetic note, Cancel.</p>', SYNTHETIC)
    assert found == ["'Back' in 'Back to the list'", "'Search' in 'Search'", "'the' in 'Back to the list'",
                     "Record incident", "Save"]
