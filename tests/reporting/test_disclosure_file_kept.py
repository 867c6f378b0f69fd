"""What was sent is kept: the file is stored once, encrypted at rest, its checksum matches the bytes
every download gives; the database itself refuses to change or delete a sent disclosure, its file,
its incidents or its consent checks, and never deletes a request."""

import hashlib

import pytest
from django.db import DatabaseError, connection, transaction

from reporting import disclosures
from reporting.models import DisclosedVictim, Disclosure, DisclosureFile, DisclosureIncident, DisclosureState
from tests.reporting.disclosure_fixtures import approve, ask, consenting, send, sent_file


@pytest.fixture
def sent(users, make_incident):
    incident = make_incident(victims=[consenting(name="Testname Kept", contact="+000 555 0333")])
    return send(approve(ask(users["WPA"], [incident]), users["SWPA"]), users["WPA"])


def test_the_checksum_matches_the_stored_bytes_and_every_download(sent, users, login):
    stored = DisclosureFile.objects.get(disclosure=sent)
    data = sent_file(sent)
    assert hashlib.sha256(data).hexdigest() == stored.sha256 and stored.size == len(data)
    first = login(users["WPA"]).get(f"/reports/disclosures/{sent.pk}/download/")
    second = login(users["SWPA"]).get(f"/reports/disclosures/{sent.pk}/download/")
    assert first.content == second.content == data
    assert first["Content-Disposition"] == f'attachment; filename="{sent.reference}.xlsx"'


def test_the_stored_file_is_encrypted_at_rest(sent):
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_content FROM reporting_disclosurefile WHERE disclosure_id = %s", [sent.pk])
        raw = bytes(cursor.fetchone()[0])
    assert not raw.startswith(b"PK")  # not the XLSX (a zip) in clear
    assert hashlib.sha256(raw).hexdigest() != DisclosureFile.objects.get(disclosure=sent).sha256
    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose FROM reporting_disclosure WHERE id = %s", [sent.pk])
        assert cursor.fetchone()[0].startswith("enc:")


def test_the_database_refuses_to_change_a_sent_disclosure_or_what_belongs_to_it(sent):
    with pytest.raises(DatabaseError), transaction.atomic():
        Disclosure.objects.filter(pk=sent.pk).update(recipient="Someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        Disclosure.objects.filter(pk=sent.pk).update(state=DisclosureState.APPROVED)
    with pytest.raises(DatabaseError), transaction.atomic():
        DisclosureFile.objects.filter(disclosure=sent).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        DisclosedVictim.objects.filter(disclosure=sent).update(included=False)
    with pytest.raises(DatabaseError), transaction.atomic():
        DisclosureIncident.objects.filter(disclosure=sent).update(disclosure_id=sent.pk)
    stored = Disclosure.objects.get(pk=sent.pk)
    assert stored.recipient == "Office of the prosecutor, Northmark" and stored.state == DisclosureState.SENT


@pytest.mark.parametrize("table", ["reporting_disclosurefile", "reporting_disclosedvictim",
                                   "reporting_disclosureincident", "reporting_disclosure"])
def test_the_database_refuses_to_delete_a_sent_disclosure_or_what_belongs_to_it(sent, table):
    column = "id" if table == "reporting_disclosure" else "disclosure_id"
    with pytest.raises(DatabaseError), transaction.atomic():
        # Raw, so that no foreign key of Django's gets in first: the trigger itself refuses.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [sent.pk])  # noqa: S608 - fixed names
    assert DisclosureFile.objects.filter(disclosure=sent).exists()
    assert DisclosedVictim.objects.filter(disclosure=sent).exists()
    assert DisclosureIncident.objects.filter(disclosure=sent).exists()


def test_no_incident_can_be_added_once_the_request_left_requested(users, make_incident):
    approved = approve(ask(users["WPA"], [make_incident(victims=[consenting()])]), users["SWPA"])
    later = make_incident(victims=[consenting()])
    with pytest.raises(DatabaseError), transaction.atomic():
        DisclosureIncident.objects.create(disclosure=approved, incident=later)
    assert DisclosureIncident.objects.filter(disclosure=approved).count() == 1


def test_a_sent_disclosure_cannot_be_cancelled_or_sent_again(sent, users):
    with pytest.raises(disclosures.DisclosureError, match="not possible now"):
        disclosures.cancel(sent, by=users["WPA"], expected_version=sent.version, reason="Too late.")
    with pytest.raises(disclosures.DisclosureError, match="not possible now"):
        send(sent, users["WPA"])
    assert DisclosureFile.objects.filter(disclosure=sent).count() == 1


def test_a_tampered_file_is_refused_on_download(sent, users, login):
    # Go around the trigger the way only a database owner could, to prove the checksum is checked.
    from crsv_mis import encryption

    forged = encryption.fernet().encrypt(b"forged")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off, this transaction
        else:
            cursor.execute("DROP TRIGGER reporting_disclosurefile_no_update")
        cursor.execute("UPDATE reporting_disclosurefile SET encrypted_content = %s WHERE disclosure_id = %s",
                       [forged, sent.pk])
    response = login(users["WPA"]).get(f"/reports/disclosures/{sent.pk}/download/")
    assert response.status_code == 409
    assert "The stored file does not match its checksum." in response.content.decode()


def test_an_incident_edit_that_removes_a_disclosed_victim_works_and_the_record_keeps_the_code(
        users, make_incident, stations, gazetteer, party):
    from incidents import services
    from tests.conftest import incident_fields

    incident = make_incident(victims=[consenting(), consenting()])
    first, second = incident.victims.all()
    disclosure = send(approve(ask(users["WPA"], [incident]), users["SWPA"]), users["WPA"])

    services.update_incident(
        incident, by=users["WPA"], expected_version=incident.version,
        fields=incident_fields(stations["north"], gazetteer["hamlet"]), form_codes=["RAPE"],
        victims=[{**consenting(), "id": first.pk}],
        perpetrators=[{"party": party, "party_type": party.party_type, "number": 2, "sex": "MALE"}])

    assert list(incident.victims.values_list("code", flat=True)) == [first.code]
    assert sorted(DisclosedVictim.objects.filter(disclosure=disclosure).values_list("victim_code", flat=True)) == \
        sorted([first.code, second.code])
