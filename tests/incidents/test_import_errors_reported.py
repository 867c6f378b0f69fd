"""Every bad row is reported with its row number, its column and the reason in plain words, and
nothing is written while a row fails."""

import pytest

from incidents.models import Incident
from tests.incidents.import_files import checked, dmy, good_row, problems, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def reasons_at(incident_import, row):
    found = {}
    for r, key, reason in problems(incident_import):
        if r == row:
            found[key] = f"{found[key]} | {reason}" if key in found else reason
    return found


def test_each_kind_of_error_is_reported_by_row_column_and_reason(tmp_path, users, party):
    rows = [
        good_row(location="Atlantis"),                              # row 2
        good_row(forms="RAPE;TICKLING"),                            # row 3
        good_row(incident_date=dmy(-5)),                            # row 4: in the future
        good_row(victim_sex=""),                                    # row 5
        good_row(perpetrator_party="Unknown Brigade"),              # row 6
        good_row(victim_age="9", consent_given_by="SURVIVOR"),      # row 7: a child's consent
        good_row(reported_date="31/02/2026"),                       # row 8: no such day
        good_row(perpetrator_type="UN_PERSONNEL", perpetrator_party=""),  # row 9: SEA
        good_row(summary="Testname Gamma was attacked.", victim_name="Testname Gamma"),  # row 10
        good_row(victim_age="9", victim_age_group="25-39", consent_given_by="CAREGIVER",
                 consent_decided_by="Synthetic caregiver"),         # row 11
    ]
    incident_import = checked(users["SWPA"], write_xlsx(tmp_path / "bad.xlsx", rows))
    assert incident_import.state == "CHECKED"
    assert incident_import.rows_invalid == 10 and incident_import.rows_valid == 0

    assert "No territory or locality called \"Atlantis\"" in reasons_at(incident_import, 2)["location"]
    assert "\"TICKLING\" is not in the list" in reasons_at(incident_import, 3)["forms"]
    assert "The incident date cannot be in the future." in reasons_at(incident_import, 4)["incident_date"]
    assert "victim's sex is missing" in reasons_at(incident_import, 5)["victim_sex"]
    assert "No party or alias \"Unknown Brigade\"" in reasons_at(incident_import, 6)["perpetrator_party"]
    assert "best interest of the child" in reasons_at(incident_import, 7)["consent_given_by"]
    assert "is not a date" in reasons_at(incident_import, 8)["reported_date"]
    assert "Conduct and Discipline" in reasons_at(incident_import, 9)["perpetrator_type"]
    assert "victim's name" in reasons_at(incident_import, 10)["summary"]
    assert "not in the age group" in reasons_at(incident_import, 11)["victim_age_group"]
    assert not Incident.objects.exists()


def test_a_bad_victim_row_holds_back_the_other_rows_of_its_incident(tmp_path, users, party):
    rows = [good_row(incident_key="A"), good_row(incident_key="A", victim_sex="", incident_date=""),
            good_row(incident_key="B", victim_age="41"),
            good_row(incident_key="B", site_type="MARKET", victim_age="42")]
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "keys.csv", rows))
    assert "another row of the same incident has an error (row 3)" in reasons_at(incident_import, 2)[""]
    assert "victim_sex" in reasons_at(incident_import, 3)
    assert "Differs from row 4" in reasons_at(incident_import, 5)["site_type"]
    assert incident_import.rows_invalid == 4


def test_missing_template_columns_make_the_whole_file_fail_in_plain_words(tmp_path, users, party):
    path = write_csv(tmp_path / "short.csv", [good_row()], header=["Incident date", "Location"])
    incident_import = checked(users["SWPA"], path)
    assert incident_import.state == "FAILED"
    assert incident_import.error.startswith("Columns missing from the header: Date reported")


def test_the_report_page_lists_row_column_and_reason(client, login, tmp_path, users, party):
    path = write_csv(tmp_path / "bad.csv", [good_row(), good_row(location="Atlantis")])
    incident_import = checked(users["SWPA"], path)
    login(users["SWPA"])
    page = client.get(f"/incidents/import/{incident_import.pk}/").content.decode()
    assert "<td data-label=\"Row\">3</td><td data-label=\"Column\">Location</td>" in page
    assert "No territory or locality called &quot;Atlantis&quot;" in page
    assert 'value="ALL" disabled' in page
