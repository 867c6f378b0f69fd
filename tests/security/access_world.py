"""The world of the access matrix: one object of every kind a URL takes, in three places.

- HERE: the mission of the users of tests/conftest.py, the north duty station (where the WPA, the first
  HRO and the field reporter are posted), made by tests/e2e/pages.sample_objects.
- SOUTH: the same mission's south duty station, for the records a duty station keeps (incidents and
  their victims, referrals, alerts, drafts, the station itself, a disclosure asked by the south HRO),
  made by the south HRO. A north officer must not reach them; the SWPA reads the whole mission.
- ABROAD: another mission, with users of its own, made by the same sample_objects: nobody here reaches
  any of it.
"""

import datetime

from django.http import QueryDict
from django.utils import timezone

from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role
from incidents import alerts, drafts
from incidents import services as incident_services
from incidents.alerts import ensure_default_indicators
from incidents.models import Party
from lifecycle.models import LegalHold
from referrals import services as referral_services
from referrals.models import Provider, ProviderService
from reporting import disclosures
from tests.conftest import incident_fields, make_user, victim_data
from tests.e2e.pages import sample_objects

HERE, SOUTH, ABROAD = "here", "south", "abroad"
SCOPES = (HERE, SOUTH, ABROAD)


def _incident_maker(users, stations, gazetteer, party):
    def make(station="north", by="WPA", victims=None, forms=("RAPE",), **overrides):
        station = stations[station]
        return incident_services.create_incident(
            by=users[by], mission=station.mission,
            fields=incident_fields(station, overrides.pop("location", gazetteer["hamlet"]), **overrides),
            form_codes=list(forms), victims=victims or [victim_data()],
            perpetrators=[{"party": party, "party_type": party.party_type, "number": 2, "sex": "MALE"}])
    return make


def _south(users, stations, gazetteer, here):
    """The south station's records, made by the south HRO; the referral goes to a provider whose focal
    point is not the one of the matrix (so it is not assigned to them)."""
    hro = users["HRO_SOUTH"]
    make = _incident_maker(users, stations, gazetteer, here["incident"].perpetrators.first().party)
    incident = make(station="south", by="HRO_SOUTH", location=gazetteer["south_b"])
    victim = incident.victims.first()
    provider = Provider.objects.create(mission=incident.mission, name="Birchford Clinic (synthetic)",
                                       provider_type="HEALTH_FACILITY", contact="+000 555 0198")
    provider.areas.set([gazetteer["south_b"]])
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    referral = referral_services.create_referral(
        by=hro, victim=victim, service="MEDICAL", provider=provider, urgency="EMERGENCY", note="Synthetic.",
        send=True, consent_given=True, consent_date=timezone.localdate() - datetime.timedelta(days=1),
        consent_given_by="SURVIVOR", consent_decided_by="")
    alert = alerts.submit_alert(
        by=hro, duty_station=stations["south"], location=gazetteer["south_b"],
        observed_at=timezone.now() - datetime.timedelta(minutes=30), urgency="URGENT",
        description="Synthetic alert: a checkpoint near the Birchford market.", source_type="HOTLINE")
    draft, _forked = drafts.save(by=hro, post=QueryDict("narrative=Synthetic+south+draft."))
    disclosure = disclosures.request_disclosure(
        by=hro, items=["SUMMARY"], references=[incident.reference], recipient="Synthetic tribunal",
        legal_basis="Synthetic letter", purpose="Synthetic purpose.")
    return {"incident": incident, "victim": victim, "referral": referral, "alert": alert, "draft": draft,
            "station": stations["south"], "disclosure": disclosure}


def _abroad():
    """Another mission with its own gazetteer, stations and users, and every sample object."""
    country = Location.objects.create(level=LocationLevel.COUNTRY, name="Farland", pcode="FL")
    region = Location.objects.create(level=LocationLevel.ADMIN1, name="Eastmark", pcode="FL01", parent=country)
    district = Location.objects.create(level=LocationLevel.ADMIN2, name="Cobbleton", pcode="FL0101", parent=region)
    village = Location.objects.create(level=LocationLevel.LOCALITY, name="Dunwick", pcode="FL010101", parent=district)
    gazetteer = {"country": country, "north": region, "north_a": district, "hamlet": village}
    mission = Mission.objects.create(code="FAR", name="Other test mission", country=country)
    stations = {"north": DutyStation.objects.create(mission=mission, code="east", name="East office",
                                                    location=region)}
    east = [stations["north"]]
    users = {role: make_user(f"far_{role.lower()}", role, mission, east if role in ("WPA", "FIELD_REPORTER") else ())
             for role in ("WPA", "SWPA", "MARA_CHAIR", "REFERRAL_FOCAL_POINT", "FIELD_REPORTER")}
    party = Party.objects.create(mission=mission, name="Far Front", party_type="NON_STATE_ARMED_GROUP")
    ensure_default_indicators(mission)  # a row of each table of the Django admin tied to a mission
    objects = sample_objects(users=users, stations=stations, gazetteer=gazetteer, party=party,
                             make_incident=_incident_maker(users, stations, gazetteer, party))
    objects["party"] = party
    objects["location"] = village
    objects["hold"] = LegalHold.objects.get(mission=mission)
    return objects


def _admin_rows():
    """A row in each table of the Django admin that nothing else fills, so its object pages answer for
    the object (an absent one would send every staff member back to the list, whatever they may do)."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth.models import Group

    Group.objects.create(name="Synthetic group")
    seen = {"user_agent": "synthetic", "ip_address": "192.0.2.1", "username": "nobody", "http_accept": "*/*",
            "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**seen)


def build(*, users, stations, gazetteer, party, make_incident):
    """{scope: {kind: object}}."""
    _admin_rows()
    ensure_default_indicators(stations["north"].mission)
    here = sample_objects(users=users, stations=stations, gazetteer=gazetteer, party=party,
                          make_incident=make_incident)
    here["party"] = party
    here["location"] = gazetteer["hamlet"]
    here["hold"] = LegalHold.objects.get(mission=here["incident"].mission)
    # The sample request is the SWPA's; a WPA opens only the requests she made.
    here["disclosure"] = disclosures.request_disclosure(
        by=users["WPA"], items=["SUMMARY"], references=[here["incident"].reference],
        recipient="Synthetic prosecutor", legal_basis="Synthetic letter", purpose="Synthetic purpose.")
    assert {u.role for u in users.values()} == set(Role.values)
    return {HERE: here, SOUTH: _south(users, stations, gazetteer, here), ABROAD: _abroad()}
