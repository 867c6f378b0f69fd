"""The file of a disclosure is made, when it is sent, in the language of the person who sends it: a
French-speaking WPA sends a file whose sheets, column headers and reference-list values (forms of
violence, site type, statuses, sex) are French; the stored copy downloaded later is that same file."""

import hashlib

from django.utils import timezone

from reporting.models import Disclosure
from tests.reporting.disclosure_fixtures import REQUEST, all_text, consenting, sheets

BASE = "/reports/disclosures/"


def test_it_makes_the_file_in_the_language_of_the_sender(users, login, client, make_incident):
    incident = make_incident(victims=[consenting()], forms=("RAPE", "FORCED_PREGNANCY"))
    users["WPA"].language = "fr"
    users["WPA"].save()
    login(users["WPA"])
    client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY", "DATES_PLACE", "VICTIM_PROFILE"],
                                "incidents": incident.reference})
    disclosure = Disclosure.objects.get()
    login(users["SWPA"])  # English
    assert client.post(f"{BASE}{disclosure.pk}/approve/", {"version": 1, "note": ""}).status_code == 302
    login(users["WPA"])
    assert client.post(f"{BASE}{disclosure.pk}/send/", {"version": 2, "sent_on": timezone.localdate().isoformat(),
                                                        "channel": "HAND"}).status_code == 302

    login(users["SWPA"])  # whoever downloads it gets the file as sent, in French
    download = client.get(f"{BASE}{disclosure.pk}/download/")
    disclosure.refresh_from_db()
    assert hashlib.sha256(download.content).hexdigest() == disclosure.file.sha256
    book = sheets(download.content)
    assert set(book) == {"À propos", "Incidents", "Victimes"}
    (row,) = book["Incidents"]
    assert row["Référence de l'incident"] == incident.reference
    assert set(row["Formes de VSLC"].split("; ")) == {"Viol (y compris viol collectif)", "Grossesse forcée"}
    assert row["Type de lieu"] == "Champ ou exploitation agricole"
    assert row["Statut de vérification"] == "Signalé"
    (victim,) = book["Victimes"]
    assert victim["Sexe"] == "Féminin" and victim["Consentement donné par"] == "La survivante ou le survivant"
    text = all_text(download.content)
    assert "Communication d'informations" in text
    for english in ("Incident reference", "Rape", "Field or farm", "Female", "Legal basis", "Requested by"):
        assert english not in text, english
