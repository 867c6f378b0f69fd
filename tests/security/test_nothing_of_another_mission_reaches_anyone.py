"""Two missions in one database: nothing of mission B reaches any role of mission A. The marker world
is mission A (its SWPA receives all of A's records); mission B gets markers of its own in every
identifying field (its name, office, party, people, incident, survivors, alert, provider, referral),
and each role of A is sent through every page crawled, every page with real objects, every download,
every API route and the Django admin (tests/security/marker_world.received_by)."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role
from incidents import alerts
from incidents import services as incident_services
from incidents.models import Party, PartyAlias
from referrals.models import Provider, Referral
from tests.conftest import incident_fields, make_user, victim_data
from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db
ROLES = ("SWPA", "MARA_CHAIR", "LEADERSHIP", "ADMIN", "AUDITOR")


def other(name):
    return f"MkOther{name}Wv8k2b"


def build_other_mission(world):
    """Mission B beside the marker world's mission A; returns B's markers."""
    country = Location.objects.get(level=LocationLevel.COUNTRY)
    mission = Mission.objects.create(code="OTHERM", name=other("Mission"), country=country)
    place = Location.objects.create(level=LocationLevel.LOCALITY, name=other("Place"), pcode="TL010199",
                                    parent=Location.objects.get(pcode="TL0101"))
    station = DutyStation.objects.create(mission=mission, code="otherm-north", name=other("Station"),
                                         location=place.parent.parent)
    party = Party.objects.create(mission=mission, name=other("Party"), party_type="NON_STATE_ARMED_GROUP")
    PartyAlias.objects.create(party=party, name=other("Alias"))
    people = {role: make_user(other(role.title().replace("_", "")), role, mission, [station])
              for role in (Role.WPA, Role.SWPA, Role.FIELD_REPORTER)}
    for user in people.values():
        user.first_name, user.last_name, user.email = other("First"), other("Last"), f"{other('Mail')}@example.org"
        user.save()
    day = timezone.localdate() - datetime.timedelta(days=5)
    incident = incident_services.create_incident(
        by=people[Role.WPA], mission=mission,
        fields=incident_fields(station, place, incident_date=day, reported_date=day, narrative=other("Narrative"),
                               summary=other("Summary")),
        form_codes=["RAPE"],
        victims=[victim_data(name=other("VictimName"), contact=other("VictimContact"),
                             previously_interviewed_by=other("SeenBy"))],
        perpetrators=[{"party": party, "party_type": party.party_type, "number": 2, "sex": "MALE"}])
    alert = alerts.submit_alert(
        by=people[Role.FIELD_REPORTER], duty_station=station, location=place, observed_at=timezone.now(),
        description=other("AlertDescription"), urgency="URGENT", source_type="HOTLINE")
    provider = Provider.objects.create(mission=mission, name=other("Provider"), provider_type="HEALTH_FACILITY")
    Referral.objects.create(
        incident=incident, victim=incident.victims.first(), service="MEDICAL", provider=provider,
        referred_by=people[Role.WPA], status="REFERRED", consent_given=True, consent_date=day,
        consent_given_by="SURVIVOR", consent_taken_by=people[Role.WPA], note=other("ReferralNote"))
    markers = [other(n) for n in ("Mission", "Station", "Party", "Alias", "First", "Last", "Mail", "Narrative",
                                  "Summary", "VictimName", "VictimContact", "SeenBy", "AlertDescription",
                                  "Provider", "ReferralNote", "Place")]
    markers += [user.username for user in people.values()]
    markers += [incident.reference, alert.reference, *incident.victims.values_list("code", flat=True)]
    return markers


@pytest.fixture(scope="module")
def two_missions(marker_world, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        return marker_world, build_other_mission(marker_world[0])


def in_a_place_list(what):
    """The gazetteer is shared by the missions (crsv_mis.Location declares no mission): its lists, and
    the import template's list of places, name every locality without saying a record is linked to it."""
    return mw.in_the_gazetteer(what) or what.startswith("GET /incidents/import/template.")


def in_the_django_admin(what):
    return what.split(" ", 1)[1].startswith("/django-admin/")


def received_of_b(role, two_missions, *, allowed=lambda what: False):
    (world, users), markers = two_missions
    received = mw.received_by(users[role], world, posts=False)
    place = other("Place")
    found = mw.leaks(received, [m for m in markers if m != place], allowed=allowed)
    found.update(mw.leaks(received, [place], allowed=lambda what: allowed(what) or in_a_place_list(what)))
    return received, found


@pytest.mark.parametrize("role", ROLES)
def test_it_sends_no_role_of_mission_a_anything_of_mission_b(two_missions, role):
    """The Django admin is looked at below, on its own."""
    received, found = received_of_b(role, two_missions, allowed=in_the_django_admin)
    assert found == {}
    if role == "SWPA":
        # The visits do reach records: A's SWPA receives A's own.
        world = two_missions[0][0]
        own = mw.record_markers(world, "REC") + [mw.marker("REC", "Narrative"), mw.marker("REC", "VictimName")]
        assert set(mw.leaks(received, own)) == set(own)


def test_it_shows_the_administrator_of_mission_a_nothing_of_mission_b_in_the_django_admin(two_missions):
    _received, found = received_of_b("ADMIN", two_missions)
    assert found == {}
