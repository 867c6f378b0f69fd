"""All or nothing: one failing row and nothing is written; a failure while writing leaves nothing
behind; records that changed between the check and the import send it back to the report."""

import pytest

from incidents.bulk import Table
from incidents.imports import services
from incidents.models import Incident, ReferenceCounter, Victim
from tests.incidents.import_files import checked, good_row, write_csv

pytestmark = pytest.mark.django_db


def test_one_bad_row_and_importing_everything_is_refused(tmp_path, users, party):
    rows = [good_row(victim_age=str(20 + n)) for n in range(0, 45, 15)] + [good_row(victim_sex="")]
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "one-bad.csv", rows))
    with pytest.raises(services.RuleError, match="1 row has errors"):
        services.choose(incident_import, by=users["SWPA"], mode="ALL")
    assert not Incident.objects.exists()


def test_a_failure_while_writing_leaves_nothing_written(tmp_path, users, party, monkeypatch):
    rows = [good_row(victim_age=str(20 + n)) for n in range(0, 45, 15)]
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "good.csv", rows))
    services.choose(incident_import, by=users["SWPA"], mode="ALL")
    real_insert = Table.insert

    def insert_then_fail(self, rows):
        real_insert(self, rows)
        if self.table == "incidents_perpetrator":  # after incidents, victims and consents went in
            raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(Table, "insert", insert_then_fail)
    incident_import = services.run_import(incident_import.pk)
    assert incident_import.state == "FAILED" and "nothing was written" in incident_import.error
    assert not Incident.objects.exists() and not Victim.objects.exists()
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()  # no reference number burnt

    monkeypatch.setattr(Table, "insert", real_insert)
    services.retry(incident_import, by=users["SWPA"])
    incident_import = services.run_import(incident_import.pk)
    assert incident_import.state == "DONE" and Incident.objects.count() == 3


def test_a_party_removed_after_the_check_sends_the_import_back_to_the_report(tmp_path, users, party):
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "party.csv", [good_row()]))
    services.choose(incident_import, by=users["SWPA"], mode="ALL")
    party.active = False
    party.save()
    incident_import = services.run_import(incident_import.pk)
    assert incident_import.state == "CHECKED" and "no longer pass" in incident_import.error
    assert incident_import.rows_invalid == 1 and not Incident.objects.exists()
