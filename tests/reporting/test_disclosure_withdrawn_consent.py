"""Consent is checked again when the file is made: a survivor who withdrew after the approval is not
in the file; when nobody is left, nothing can be sent."""

import pytest
from django.utils import timezone

from incidents.models import Consent
from reporting import disclosures
from reporting.models import Disclosure, DisclosureState
from tests.reporting.disclosure_fixtures import all_text, approve, ask, consenting, send, sent_file, sheets


def withdraw(victim):
    # What unticking the consent on the incident's edit page does (incidents.services._save_consents).
    consent = Consent.objects.get(victim=victim, kind="SHARE_JUSTICE")
    consent.withdrawn_at = timezone.localdate()
    consent.save(update_fields=["withdrawn_at"])


def test_a_consent_withdrawn_after_the_approval_takes_the_victim_out_of_the_file(users, make_incident):
    incident = make_incident(victims=[consenting(name="Testname Stays"), consenting(name="Testname Withdrew")])
    approved = approve(ask(users["WPA"], [incident]), users["SWPA"])
    stays, withdrew = incident.victims.all()
    withdraw(withdrew)

    data = sent_file(send(approved, users["WPA"]))

    text = all_text(data)
    assert "Testname Stays" in text and "Testname Withdrew" not in text and withdrew.code not in text
    assert [v["Victim code"] for v in sheets(data)["Victims"]] == [stays.code]


def test_the_page_shows_a_withdrawal_before_the_file_is_made(users, login, make_incident):
    incident = make_incident(victims=[consenting(), consenting()])
    approved = approve(ask(users["WPA"], [incident]), users["SWPA"])
    withdraw(incident.victims.all()[1])
    page = login(users["WPA"]).get(f"/reports/disclosures/{approved.pk}/").content.decode()
    assert "Consent withdrawn: left out" in page and "Now: 1 of 2 victims consented" in page


def test_when_every_consent_was_withdrawn_nothing_is_sent(users, make_incident):
    incident = make_incident(victims=[consenting()])
    approved = approve(ask(users["WPA"], [incident]), users["SWPA"])
    withdraw(incident.victims.get())
    with pytest.raises(disclosures.DisclosureError, match="nothing can be sent"):
        send(approved, users["WPA"])
    stored = Disclosure.objects.get(pk=approved.pk)
    assert stored.state == DisclosureState.APPROVED and not hasattr(stored, "file")
