"""The check's reasons and the to-fix file read in the language of the person who uploaded the
file, whatever language the worker or another person's page runs in."""

import io

import openpyxl
import pytest
from django.utils import translation

from tests.incidents.import_files import good_row, imported, problems, write_csv

pytestmark = pytest.mark.django_db


def test_a_french_speaking_swpa_reads_the_reasons_in_french(users, tmp_path, party, client, login):
    swpa = users["SWPA"]
    swpa.language = "fr"
    swpa.save(update_fields=["language"])
    rows = [good_row(victim_age="20"), good_row(victim_age="30", location="Atlantis")]
    with translation.override("en"):
        done = imported(swpa, write_csv(tmp_path / "mixed.csv", rows), mode="VALID")
        reasons = [reason for _row, key, reason in problems(done) if key == "location"]
    assert len(reasons) == 1 and "Aucun territoire" in reasons[0]

    login(swpa)
    response = client.get(f"/incidents/import/{done.pk}/to-fix.xlsx")
    table = list(openpyxl.load_workbook(io.BytesIO(response.content))["Incidents"].iter_rows(values_only=True))
    assert "Lieu :" in table[1][-1] and "Location:" not in table[1][-1]
