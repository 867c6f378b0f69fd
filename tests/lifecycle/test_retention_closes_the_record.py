"""An anonymised incident is closed to edits: nothing identifying can be typed back into it, through the
page, the API or the service, and the page no longer offers to edit it."""

import pytest

from incidents import services
from incidents.models import Incident
from tests.incidents.test_concurrent_edit import edit_kwargs
from tests.lifecycle.retention_fixtures import NOTICE_LATER, later, run_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymised(case, mission):
    run_on(mission, later())
    run_on(mission, later(NOTICE_LATER))
    incident = Incident.objects.get(pk=case["incident"].pk)
    assert incident.anonymised_at is not None
    return incident


def test_the_service_refuses_an_edit_of_an_anonymised_incident(anonymised, users):
    with pytest.raises(services.RecordAnonymised):
        services.update_incident(anonymised, by=users["SWPA"], expected_version=anonymised.version,
                                 **edit_kwargs(anonymised, "Testname Typed Back", narrative="Typed back."))
    assert Incident.objects.get(pk=anonymised.pk).narrative == ""


def test_the_page_sends_the_officer_back_with_the_reason(anonymised, users, login):
    client = login(users["SWPA"])
    detail = client.get(f"/incidents/{anonymised.reference}/").content.decode()
    assert f"/incidents/{anonymised.reference}/edit/" not in detail
    response = client.get(f"/incidents/{anonymised.reference}/edit/", follow=True)
    assert "anonymised under the retention rules" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/incidents/{anonymised.reference}/")
