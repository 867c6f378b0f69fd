"""The incident list reads in French for a French-speaking officer, down to the sort choices and the
form's labels (built from model fields and filter definitions, not only templates)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_sort_choices_and_filters_of_the_list_are_in_french(client, login, users, make_incident):
    make_incident()
    login(users["WPA"])
    client.post("/i18n/setlang/", {"language": "fr", "next": "/incidents/"})
    page = client.get("/incidents/").content.decode()
    for label in ("Trier par", "Date du signalement", "Date de l'incident", "Statut de vérification"):
        assert label.replace("'", "&#x27;") in page or label in page, label
    assert "(descending)" not in page and "Incident date" not in page


def test_the_intake_form_names_the_duty_station_and_the_place_in_french(client, login, users):
    login(users["WPA"])
    client.post("/i18n/setlang/", {"language": "fr", "next": "/incidents/new/"})
    page = client.get("/incidents/new/").content.decode()
    assert "Lieu d&#x27;affectation" in page or "Lieu d'affectation" in page
    assert ">Duty station<" not in page and ">Location<" not in page
