"""The language is the person's: saved on their account when they switch, applied on every page they
open (whatever the browser or cookie says), and audited. Before sign-in the browser decides."""

from django.conf import settings

from crsv_mis.models import AuditEvent, User
from tests.conftest import verified_login

HOME_FR = "Aller au contenu"  # the skip link of every page, in French
HOME_EN = "Skip to content"


def test_it_opens_every_page_in_the_language_saved_on_the_account(login, users):
    users["HRO"].language = "fr"
    users["HRO"].save()
    client = login(users["HRO"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", headers={"accept-language": "en"})
    assert HOME_FR in response.content.decode() and '<html lang="fr">' in response.content.decode()


def test_it_saves_the_switch_on_the_account_and_audits_it(login, users):
    client = login(users["HRO"])
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/incidents/"})
    assert response.status_code == 302 and response["Location"] == "/incidents/"
    assert User.objects.get(pk=users["HRO"].pk).language == "fr"
    (event,) = AuditEvent.objects.filter(action="account.language")
    assert event.username == "hro" and event.detail == {"from": "en", "to": "fr"}
    assert HOME_FR in client.get("/").content.decode()


def test_it_ignores_a_language_the_product_does_not_ship(login, users):
    client = login(users["HRO"])
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=users["HRO"].pk).language == "en"
    assert not AuditEvent.objects.filter(action="account.language").exists()


def test_it_follows_the_user_to_another_device(client, users):
    users["WPA"].language = "fr"
    users["WPA"].save()
    fresh = verified_login(client, users["WPA"])
    page = fresh.get("/", headers={"accept-language": "en-GB,en"}).content.decode()
    assert HOME_FR in page


def test_it_sets_the_cookie_so_the_sign_in_page_after_sign_out_speaks_it(login, users, client):
    users["WPA"].language = "fr"
    users["WPA"].save()
    response = login(users["WPA"]).get("/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    client.post("/accounts/logout/")
    assert HOME_FR in client.get("/accounts/login/", headers={"accept-language": "en"}).content.decode()


def test_it_leaves_the_sign_in_page_to_the_browser_before_sign_in(client, db):
    assert HOME_FR in client.get("/accounts/login/", headers={"accept-language": "fr-FR,fr"}).content.decode()
    assert HOME_EN in client.get("/accounts/login/", headers={"accept-language": "en-GB,en"}).content.decode()
