"""A good XLSX and a good CSV import: every field, victims grouped by incident key, consents, the
references, and the rollup months marked stale."""

import pytest

from incidents.models import Incident
from reporting.models import StaleMonth
from tests.incidents.import_files import day, good_row, imported, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def rows():
    return [
        good_row(),
        good_row(incident_key="K2", location="Quillby", forms="RAPE;SEXUAL_SLAVERY", victim_sex="FEMALE",
                 victim_age="", victim_age_group="12-17", consent_given_by="CAREGIVER",
                 consent_decided_by="Synthetic caregiver role", consents="RECORD;SHARE_MARA;REFER",
                 summary="Two victims reported abduction in Ashdale territory.", victim_name="Testname Beta"),
        good_row(incident_key="K2", incident_date="", reported_date="", location="", site_type="", forms="",
                 conflict_nexus="", source_type="", source_sex="", source_reliability="", source_credibility="",
                 summary="", perpetrator_party="", perpetrator_number="", perpetrator_sex="",
                 victim_sex="MALE", victim_age="34", consents="RECORD"),
        good_row(duty_station="", location="Birchford", perpetrator_party="", perpetrator_type="UNKNOWN",
                 perpetrator_number="", perpetrator_sex="UNKNOWN", victim_sex="UNKNOWN", victim_age="",
                 summary="One person reported an assault in Birchford territory.", shared_under_isp="Yes",
                 narrative="Synthetic narrative for the import test."),
    ]


@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_a_good_file_imports_every_incident_with_its_victims(tmp_path, users, stations, party, gazetteer, writer):
    path = writer(tmp_path / ("good." + ("xlsx" if writer is write_xlsx else "csv")), rows())
    incident_import = imported(users["SWPA"], path)
    assert incident_import.state == "DONE", incident_import.error
    assert (incident_import.incidents_written, incident_import.rows_written) == (3, 4)

    first, second, third = Incident.objects.filter(source_import=incident_import).order_by("source_row")
    year = day(15).year
    assert [i.reference for i in (first, second, third)] == [f"DEMO-{year}-0000{n}" for n in (1, 2, 3)]
    assert first.incident_date == day(20) and first.reported_date == day(15)
    assert first.location == gazetteer["north_a"] and first.admin1 == gazetteer["north"]
    assert first.duty_station == stations["north"] and first.status == "REPORTED"
    assert list(first.forms.values_list("code", flat=True)) == ["RAPE"]
    perpetrator = first.perpetrators.get()
    assert (perpetrator.party, perpetrator.party_type, perpetrator.number, perpetrator.sex) == (
        party, "NON_STATE_ARMED_GROUP", 2, "MALE")
    assert first.mara_shareable and first.victim_count == 1

    assert second.location == gazetteer["hamlet"] and second.admin2 == gazetteer["north_a"]
    assert sorted(second.forms.values_list("code", flat=True)) == ["RAPE", "SEXUAL_SLAVERY"]
    girl, man = second.victims.order_by("id")
    assert (girl.victim_group, girl.name, man.victim_group, man.age_years) == ("GIRLS", "Testname Beta", "MEN", 34)
    consent = girl.consents.get(kind="SHARE_MARA")
    assert consent.active and consent.given_by == "CAREGIVER" and consent.decided_by == "Synthetic caregiver role"
    assert not man.consents.get(kind="SHARE_MARA").active and man.consents.count() == 6
    assert second.victim_count == 2 and not second.mara_shareable  # one victim did not consent

    # No office given: the one covering Southmark.
    assert third.duty_station == stations["south"] and third.shared_under_isp
    assert third.narrative == "Synthetic narrative for the import test."
    assert third.victims.get().victim_group == "UNKNOWN"
    assert StaleMonth.objects.filter(mission=incident_import.mission, month=day(20).replace(day=1)).exists()


def test_references_continue_after_those_already_taken(tmp_path, users, party, make_incident):
    make_incident()
    incident_import = imported(users["SWPA"], write_csv(tmp_path / "one.csv", [good_row(victim_age="50")]))
    assert incident_import.incidents.get().reference == f"DEMO-{day(15).year}-00002"
