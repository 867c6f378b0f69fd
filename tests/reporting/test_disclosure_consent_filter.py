"""Only what each victim consented to goes into the file: a victim without a consent to share with a
justice body is not in it; an incident none of whose victims consented is left out; the narrative and
the exact place go out only when every victim of the incident consented; identity fields only when
asked for."""

import pytest

from reporting.models import DisclosedVictim
from tests.reporting.disclosure_fixtures import (
    ALL_ITEMS,
    all_text,
    approve,
    ask,
    consenting,
    not_consenting,
    send,
    sent_file,
    sheets,
)


@pytest.fixture
def sent(users, make_incident):
    mixed = make_incident(victims=[consenting(name="Testname Consenting", contact="+000 555 0111"),
                                   not_consenting(name="Testname Refusing", contact="+000 555 0222")])
    nobody = make_incident(victims=[not_consenting(name="Testname Nobody")],
                           summary="Nobody consented to this one.")
    everyone = make_incident(victims=[consenting(name="Testname Everyone")],
                             narrative="Synthetic narrative of an incident where everyone consented.")
    disclosure = send(approve(ask(users["HRO"], [mixed, nobody, everyone]), users["SWPA"]), users["HRO"])
    return {"disclosure": disclosure, "mixed": mixed, "nobody": nobody, "everyone": everyone,
            "data": sent_file(disclosure)}


def test_a_victim_without_consent_is_not_in_the_file(sent):
    text = all_text(sent["data"])
    assert "Testname Consenting" in text and "+000 555 0111" in text
    assert "Testname Refusing" not in text and "+000 555 0222" not in text
    refusing = sent["mixed"].victims.all()[1]
    assert refusing.code not in text
    victims = sheets(sent["data"])["Victims"]
    assert sorted(v["Victim code"] for v in victims) == sorted(
        [sent["mixed"].victims.all()[0].code, sent["everyone"].victims.get().code])


def test_an_incident_with_no_consenting_victim_is_left_out(sent):
    text = all_text(sent["data"])
    assert sent["nobody"].reference not in text and "Nobody consented to this one." not in text
    assert "Testname Nobody" not in text
    refs = [r["Incident reference"] for r in sheets(sent["data"])["Incidents"]]
    assert sorted(refs) == sorted([sent["mixed"].reference, sent["everyone"].reference])


def test_the_narrative_and_exact_place_go_out_only_when_every_victim_consented(sent):
    rows = {r["Incident reference"]: r for r in sheets(sent["data"])["Incidents"]}
    everyone, mixed = rows[sent["everyone"].reference], rows[sent["mixed"].reference]
    assert everyone["Narrative"] == "Synthetic narrative of an incident where everyone consented."
    assert (everyone["Place"], everyone["Exact coordinates"]) == ("Quillby", "1.2345,2.3456")
    withheld = "Withheld: not every victim of this incident consented"
    assert mixed["Narrative"] == mixed["Place"] == mixed["Exact coordinates"] == withheld
    assert "did not consent" in mixed["Note"]
    assert (mixed["Victims in this file"], mixed["Victims of the incident"]) == (1, 2)


def test_the_check_of_every_victim_is_kept_with_the_sent_disclosure(sent):
    checks = {c.victim_code: (c.included, c.reason) for c in DisclosedVictim.objects.filter(
        disclosure=sent["disclosure"])}
    mixed = list(sent["mixed"].victims.all())
    assert checks[mixed[0].code] == (True, "CONSENTED")
    assert checks[mixed[1].code] == (False, "NO_CONSENT")
    assert checks[sent["nobody"].victims.get().code] == (False, "NO_CONSENT")


def test_identity_fields_go_out_only_when_asked_for(users, make_incident):
    incident = make_incident(victims=[consenting(name="Testname Asked")])
    items = [i for i in ALL_ITEMS if i != "VICTIM_IDENTITY"]
    data = sent_file(send(approve(ask(users["WPA"], [incident], items=items), users["SWPA"]), users["WPA"]))
    assert "Testname Asked" not in all_text(data) and "+000 555 0100" not in all_text(data)
    (victim,) = sheets(data)["Victims"]
    assert "Name" not in victim and victim["Sex"] == "Female"


def test_the_page_shows_each_victims_consent_before_the_decision(users, login, client, make_incident):
    incident = make_incident(victims=[consenting(), not_consenting()])
    disclosure = ask(users["WPA"], [incident])
    page = login(users["SWPA"]).get(f"/reports/disclosures/{disclosure.pk}/").content.decode()
    first, second = incident.victims.all()
    assert first.code in page and second.code in page
    assert "Consented: goes into the file" in page
    assert "No consent to share with a justice body: left out" in page
    assert "Now: 1 of 2 victims consented" in page
    assert "Testname Alpha" not in page  # the check shows codes, never names
