"""A 10,000-row XLSX file (a whole year of a busy mission) checks and imports in one go."""

import pytest

from incidents.models import Incident, Victim
from tests.incidents.import_files import good_row, imported, write_xlsx

SITES = ["HOME", "FIELD_OR_FARM", "ROAD_OR_ROUTE", "MARKET", "SCHOOL"]


@pytest.mark.django_db
def test_a_ten_thousand_row_file_imports(tmp_path, users, party):
    rows = []
    for n in range(10_000):
        # Pairs of rows share an incident key: 5,000 incidents with two victims each.
        m = n // 2
        rows.append(good_row(incident_key=f"K{m}", incident_date=f"{1 + m % 28:02d}/{1 + (m // 28) % 10:02d}/2025",
                             reported_date="15/11/2025", site_type=SITES[m % 5],
                             victim_sex="FEMALE" if n % 2 else "MALE", victim_age=str(18 + n % 40),
                             consent_date="15/11/2025"))
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    incident_import = imported(users["SWPA"], path, include_duplicates=True)
    assert incident_import.state == "DONE", incident_import.error
    assert incident_import.rows_written == 10_000 and incident_import.incidents_written == 5_000
    assert Incident.objects.filter(source_import=incident_import).count() == 5_000
    assert Victim.objects.filter(incident__source_import=incident_import).count() == 10_000
    references = sorted(Incident.objects.values_list("reference", flat=True))
    assert references[0] == "DEMO-2025-00001" and references[-1] == "DEMO-2025-05000"
