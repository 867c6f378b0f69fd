"""Time to acknowledge and time to respond per duty station and month, for the SWPA, leadership and
the MARA working group (aggregates only: they read no alert record). Leadership reads them as they
leave the MARA room: tests/incidents/test_alert_response_times_give_no_small_count_away.py."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis import access
from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role
from incidents import alerts
from incidents.alert_stats import response_times
from incidents.models import Alert, AlertResponse
from tests.conftest import make_user

DESCRIPTION = "Synthetic test alert for response times."
MARCH = datetime.datetime(2026, 3, 10, 8, 0, tzinfo=datetime.UTC)
FEBRUARY = datetime.datetime(2026, 2, 20, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def timed_alert(users, stations, gazetteer):
    """An alert received at `at`, acknowledged and first answered the given minutes later."""
    def _make(at, *, station="north", ack=None, respond=(), mission_user=None):
        by = mission_user or users["FIELD_REPORTER"]
        alert = alerts.submit_alert(
            by=by, duty_station=station if isinstance(station, DutyStation) else stations[station],
            location=gazetteer["hamlet"], observed_at=at - datetime.timedelta(minutes=30), description=DESCRIPTION,
            urgency="HIGH", source_type="HOTLINE",
        )
        changes = {"reported_at": at}
        if ack is not None:
            changes.update(acknowledged_at=at + datetime.timedelta(minutes=ack), acknowledged_by=users["SWPA"],
                           status="ACKNOWLEDGED")
        Alert.objects.filter(pk=alert.pk).update(**changes)
        for minutes in respond:
            AlertResponse.objects.create(alert=alert, kind="PATROL", component="Force",
                                         responded_at=at + datetime.timedelta(minutes=minutes),
                                         recorded_by=users["SWPA"])
        return alert
    return _make


@pytest.mark.django_db
def test_medians_and_counts_per_station_and_month(timed_alert, users):
    timed_alert(MARCH, ack=10, respond=[30])
    timed_alert(MARCH + datetime.timedelta(days=1), ack=20, respond=[90, 20])  # the first response counts
    timed_alert(MARCH + datetime.timedelta(days=2), ack=60)
    timed_alert(MARCH + datetime.timedelta(days=3))  # never acknowledged
    timed_alert(MARCH, station="south", ack=5, respond=[45])
    timed_alert(FEBRUARY, ack=120, respond=[240])

    rows = response_times(access.alerts_countable_by(users["SWPA"]), today=datetime.date(2026, 3, 15))

    table = [(r.month.isoformat(), r.station, r.alerts, r.acknowledged, r.unacknowledged,
              r.median_minutes_to_acknowledge, r.responded, r.median_minutes_to_respond) for r in rows]
    assert table == [
        ("2026-03-01", "North office", 4, 3, 1, 20.0, 2, 25.0),
        ("2026-03-01", "South office", 1, 1, 0, 5.0, 1, 45.0),
        ("2026-02-01", "North office", 1, 1, 0, 120.0, 1, 240.0),
    ]


@pytest.mark.django_db
def test_only_the_last_months_are_shown(timed_alert, users):
    timed_alert(FEBRUARY, ack=10)
    rows = response_times(access.alerts_countable_by(users["SWPA"]), months=1, today=datetime.date(2026, 3, 15))
    assert rows == []


@pytest.mark.django_db
def test_alerts_of_another_mission_are_not_counted(timed_alert, users, gazetteer):
    # A second mission in the same country: its alerts may name the same places.
    other = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    place = Location.objects.create(level=LocationLevel.ADMIN1, name="Elsewhere", pcode="EL01")
    station = DutyStation.objects.create(mission=other, code="elsewhere", name="Elsewhere office", location=place)
    reporter = make_user("other_reporter", Role.FIELD_REPORTER, other, [station])
    timed_alert(MARCH, station=station, ack=1, mission_user=reporter)
    timed_alert(MARCH, ack=50)

    rows = response_times(access.alerts_countable_by(users["LEADERSHIP"]), today=datetime.date(2026, 3, 15))
    assert [(r.station, r.alerts) for r in rows] == [("North office", 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["SWPA", "MARA_CHAIR", "MARA_MEMBER"])
def test_swpa_and_mara_read_the_response_times_page_without_alert_content(login, timed_alert, users, role):
    now = timezone.now().replace(second=0, microsecond=0)
    alert = timed_alert(now - datetime.timedelta(minutes=90), ack=42, respond=[70])

    response = login(users[role]).get("/alerts/response-times/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "North office" in page and "42.0" in page and "70.0" in page
    assert alert.reference not in page and DESCRIPTION not in page and "Quillby" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["WPA", "HRO", "FIELD_REPORTER", "ADMIN", "AUDITOR", "REFERRAL_FOCAL_POINT"])
def test_other_roles_do_not_get_the_response_times_page(login, users, role):
    assert login(users[role]).get("/alerts/response-times/").status_code == 403
