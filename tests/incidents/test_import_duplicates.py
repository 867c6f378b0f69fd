"""Possible duplicates (same dates, place, forms and victim profile) of a recorded incident or of an
earlier incident of the file are flagged and held back unless the person confirms them."""

import pytest

from incidents.imports import services
from incidents.models import Incident
from tests.incidents.import_files import checked, day, good_row, imported, write_csv

pytestmark = pytest.mark.django_db


def test_a_copy_of_a_recorded_incident_is_flagged_and_left_out(tmp_path, users, party, gazetteer, make_incident):
    existing = make_incident(location=gazetteer["north_a"], incident_date=day(20), reported_date=day(15))
    rows = [good_row(), good_row(victim_age="50")]  # the first: same day, place, forms, a woman 25-39
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "dup.csv", rows))
    duplicates = services.report(incident_import)["duplicates"]
    assert duplicates == [{"row": 2, "rows": [2], "reason": f"Looks like incident {existing.reference}, already "
                           "recorded (same dates, place, forms and victims)."}]
    assert (incident_import.rows_duplicate, incident_import.incidents_valid) == (1, 1)
    services.choose(incident_import, by=users["SWPA"], mode="ALL")
    incident_import = services.run_import(incident_import.pk)
    assert incident_import.incidents_written == 1
    assert list(incident_import.incidents.values_list("source_row", flat=True)) == [3]


def test_duplicates_within_the_file_are_flagged_and_imported_when_confirmed(tmp_path, users, party):
    rows = [good_row(), good_row(), good_row(victim_sex="MALE")]
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "twice.csv", rows))
    assert "the incident at row 2 of this file" in services.report(incident_import)["duplicates"][0]["reason"]
    incident_import = imported(users["SWPA"], write_csv(tmp_path / "twice.csv", rows), include_duplicates=True)
    assert incident_import.incidents_written == 3 and Incident.objects.count() == 3


def test_a_file_of_only_duplicates_needs_the_confirmation(tmp_path, users, party):
    first = imported(users["SWPA"], write_csv(tmp_path / "a.csv", [good_row()]))
    assert first.incidents_written == 1
    again = checked(users["SWPA"], write_csv(tmp_path / "a.csv", [good_row()]))
    with pytest.raises(services.RuleError, match="No row can be imported"):
        services.choose(again, by=users["SWPA"], mode="ALL")
    services.choose(again, by=users["SWPA"], mode="ALL", include_duplicates=True)
    assert services.run_import(again.pk).incidents_written == 1
