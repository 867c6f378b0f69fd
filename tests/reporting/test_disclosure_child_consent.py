"""A child survivor's consent to share with a justice body counts only when the caregiver gave it or a
best-interest decision was recorded, with who decided (as for referrals)."""

from incidents.models import Consent
from reporting import disclosures
from tests.reporting.disclosure_fixtures import all_text, approve, ask, consenting, send, sent_file


def test_a_childs_own_consent_is_not_enough_but_a_caregivers_is(users, login, make_incident):
    by_child = consenting(age_years=15, name="Testname Childself", consent_given_by="SURVIVOR")
    by_caregiver = consenting(age_years=14, name="Testname Childcared", consent_given_by="CAREGIVER",
                              consent_decided_by="Caregiver (aunt)")
    incident = make_incident(victims=[by_child, by_caregiver])
    disclosure = ask(users["WPA"], [incident])

    page = login(users["SWPA"]).get(f"/reports/disclosures/{disclosure.pk}/").content.decode()
    assert "Child survivor: the consent must be the caregiver&#x27;s or a best-interest decision" in page

    text = all_text(sent_file(send(approve(disclosure, users["SWPA"]), users["WPA"])))
    assert "Testname Childcared" in text and "Testname Childself" not in text


def test_a_best_interest_decision_without_who_decided_does_not_count(users, make_incident):
    incident = make_incident(victims=[consenting(age_years=9, consent_given_by="BEST_INTEREST")])
    victim = incident.victims.get()
    assert Consent.objects.get(victim=victim, kind="SHARE_JUSTICE").decided_by == ""
    (check,) = disclosures.consent_check(ask(users["WPA"], [incident]), users["SWPA"])
    assert [v.reason for v in check.victims] == ["CHILD_NO_DECISION_MAKER"] and not check.included


def test_an_adults_own_consent_counts(users, make_incident):
    incident = make_incident(victims=[consenting(age_years=30)])
    (check,) = disclosures.consent_check(ask(users["WPA"], [incident]), users["SWPA"])
    assert check.included
