"""Only the SWPA imports: every other role gets 403 on every import page (as on the SWPA's other
pages); an import of another mission answers 404; the SWPA has a navigation link."""

import pytest

from crsv_mis.models import Mission, Role
from tests.conftest import make_user
from tests.incidents.import_files import checked, good_row, write_csv

pytestmark = pytest.mark.django_db
OTHERS = ["WPA", "HRO", "MARA_CHAIR", "MARA_MEMBER", "REFERRAL_FOCAL_POINT", "LEADERSHIP", "FIELD_REPORTER",
          "ADMIN", "AUDITOR"]


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_403_on_the_import_pages(client, login, tmp_path, users, party, role):
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "a.csv", [good_row()]))
    login(users[role])
    for path in ("/incidents/import/", "/incidents/import/template.xlsx", f"/incidents/import/{incident_import.pk}/",
                 f"/incidents/import/{incident_import.pk}/to-fix.xlsx"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/incidents/import/{incident_import.pk}/choose/", {"mode": "ALL"}).status_code == 403
    assert 'href="/incidents/import/"' not in client.get("/").content.decode()


def test_swpa_of_another_mission_gets_404(client, login, tmp_path, users, party, gazetteer):
    incident_import = checked(users["SWPA"], write_csv(tmp_path / "a.csv", [good_row()]))
    other = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    login(make_user("swpa_other", Role.SWPA, other))
    assert client.get(f"/incidents/import/{incident_import.pk}/").status_code == 404
    assert client.post(f"/incidents/import/{incident_import.pk}/discard/").status_code == 404


def test_swpa_sees_the_import_link_and_page(client, login, users):
    login(users["SWPA"])
    assert 'href="/incidents/import/"' in client.get("/").content.decode()
    assert client.get("/incidents/import/").status_code == 200
