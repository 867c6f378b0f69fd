"""The gazetteer is shared by the missions of a deployment; a mission's incidents and alerts sit in
its own country only. An officer of one mission cannot record an incident or an alert at another
mission's place (form, API, import, alert, or the service itself), and is offered none of them."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import Location, LocationLevel, Mission
from incidents import alerts, services
from incidents.models import Alert, Incident
from tests.conftest import incident_fields, victim_data
from tests.incidents.import_files import checked, good_row, problems, write_csv
from tests.incidents.test_alerts import form_data
from tests.incidents.test_intake_page import intake_post

pytestmark = pytest.mark.django_db
FOREIGN_LOCALITY = "Pellucidford"
FOREIGN_TERRITORY = "Xyloria Lakes"


@pytest.fixture
def foreign_place(mission):
    """A locality of another mission's country."""
    country = Location.objects.create(level=LocationLevel.COUNTRY, name="Xyloria", pcode="XY")
    province = Location.objects.create(level=LocationLevel.ADMIN1, name="Xyloria North", pcode="XY01", parent=country)
    territory = Location.objects.create(level=LocationLevel.ADMIN2, name=FOREIGN_TERRITORY, pcode="XY0101",
                                        parent=province)
    Mission.objects.create(code="ZEPH", name="Zephyr observer mission", country=country)
    return Location.objects.create(level=LocationLevel.LOCALITY, name=FOREIGN_LOCALITY, pcode="XY010101",
                                   parent=territory)


def test_it_lists_no_other_missions_place_on_the_intake_and_alert_forms(client, login, users, foreign_place,
                                                                         gazetteer):
    login(users["WPA"])
    for url in ("/incidents/new/", "/alerts/new/"):
        page = client.get(url).content.decode()
        assert gazetteer["hamlet"].name in page, url
        assert FOREIGN_LOCALITY not in page and FOREIGN_TERRITORY not in page, url
    listed = client.get("/api/v1/locations/?page_size=500").content.decode()
    assert gazetteer["hamlet"].pcode in listed and foreign_place.pcode not in listed


def test_it_refuses_an_intake_form_at_another_missions_place(client, login, users, stations, party,
                                                             foreign_place):
    login(users["WPA"])
    response = client.post("/incidents/new/", intake_post(stations["north"], foreign_place, party))
    assert response.status_code == 400 and "location" in response.context["intake"].incident.errors
    assert not Incident.objects.exists()


def test_it_refuses_an_api_incident_at_another_missions_place(client, login, users, party, foreign_place):
    login(users["WPA"])
    today = timezone.localdate()
    response = client.post("/api/v1/incidents/", {
        "duty_station": "north", "incident_date": str(today - datetime.timedelta(days=10)),
        "reported_date": str(today - datetime.timedelta(days=3)), "location": foreign_place.pcode,
        "site_type": "ROAD_OR_ROUTE", "forms": ["RAPE"], "conflict_nexus": "PERPETRATOR_ARMED_ACTOR",
        "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE", "source_reliability": "B",
        "source_credibility": "2", "summary": "A woman was attacked by armed men on a road.",
        "victims": [{"sex": "FEMALE", "age_years": 27, "age_group": "25-39", "displacement": "IDP",
                     "disability": "NO", "consent_kinds": ["RECORD"], "consent_date": str(today)}],
        "perpetrators": [{"party": party.pk, "number": 1, "sex": "MALE"}],
    }, content_type="application/json")
    assert response.status_code == 400 and "location" in response.json(), response.content
    assert not Incident.objects.exists()


def test_it_refuses_an_imported_row_at_another_missions_place(tmp_path, users, party, foreign_place):
    path = write_csv(tmp_path / "foreign.csv", [good_row(location=FOREIGN_LOCALITY),
                                                good_row(location=foreign_place.pcode)])
    incident_import = checked(users["SWPA"], path)
    assert {(row, key) for row, key, _reason in problems(incident_import)} == {(2, "location"), (3, "location")}


def test_it_refuses_an_alert_at_another_missions_place(client, login, users, stations, gazetteer, foreign_place):
    login(users["WPA"])
    response = client.post("/alerts/new/", form_data(stations, gazetteer, location=foreign_place.pk))
    assert response.status_code == 400 and "location" in response.context["form"].errors
    with pytest.raises(services.PlaceOutsideMission):
        alerts.submit_alert(by=users["WPA"], duty_station=stations["north"], location=foreign_place,
                            observed_at=timezone.now(), description="Synthetic alert.", urgency="URGENT",
                            source_type="COMMUNITY_ALERT_NETWORK")
    assert not Alert.objects.exists()


def test_the_service_refuses_another_missions_place_whatever_the_caller(users, stations, make_incident,
                                                                         foreign_place):
    with pytest.raises(services.PlaceOutsideMission):
        services.create_incident(by=users["WPA"], mission=users["WPA"].mission,
                                 fields=incident_fields(stations["north"], foreign_place), form_codes=["RAPE"],
                                 victims=[victim_data()], perpetrators=[])
    incident = make_incident()
    with pytest.raises(services.PlaceOutsideMission):
        services.update_incident(incident, by=users["WPA"], expected_version=incident.version,
                                 fields=incident_fields(stations["north"], foreign_place), form_codes=["RAPE"],
                                 victims=[], perpetrators=[])
    assert Incident.objects.get().location != foreign_place
