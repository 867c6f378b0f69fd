"""Identifying fields are encrypted at rest: the database never holds them in clear text.

Read the raw rows with SQL (what a database dump, a backup or a stolen disk would show) and
compare with what the application reads through the ORM. Keys rotate: the first key in
FIELD_ENCRYPTION_KEYS encrypts, every key decrypts.
"""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection
from django.test import override_settings

from incidents.models import Consent, Incident, Victim
from tests.conftest import victim_data

NARRATIVE = "Synthetic narrative Cipherwort: fictional text that must never be stored in clear."
COORDINATES = "7.123456,-1.654321"
NAME = "Testname Cipherwort"
CONTACT = "+000 555 0142 (sister's phone)"
INTERVIEWED_BY = "Clinic Etoile nurse, 3 May"
DECIDED_BY = "Grandmother Efua, legal guardian"
CLEAR_VALUES = {"narrative": NARRATIVE, "coordinates": COORDINATES, "name": NAME, "contact": CONTACT,
                "previously_interviewed_by": INTERVIEWED_BY, "decided_by": DECIDED_BY}



@pytest.fixture
def incident(make_incident):
    # A child survivor: the consent is a caregiver's, and who decided is recorded (and identifying).
    return make_incident(
        narrative=NARRATIVE, coordinates=COORDINATES,
        summary="A girl was abducted at a water point in Ashdale territory.",
        victims=[victim_data(name=NAME, contact=CONTACT, previously_interviewed_by=INTERVIEWED_BY, age_years=14,
                             age_group="12-17", consent_given_by="CAREGIVER", consent_decided_by=DECIDED_BY)],
    )


def raw_rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_incident(incident):
    (row,) = raw_rows("SELECT narrative, coordinates FROM incidents_incident WHERE id = %s", [incident.pk])
    return dict(zip(("narrative", "coordinates"), row, strict=True))


def raw_victim(victim):
    (row,) = raw_rows("SELECT name, contact, previously_interviewed_by FROM incidents_victim WHERE id = %s",
                      [victim.pk])
    return dict(zip(("name", "contact", "previously_interviewed_by"), row, strict=True))


def raw_decided_by(victim):
    return [row[0] for row in raw_rows("SELECT decided_by FROM incidents_consent WHERE victim_id = %s", [victim.pk])]


def test_the_incident_row_holds_narrative_and_coordinates_encrypted(incident):
    raw = raw_incident(incident)

    for field in ("narrative", "coordinates"):
        assert raw[field].startswith("enc:"), field
        assert CLEAR_VALUES[field] not in raw[field]


def test_the_victim_row_holds_name_contact_and_previous_interviewer_encrypted(incident):
    raw = raw_victim(incident.victims.get())

    for field in ("name", "contact", "previously_interviewed_by"):
        assert raw[field].startswith("enc:"), field
        assert CLEAR_VALUES[field] not in raw[field]


def test_the_consent_rows_hold_who_decided_encrypted(incident):
    values = raw_decided_by(incident.victims.get())

    assert values  # one row per use of the data
    for value in values:
        assert value.startswith("enc:")
        assert DECIDED_BY not in value


def test_no_table_of_the_database_holds_an_identifying_value_in_clear(incident):
    """A dump of every table, as a backup would hold it: no clear value anywhere (audit trail included)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found += [(table, field) for field, clear in CLEAR_VALUES.items() if clear in text]
    assert found == []


def test_reading_through_the_orm_gives_the_clear_text_back(incident):
    stored = Incident.objects.get(pk=incident.pk)
    victim = Victim.objects.get(incident=stored)
    consent = Consent.objects.get(victim=victim, kind="SHARE_MARA")

    assert stored.narrative == NARRATIVE
    assert stored.coordinates == COORDINATES
    assert (victim.name, victim.contact, victim.previously_interviewed_by) == (NAME, CONTACT, INTERVIEWED_BY)
    assert consent.decided_by == DECIDED_BY


def test_the_same_name_encrypts_differently_each_time(make_incident):
    """Equal ciphertexts would tell a reader of the database that two records name the same person."""
    incident = make_incident(victims=[victim_data(name=NAME), victim_data(name=NAME)])

    first, second = (raw_victim(v)["name"] for v in incident.victims.all())

    assert first != second


def test_empty_optional_fields_stay_empty(make_incident):
    incident = make_incident(coordinates="", victims=[victim_data(contact="")])

    assert raw_incident(incident)["coordinates"] == ""
    assert raw_victim(incident.victims.get())["contact"] == ""


def test_a_value_encrypted_with_an_old_key_still_decrypts_after_a_new_key_is_put_first(make_incident):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        incident = make_incident(narrative=NARRATIVE, victims=[victim_data(name=NAME)])
    raw = raw_incident(incident)["narrative"]
    assert Fernet(old_key).decrypt(raw.removeprefix("enc:").encode()).decode() == NARRATIVE

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        assert Incident.objects.get(pk=incident.pk).narrative == NARRATIVE
        assert Victim.objects.get(incident=incident).name == NAME


def test_after_rotation_new_writes_use_the_new_key(make_incident):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        incident = make_incident()

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        stored = Incident.objects.get(pk=incident.pk)
        stored.narrative = "Rewritten after the key rotation."
        stored.save()

    raw = raw_incident(incident)["narrative"].removeprefix("enc:").encode()
    assert Fernet(new_key).decrypt(raw).decode() == "Rewritten after the key rotation."
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(raw)


def test_without_the_old_key_an_old_value_cannot_be_read(make_incident):
    """Why the old key stays in the list until every value is re-encrypted."""
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        incident = make_incident(narrative=NARRATIVE)

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]), pytest.raises(InvalidToken):
        Incident.objects.get(pk=incident.pk)
