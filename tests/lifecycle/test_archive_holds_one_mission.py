"""A mission's closure archive holds that mission only: nothing of another mission sharing the
database (names, contacts, narratives, coordinates, places, providers), and its plaintext note
tells nothing of how much the mission recorded."""

import datetime
import json

import pytest
from django.utils import timezone

from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role
from incidents import alerts, services
from incidents.models import Party
from lifecycle import archive
from referrals import services as referrals
from referrals.models import Provider, ProviderService
from tests.conftest import incident_fields, make_user, victim_data
from tests.lifecycle.conftest import NARRATIVE, VICTIM_NAME, plaintext

pytestmark = pytest.mark.django_db

OTHER = {
    "victim name": "Testname Zephyrquill", "victim contact": "+000 555 0987",
    "narrative": "Synthetic narrative Marrowvane of the other mission.", "coordinates": "7.7123,8.8456",
    "country": "Xyloria", "locality": "Pellucidford", "mission name": "Zephyr observer mission",
    "provider": "Zephyr Health Post", "provider contact": "+000 555 0654",
    "alert": "Synthetic alert Brackenwhistle of the other mission.", "referral note": "Synthetic note Ollivander.",
    "officer": "zephyr_wpa", "party": "Zephyr Front",
}


@pytest.fixture
def other_mission(db):
    country = Location.objects.create(level=LocationLevel.COUNTRY, name=OTHER["country"], pcode="XY")
    province = Location.objects.create(level=LocationLevel.ADMIN1, name="Xyloria North", pcode="XY01",
                                       parent=country)
    district = Location.objects.create(level=LocationLevel.ADMIN2, name="Xyloria Lakes", pcode="XY0101",
                                       parent=province)
    locality = Location.objects.create(level=LocationLevel.LOCALITY, name=OTHER["locality"], pcode="XY010101",
                                       parent=district)
    mission = Mission.objects.create(code="ZEPH", name=OTHER["mission name"], country=country)
    station = DutyStation.objects.create(mission=mission, code="zeph", name="Zephyr office", location=province)
    wpa = make_user(OTHER["officer"], Role.WPA, mission, [station])
    party = Party.objects.create(mission=mission, name=OTHER["party"], party_type="NON_STATE_ARMED_GROUP")
    incident = services.create_incident(
        by=wpa, mission=mission,
        fields=incident_fields(station, locality, narrative=OTHER["narrative"], coordinates=OTHER["coordinates"]),
        form_codes=["RAPE"], victims=[victim_data(name=OTHER["victim name"], contact=OTHER["victim contact"])],
        perpetrators=[{"party": party, "party_type": party.party_type, "number": 1, "sex": "MALE"}])
    alerts.ensure_default_indicators(mission)
    alerts.submit_alert(by=wpa, duty_station=station, location=locality, description=OTHER["alert"],
                        observed_at=timezone.now() - datetime.timedelta(hours=2), urgency="URGENT",
                        source_type="COMMUNITY_ALERT_NETWORK", indicators=[])
    provider = Provider.objects.create(mission=mission, name=OTHER["provider"], provider_type="HEALTH_FACILITY",
                                       contact=OTHER["provider contact"])
    provider.areas.set([province])
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    referrals.create_referral(by=wpa, victim=incident.victims.first(), service="MEDICAL", provider=provider,
                              urgency="EMERGENCY", note=OTHER["referral note"], consent_given=True,
                              consent_date=timezone.localdate() - datetime.timedelta(days=1),
                              consent_given_by="SURVIVOR", send=True)
    return mission


def test_it_archives_nothing_of_another_mission(closed_mission, other_mission, archive_key, tmp_path):
    path = tmp_path / "demo.crsvarc"
    summary = archive.export(path, archive_key, mission=closed_mission["incident"].mission)

    content = b"\n".join(plaintext(path, archive_key)).decode()
    assert NARRATIVE in content and VICTIM_NAME in content
    leaked = [what for what, marker in OTHER.items() if marker in content]
    assert leaked == []
    assert summary.header["missions"] == [{"code": "DEMO", "name": "Test mission"}]
    # Another mission's audit events stay only as the links of the chain, which still verifies.
    assert archive.verify(path, archive_key).problems == []


def test_it_needs_the_mission_named_when_the_database_holds_several(closed_mission, other_mission, archive_key,
                                                                      tmp_path):
    with pytest.raises(archive.ArchiveError, match="Name the mission"):
        archive.export(tmp_path / "which.crsvarc", archive_key)


def test_its_plaintext_note_holds_no_counts(closed_mission, other_mission, archive_key, tmp_path):
    path = tmp_path / "demo.crsvarc"
    archive.export(path, archive_key, mission=closed_mission["incident"].mission)

    text = archive.summary_path(path).read_text()
    plain = json.loads(text)
    assert set(plain) == {"archive_id", "format", "created_at", "file_sha256", "read_with"}
    assert not any(isinstance(value, int | dict | list) for key, value in plain.items() if key != "format")
    assert OTHER["mission name"] not in text and "ZEPH" not in text
