"""An administrator is the administrator of one mission: in the Django admin they cannot list,
open, change or create anything of another mission (users, duty stations, parties, providers,
indicators, the mission itself), nor set the password of another mission's SWPA."""

import pytest

from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role, User
from incidents.models import AlertIndicator, Party
from referrals.models import Provider
from tests.conftest import PASSWORD, make_user

ADMIN = "/django-admin/"
NEW_PASSWORD = "a-long-passphrase-2026"


@pytest.fixture
def far():
    country = Location.objects.create(level=LocationLevel.COUNTRY, name="Farland", pcode="FL")
    region = Location.objects.create(level=LocationLevel.ADMIN1, name="Eastmark", pcode="FL01", parent=country)
    mission = Mission.objects.create(code="FAR", name="Far mission", country=country)
    station = DutyStation.objects.create(mission=mission, code="east", name="East office", location=region)
    return {
        "mission": mission, "station": station, "region": region,
        "swpa": make_user("far_swpa", Role.SWPA, mission),
        "wpa": make_user("far_wpa", Role.WPA, mission, [station]),
        "party": Party.objects.create(mission=mission, name="Far Front", party_type="NON_STATE_ARMED_GROUP"),
        "provider": Provider.objects.create(mission=mission, name="Far Clinic (synthetic)",
                                            provider_type="HEALTH_FACILITY"),
        "indicator": AlertIndicator.objects.create(mission=mission, code="far_sign", label="Far sign"),
    }


def _url(obj, page="change"):
    return f"{ADMIN}{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{page}/"


@pytest.mark.django_db
def test_it_lists_nothing_of_another_mission(login, users, far):
    client = login(users["ADMIN"])
    for model, name in ((User, "far_swpa"), (DutyStation, "East office"), (Party, "Far Front"),
                        (Provider, "Far Clinic"), (AlertIndicator, "Far sign"), (Mission, "Far mission"),
                        (Location, "Eastmark")):
        page = client.get(f"{ADMIN}{model._meta.app_label}/{model._meta.model_name}/")
        assert page.status_code == 200
        assert name not in page.content.decode(), model


@pytest.mark.django_db
def test_it_opens_and_changes_nothing_of_another_mission(login, users, far):
    client = login(users["ADMIN"])
    for key in ("swpa", "wpa", "station", "party", "provider", "indicator", "mission", "region"):
        response = client.get(_url(far[key]))
        assert response.status_code in (302, 404), key
        assert response.status_code == 404 or response.url == ADMIN, key
    client.post(_url(far["wpa"]), {
        "username": "far_wpa", "role": Role.LEADERSHIP, "mission": far["mission"].pk, "is_active": "on",
        "language": "en"})
    client.post(_url(far["party"]), {"name": "Renamed", "party_type": "NON_STATE_ARMED_GROUP",
                                     "mission": far["mission"].pk, "active": "on"})
    assert User.objects.get(username="far_wpa").role == Role.WPA
    assert Party.objects.get(pk=far["party"].pk).name == "Far Front"


@pytest.mark.django_db
def test_it_cannot_set_the_password_of_another_missions_swpa(login, users, far):
    client = login(users["ADMIN"])
    url = f"{ADMIN}crsv_mis/user/{far['swpa'].pk}/password/"

    assert client.get(url).status_code == 404
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})

    assert response.status_code == 404
    assert User.objects.get(pk=far["swpa"].pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_it_creates_nothing_in_another_mission(login, users, far, stations):
    client = login(users["ADMIN"])

    client.post(f"{ADMIN}crsv_mis/user/add/", {
        "username": "planted", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true",
        "role": Role.LEADERSHIP, "mission": far["mission"].pk, "duty_stations": [far["station"].pk]})
    client.post(f"{ADMIN}crsv_mis/user/add/", {
        "username": "planted_too", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "usable_password": "true", "role": Role.LEADERSHIP})
    client.post(f"{ADMIN}crsv_mis/dutystation/add/", {"code": "planted", "name": "Planted office",
                                                       "mission": far["mission"].pk})
    client.post(f"{ADMIN}incidents/party/add/", {
        "name": "Planted Front", "party_type": "NON_STATE_ARMED_GROUP", "mission": far["mission"].pk,
        "active": "on", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"})
    assert client.get(f"{ADMIN}crsv_mis/mission/add/").status_code == 403

    far_mission = far["mission"]
    assert not User.objects.filter(mission=far_mission, username__startswith="planted").exists()
    assert not User.objects.filter(username="planted").exists()
    assert User.objects.get(username="planted_too").mission == users["ADMIN"].mission
    assert not DutyStation.objects.filter(mission=far_mission, code="planted").exists()
    assert not Party.objects.filter(mission=far_mission, name="Planted Front").exists()
    assert set(far["station"].officers.all()) == {far["wpa"]}
