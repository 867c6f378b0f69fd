"""Entirely empty rows (and blank lines of a CSV) are skipped and reported as skipped, not as errors."""

import pytest

from incidents.imports import services
from tests.incidents.import_files import good_row, imported, write_csv, write_xlsx


@pytest.mark.django_db
@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_empty_rows_are_skipped_and_reported(tmp_path, users, party, writer):
    blank = {key: "   " for key in good_row()}  # spaces only: empty too
    rows = [None, good_row(victim_age="20"), None, blank, good_row(victim_age="45")]
    path = writer(tmp_path / ("gaps." + ("xlsx" if writer is write_xlsx else "csv")), rows)
    incident_import = imported(users["SWPA"], path)
    assert incident_import.state == "DONE"
    assert incident_import.rows_skipped == 3 and incident_import.rows_invalid == 0
    assert services.report(incident_import)["skipped"] == [2, 4, 5]
    assert sorted(incident_import.incidents.values_list("source_row", flat=True)) == [3, 6]
