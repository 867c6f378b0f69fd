"""Information received under an information-sharing protocol never leaves the human rights
compartment: such an incident cannot be put in a request, and one flagged after the request is left
out of the file."""

from incidents.models import Incident
from reporting.models import Disclosure
from tests.reporting.disclosure_fixtures import REQUEST, all_text, approve, ask, consenting, send, sent_file


def test_an_incident_received_under_a_protocol_is_refused_with_the_reason(users, login, client, make_incident):
    isp = make_incident(victims=[consenting()], shared_under_isp=True)
    login(users["SWPA"])
    response = client.post("/reports/disclosures/new/", {**REQUEST, "items": ["SUMMARY"], "incidents": isp.reference})
    assert response.status_code == 400
    assert "received under an information-sharing protocol" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_the_new_request_page_says_protocol_information_is_never_disclosed(users, login):
    page = login(users["WPA"]).get("/reports/disclosures/new/").content.decode()
    assert "Information received under an information-sharing protocol stays with human rights staff and is " \
           "never disclosed outside." in page


def test_an_incident_flagged_as_protocol_information_after_the_request_is_left_out(users, make_incident):
    kept = make_incident(victims=[consenting(name="Testname Kept")])
    flagged = make_incident(victims=[consenting(name="Testname Flagged")])
    approved = approve(ask(users["WPA"], [kept, flagged]), users["SWPA"])
    Incident.objects.filter(pk=flagged.pk).update(shared_under_isp=True)

    text = all_text(sent_file(send(approved, users["WPA"])))
    assert "Testname Kept" in text and "Testname Flagged" not in text and flagged.reference not in text
