"""manage.py import_incidents FILE [--dry-run] [--as SWPA] [--valid-rows]: the same report as the
page, a non-zero exit when rows fail, nothing written by a dry run."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from crsv_mis.models import Role
from incidents.models import Incident
from tests.conftest import make_user
from tests.incidents.import_files import good_row, write_csv

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    try:
        call_command("import_incidents", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_dry_run_prints_the_report_exits_1_and_writes_nothing(tmp_path, users, party):
    path = write_csv(tmp_path / "bad.csv", [good_row(), good_row(location="Atlantis", victim_age="50")])
    code, out = run(str(path), "--as", "swpa", "--dry-run")
    assert code == 1
    assert "2 rows read, 1 right, 1 with errors" in out
    assert 'row 3, Location: No territory or locality called "Atlantis"' in out
    assert "Dry run: nothing was written." in out and not Incident.objects.exists()


def test_a_good_file_imports(tmp_path, users, party):
    code, out = run(str(write_csv(tmp_path / "good.csv", [good_row()])), "--as", "swpa")
    assert code == 0 and "Imported 1 incident from 1 row" in out
    assert Incident.objects.get().created_by == users["SWPA"]


def test_failing_rows_write_nothing_unless_valid_rows_is_asked(tmp_path, users, party):
    path = write_csv(tmp_path / "mixed.csv", [good_row(), good_row(victim_sex="", victim_age="50")])
    assert run(str(path), "--as", "swpa")[0] == 1 and not Incident.objects.exists()
    code, out = run(str(path), "--as", "swpa", "--valid-rows")
    assert code == 1 and Incident.objects.count() == 1
    fix = tmp_path / "mixed.to-fix.xlsx"
    assert str(fix) in out
    rows = list(openpyxl.load_workbook(fix)["Incidents"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and "Victim sex" in rows[0][-1]


def test_only_an_swpa_may_import(tmp_path, users, party):
    with pytest.raises(CommandError, match="only the SWPA imports"):
        call_command("import_incidents", str(write_csv(tmp_path / "a.csv", [good_row()])), "--as", "wpa")


def test_without_as_the_only_swpa_records_the_import(tmp_path, users, party):
    code, out = run(str(write_csv(tmp_path / "good.csv", [good_row()])))
    assert code == 0 and Incident.objects.get().created_by == users["SWPA"]


def test_without_as_and_two_swpas_it_asks_which(tmp_path, users, party, mission):
    make_user("swpa2", Role.SWPA, mission)
    with pytest.raises(CommandError, match="--as USERNAME"):
        call_command("import_incidents", str(write_csv(tmp_path / "a.csv", [good_row()])), "--dry-run")
