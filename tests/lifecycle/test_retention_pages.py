"""The retention pages are the SWPA's: others get 403 (as on the other SWPA-only pages), and only
the SWPA has the navigation link."""

import pytest

from crsv_mis.models import AuditEvent
from tests.lifecycle.retention_fixtures import later, run_on

pytestmark = pytest.mark.django_db
PAGES = ["/retention/", "/retention/periods/", "/retention/holds/", "/retention/runs/"]
OTHERS = ["WPA", "HRO", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR", "FIELD_REPORTER",
          "REFERRAL_FOCAL_POINT"]


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_refused_every_retention_page(users, login, role):
    client = login(users[role])

    assert [client.get(url).status_code for url in PAGES] == [403] * len(PAGES)
    assert client.post("/retention/holds/", {"reference": "DEMO-2026-00001", "reason": "x"}).status_code == 403
    assert 'href="/retention/"' not in client.get("/").content.decode()


def test_the_swpa_has_the_link_and_every_page(users, login):
    client = login(users["SWPA"])

    assert 'href="/retention/"' in client.get("/").content.decode()
    assert [client.get(url).status_code for url in PAGES] == [200] * len(PAGES)


def test_the_plan_says_when_each_listed_record_will_be_anonymised(case, mission, users, login):
    run_on(mission, later())

    body = login(users["SWPA"]).get("/retention/").content.decode()

    assert case["incident"].reference in body and case["alert"].reference in body
    assert "1 record listed" in body and "Anonymised from" in body


def test_reading_the_plan_and_the_holds_is_recorded(users, login):
    client = login(users["SWPA"])
    client.get("/retention/")
    client.get("/retention/holds/")

    assert list(AuditEvent.objects.filter(action__endswith="_view").values_list("action", "username")) == [
        ("retention.plan_view", "swpa"), ("retention.holds_view", "swpa")]
