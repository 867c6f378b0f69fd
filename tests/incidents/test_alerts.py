"""Early-warning alerts: submit from the form, references, routing to the station's focal points
(in-app and by e-mail through Celery), acknowledgement, responses, recording as an incident,
and who sees what.

The e-mail tests run the real task: inline when Celery is eager (no REDIS_URL), through a Celery
worker on Redis when REDIS_URL is set (as in CI).
"""

import datetime
import re
import threading
import time
import traceback

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from crsv_mis import access
from crsv_mis.models import AuditEvent, DutyStation, Mission, Notification, Role
from crsv_mis.tasks import send_notification_emails
from incidents import alerts
from incidents.models import Alert, AlertIndicator, AlertStatus, Incident
from tests.conftest import make_user, victim_data

DESCRIPTION = "Synthetic test alert: armed men seen near the Quillby water point at dusk."
YEAR = timezone.localdate().year


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def make_alert(users, stations, gazetteer):
    def _make(by="FIELD_REPORTER", station="north", urgency="URGENT", description=DESCRIPTION, **overrides):
        fields = {
            "duty_station": stations[station], "location": gazetteer["hamlet"],
            "observed_at": timezone.now() - datetime.timedelta(minutes=20), "description": description,
            "urgency": urgency, "source_type": "COMMUNITY_ALERT_NETWORK", "indicators": [],
        }
        fields.update(overrides)
        return alerts.submit_alert(by=users[by], **fields)
    return _make


def form_data(stations, gazetteer, **overrides):
    data = {
        "description": DESCRIPTION, "urgency": "URGENT", "location": gazetteer["hamlet"].pk,
        "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "source_type": "COMMUNITY_ALERT_NETWORK",
        "duty_station": stations["north"].pk,
    }
    data.update(overrides)
    return data


# ---- submitting


@pytest.mark.django_db
def test_field_reporter_submits_an_alert_and_reads_back_only_its_status(login, users, stations, gazetteer):
    client = login(users["FIELD_REPORTER"])
    form = client.get("/alerts/new/")
    assert form.status_code == 200
    indicator = AlertIndicator.objects.get(mission=users["FIELD_REPORTER"].mission, code="armed-at-water-firewood")

    response = client.post("/alerts/new/", form_data(stations, gazetteer, indicators=[indicator.pk]), follow=True)

    alert = Alert.objects.get()
    assert alert.reference == f"DEMO-A-{YEAR}-00001"
    assert alert.reported_by == users["FIELD_REPORTER"] and alert.status == AlertStatus.NEW
    assert alert.duty_station == stations["north"] and alert.description == DESCRIPTION
    assert list(alert.indicators.values_list("code", flat=True)) == ["armed-at-water-firewood"]
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/alerts/{alert.reference}/"
    assert alert.reference in page and "New" in page
    assert "Quillby" not in page and "water point" not in page
    assert AuditEvent.objects.filter(action="alert.create", object_ref=alert.reference).exists()


@pytest.mark.django_db
def test_alert_description_is_encrypted_at_rest(make_alert):
    alert = make_alert()
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM incidents_alert WHERE id = %s", [alert.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc:") and "Quillby" not in stored


@pytest.mark.django_db
def test_alert_form_defaults_to_the_first_duty_station_and_now_and_seeds_the_indicators(login, users, stations):
    mission = users["WPA"].mission
    assert not AlertIndicator.objects.filter(mission=mission).exists()

    page = login(users["WPA"]).get("/alerts/new/").content.decode()

    assert AlertIndicator.objects.filter(mission=mission).count() == len(alerts.DEFAULT_INDICATORS)
    for label in ("Clashes calming after fighting", "Raids on homes where women are alone", "Elections"):
        assert label in page
    assert re.search(rf'<option value="{stations["north"].pk}" selected>', page)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:")
    assert f'value="{now}' in page


@pytest.mark.django_db
def test_default_indicators_are_idempotent_and_keep_an_administrators_changes(mission):
    assert alerts.ensure_default_indicators(mission) == len(alerts.DEFAULT_INDICATORS)
    AlertIndicator.objects.filter(mission=mission, code="elections").update(active=False, label="Polls")
    assert alerts.ensure_default_indicators(mission) == 0
    assert AlertIndicator.objects.get(mission=mission, code="elections").label == "Polls"
    assert "elections" not in set(alerts.indicators_for(mission).values_list("code", flat=True))


@pytest.mark.django_db
def test_swpa_without_a_station_chooses_any_station_of_the_mission(login, users, stations, gazetteer):
    other = Mission.objects.create(code="OTHER", name="Other mission")
    DutyStation.objects.create(mission=other, code="elsewhere", name="Elsewhere office")
    client = login(users["SWPA"])
    page = client.get("/alerts/new/").content.decode()
    assert "North office" in page and "South office" in page and "Elsewhere office" not in page

    client.post("/alerts/new/", form_data(stations, gazetteer, duty_station=stations["south"].pk))
    assert Alert.objects.get().duty_station == stations["south"]


@pytest.mark.django_db
def test_officer_cannot_send_an_alert_to_a_station_that_is_not_theirs(login, users, stations, gazetteer):
    response = login(users["HRO_SOUTH"]).post("/alerts/new/", form_data(stations, gazetteer))
    assert response.status_code == 400
    assert not Alert.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["MARA_MEMBER", "LEADERSHIP", "REFERRAL_FOCAL_POINT"])
def test_roles_that_read_no_alerts_may_still_report_one_and_get_the_reference(login, users, stations, gazetteer,
                                                                              role):
    client = login(users[role])
    response = client.post("/alerts/new/", form_data(stations, gazetteer), follow=True)
    alert = Alert.objects.get()
    assert response.redirect_chain[-1][0] == "/alerts/new/"
    assert alert.reference in response.content.decode()
    assert client.get(f"/alerts/{alert.reference}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ADMIN", "AUDITOR"])
def test_administrator_and_auditor_do_not_report_alerts(login, users, stations, gazetteer, role):
    client = login(users[role])
    assert client.get("/alerts/new/").status_code == 403
    assert client.post("/alerts/new/", form_data(stations, gazetteer)).status_code == 403
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_alert_in_the_future_is_refused(login, users, stations, gazetteer):
    later = (timezone.localtime() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = login(users["FIELD_REPORTER"]).post("/alerts/new/", form_data(stations, gazetteer, observed_at=later))
    assert response.status_code == 400
    assert "in the future" in response.content.decode()


# ---- references


@pytest.mark.django_db
def test_alert_references_count_up_per_mission_and_stay_apart_from_incident_references(make_alert, make_incident):
    incident = make_incident()
    made = [make_alert().reference for _ in range(3)]
    assert made == [f"DEMO-A-{YEAR}-{n:05d}" for n in (1, 2, 3)]
    assert not incident.reference.startswith("DEMO-A-")


@pytest.mark.django_db(transaction=True)
def test_parallel_alerts_get_distinct_sequential_references(make_alert):
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    references, failures = [], []
    lock = threading.Lock()

    def submit():
        try:
            barrier.wait(timeout=30)
            reference = make_alert().reference
            with lock:
                references.append(reference)
        except Exception:
            with lock:
                failures.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == [], failures[0] if failures else ""
    assert sorted(references) == [f"DEMO-A-{YEAR}-{n:05d}" for n in range(1, threads_count + 1)]


# ---- routing


@pytest.mark.django_db
def test_new_alert_is_routed_to_the_focal_points_of_its_duty_station_only(make_alert, users):
    alert = make_alert(station="north")

    notified = set(Notification.objects.filter(event_key=f"alert:{alert.pk}:new").values_list("user__username",
                                                                                              flat=True))
    assert notified == {"wpa", "hro"}
    for role in ("HRO_SOUTH", "SWPA", "FIELD_REPORTER", "MARA_CHAIR", "LEADERSHIP", "ADMIN"):
        assert not users[role].notifications.exists(), role


@pytest.mark.django_db
def test_routing_twice_creates_no_second_notification(make_alert):
    alert = make_alert()
    alerts.route_alert(alert)
    alerts.route_alert(alert)
    assert Notification.objects.filter(event_key=f"alert:{alert.pk}:new").count() == 2


@pytest.mark.django_db
def test_alert_for_a_station_without_focal_points_goes_to_the_swpa_at_once(users, mission, gazetteer):
    empty = DutyStation.objects.create(mission=mission, code="east", name="East office")
    alert = alerts.submit_alert(by=users["SWPA"], duty_station=empty, location=gazetteer["south_b"],
                                observed_at=timezone.now(), description=DESCRIPTION, urgency="HIGH",
                                source_type="HOTLINE")
    assert list(Notification.objects.filter(event_key=f"alert:{alert.pk}:new").values_list("user__username",
                                                                                          flat=True)) == ["swpa"]


@pytest.mark.django_db
def test_notifications_carry_no_survivor_information(make_alert, users):
    alert = make_alert()
    for notification in Notification.objects.all():
        assert alert.reference in notification.text
        assert "Quillby" not in notification.text and "water" not in notification.text
        assert notification.url == f"/alerts/{alert.reference}/"


@pytest.mark.django_db(transaction=True)
def test_focal_points_with_an_address_are_emailed_the_reference_urgency_and_link_only_once(
        celery_worker, make_alert, users):
    users["WPA"].email = "wpa@example.org"
    users["WPA"].save()
    users["HRO_SOUTH"].email = "hro-south@example.org"
    users["HRO_SOUTH"].save()  # another station: must not be e-mailed

    alert = make_alert(station="north")  # the task is queued after commit

    assert wait_until(lambda: len(mail.outbox) >= 1), "the alert e-mail was not sent"
    ids = list(Notification.objects.filter(event_key=f"alert:{alert.pk}:new").values_list("pk", flat=True))
    assert send_notification_emails.delay(ids).get(timeout=30) == 0  # a second run sends nothing new
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wpa@example.org"]
    text = message.subject + "\n" + message.body
    assert alert.reference in text and "Urgent" in text and f"/alerts/{alert.reference}/" in text
    for secret in ("Quillby", "water point", "armed men", "Ashdale", "Northmark", "COMMUNITY_ALERT"):
        assert secret not in text, secret
    emailed = Notification.objects.get(user=users["WPA"], event_key=f"alert:{alert.pk}:new")
    assert AuditEvent.objects.filter(action="notification.emailed", object_id=str(emailed.pk)).count() == 1


@pytest.mark.django_db
def test_no_email_task_is_queued_when_nobody_notified_has_an_address(make_alert, users,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        make_alert()
    assert callbacks == []
    users["HRO"].email = "hro@example.org"
    users["HRO"].save()
    with django_capture_on_commit_callbacks() as callbacks:
        make_alert()
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_email_task_for_an_unknown_notification_does_nothing(celery_worker, mission):
    assert send_notification_emails.delay([987654]).get(timeout=30) == 0
    assert mail.outbox == []


# ---- acknowledgement, responses, closure


@pytest.mark.django_db
def test_focal_point_of_the_station_acknowledges_once(login, make_alert, users):
    alert = make_alert()
    client = login(users["HRO"])

    response = client.post(f"/alerts/{alert.reference}/acknowledge/", follow=True)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == users["HRO"]
    assert alert.acknowledged_at is not None
    assert "acknowledged" in response.content.decode()
    assert not users["HRO"].notifications.filter(read_at__isnull=True).exists()

    first = alert.acknowledged_at
    login(users["WPA"]).post(f"/alerts/{alert.reference}/acknowledge/")
    alert.refresh_from_db()
    assert alert.acknowledged_by == users["HRO"] and alert.acknowledged_at == first
    assert AuditEvent.objects.filter(action="alert.acknowledge", object_ref=alert.reference).count() == 1


@pytest.mark.django_db
def test_swpa_may_acknowledge_any_alert_of_the_mission(login, make_alert, users):
    alert = make_alert(station="south", by="HRO_SOUTH")
    login(users["SWPA"]).post(f"/alerts/{alert.reference}/acknowledge/")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == users["SWPA"]


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("HRO_SOUTH", 404), ("MARA_CHAIR", 404), ("LEADERSHIP", 404),
                                          ("ADMIN", 404), ("FIELD_REPORTER", 403)])
def test_others_cannot_acknowledge(login, make_alert, users, role, status):
    alert = make_alert()  # reported by the field reporter: they see it, but only its status
    assert login(users[role]).post(f"/alerts/{alert.reference}/acknowledge/").status_code == status
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW and alert.acknowledged_at is None


@pytest.mark.django_db
def test_response_is_linked_and_the_alert_then_closed(login, make_alert, users):
    alert = make_alert()
    client = login(users["WPA"])
    client.post(f"/alerts/{alert.reference}/acknowledge/")
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    response = client.post(f"/alerts/{alert.reference}/respond/", {
        "kind": "PATROL", "component": "Force", "responded_at": when, "outcome": "Patrol reached the area.",
    }, follow=True)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESPONDED
    recorded = alert.responses.get()
    assert (recorded.kind, recorded.component, recorded.recorded_by) == ("PATROL", "Force", users["WPA"])
    assert "Patrol reached the area." in response.content.decode()

    client.post(f"/alerts/{alert.reference}/close/")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    refused = client.post(f"/alerts/{alert.reference}/respond/", {
        "kind": "ENGAGEMENT", "component": "Civil affairs", "responded_at": when}, follow=True)
    assert alert.responses.count() == 1 and "closed" in refused.content.decode()
    actions = list(AuditEvent.objects.filter(object_ref=alert.reference).values_list("action", flat=True))
    for action in ("alert.create", "alert.acknowledge", "alert.respond", "alert.close"):
        assert action in actions


@pytest.mark.django_db
def test_a_response_to_an_unacknowledged_alert_acknowledges_it(login, make_alert, users):
    alert = make_alert()
    login(users["HRO"]).post(f"/alerts/{alert.reference}/respond/", {
        "kind": "JOINT_MISSION", "component": "Human rights", "responded_at": timezone.localtime().strftime(
            "%Y-%m-%dT%H:%M")})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESPONDED and alert.acknowledged_by == users["HRO"]


@pytest.mark.django_db
def test_response_form_errors_are_shown(login, make_alert, users):
    alert = make_alert()
    response = login(users["HRO"]).post(f"/alerts/{alert.reference}/respond/", {"kind": "PATROL"})
    assert response.status_code == 400
    assert not alert.responses.exists()


# ---- recording an alert as an incident


@pytest.mark.django_db
def test_record_as_incident_prefills_the_intake_form(login, make_alert, users, stations, gazetteer):
    alert = make_alert(source_type="HOTLINE")
    client = login(users["WPA"])
    detail = client.get(f"/alerts/{alert.reference}/").content.decode()
    assert f"/incidents/new/?from_alert={alert.pk}" in detail

    page = client.get(f"/incidents/new/?from_alert={alert.pk}").content.decode()

    assert re.search(rf'<option value="{stations["north"].pk}" selected>', page)
    assert re.search(rf'<option value="{gazetteer["hamlet"].pk}" selected>', page)
    assert re.search(r'<option value="HOTLINE" selected>', page)
    assert f'value="{timezone.localdate(alert.reported_at).isoformat()}"' in page
    assert DESCRIPTION in page
    assert AuditEvent.objects.filter(action="alert.view", object_ref=alert.reference).count() == 2


def intake_post(station, location):
    today = timezone.localdate()
    data = {
        "duty_station": station.pk, "incident_date_precision": "DAY",
        "incident_date": (today - datetime.timedelta(days=1)).isoformat(), "reported_date": today.isoformat(),
        "location": location.pk, "site_type": "WATER_OR_FIREWOOD_POINT", "forms": ["RAPE"],
        "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "HOTLINE", "source_sex": "FEMALE",
        "source_reliability": "C", "source_credibility": "3",
        "summary": "One woman reported an attack at a water point in Ashdale territory.",
        "narrative": DESCRIPTION,
        "victims-TOTAL_FORMS": "1", "victims-INITIAL_FORMS": "0", "victims-MIN_NUM_FORMS": "1",
        "victims-MAX_NUM_FORMS": "1000", "perpetrators-TOTAL_FORMS": "1", "perpetrators-INITIAL_FORMS": "0",
        "perpetrators-MIN_NUM_FORMS": "1", "perpetrators-MAX_NUM_FORMS": "1000",
        "perpetrators-0-party_type": "UNIDENTIFIED_ARMED", "perpetrators-0-sex": "MALE",
    }
    victim = victim_data()
    for key in ("sex", "age_group", "displacement", "disability"):
        data[f"victims-0-{key}"] = victim[key]
    data["victims-0-consent_kinds"] = ["RECORD"]
    data["victims-0-consent_date"] = today.isoformat()
    data["victims-0-consent_given_by"] = "SURVIVOR"
    return data


@pytest.mark.django_db
def test_saving_the_prefilled_incident_links_the_alert(login, make_alert, users, stations, gazetteer):
    alert = make_alert()
    client = login(users["WPA"])

    response = client.post(f"/incidents/new/?from_alert={alert.pk}", intake_post(stations["north"],
                                                                                  gazetteer["hamlet"]))

    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    alert.refresh_from_db()
    assert alert.incident == incident
    assert AuditEvent.objects.filter(action="alert.record_as_incident", object_ref=alert.reference).exists()
    again = client.get(f"/incidents/new/?from_alert={alert.pk}")
    assert again.status_code == 302 and again.url == f"/alerts/{alert.reference}/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["FIELD_REPORTER", "HRO_SOUTH", "MARA_CHAIR"])
def test_only_those_who_read_the_alert_can_record_it_as_an_incident(login, make_alert, users, role):
    alert = make_alert()  # the field reporter's own alert: they see its status, not its content
    response = login(users[role]).get(f"/incidents/new/?from_alert={alert.pk}")
    assert response.status_code in (403, 404)
    assert DESCRIPTION not in response.content.decode()


# ---- who sees what


@pytest.mark.django_db
def test_alert_scoping_per_role(make_alert, users, stations, mission):
    north = make_alert(station="north", by="FIELD_REPORTER")
    south = make_alert(station="south", by="HRO_SOUTH")
    other_reporter = make_user("reporter2", Role.FIELD_REPORTER, mission, [stations["north"]])
    by_other = alerts.submit_alert(by=other_reporter, duty_station=stations["north"], location=north.location,
                                   observed_at=timezone.now(), description=DESCRIPTION, urgency="ROUTINE",
                                   source_type="WITNESS")

    def visible(role):
        return set(access.alerts_visible_to(users[role]).values_list("pk", flat=True))

    assert visible("WPA") == visible("HRO") == {north.pk, by_other.pk}
    assert visible("HRO_SOUTH") == {south.pk}
    assert visible("SWPA") == {north.pk, south.pk, by_other.pk}
    assert visible("FIELD_REPORTER") == {north.pk}
    for role in ("MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"):
        assert visible(role) == set(), role


@pytest.mark.django_db
def test_field_reporter_lists_only_their_own_alerts_with_status_only(login, make_alert, users, stations, mission):
    own = make_alert(by="FIELD_REPORTER")
    other = make_alert(by="WPA")
    client = login(users["FIELD_REPORTER"])

    listing = client.get("/alerts/").content.decode()
    assert own.reference in listing and other.reference not in listing
    detail = client.get(f"/alerts/{own.reference}/").content.decode()
    assert "New" in detail and DESCRIPTION not in detail and "Quillby" not in detail
    assert "Acknowledge" not in detail and "Record as incident" not in detail
    assert client.get(f"/alerts/{other.reference}/").status_code == 404


@pytest.mark.django_db
def test_focal_point_reads_the_alert_and_the_read_is_audited(login, make_alert, users):
    alert = make_alert()
    page = login(users["HRO"]).get(f"/alerts/{alert.reference}/").content.decode()
    assert DESCRIPTION in page and "Quillby" in page and "Acknowledge" in page
    event = AuditEvent.objects.get(action="alert.view")
    assert event.username == "hro" and event.object_ref == alert.reference


@pytest.mark.django_db
def test_officer_of_another_station_gets_404(login, make_alert, users):
    alert = make_alert(station="north")
    assert login(users["HRO_SOUTH"]).get(f"/alerts/{alert.reference}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR",
                                  "REFERRAL_FOCAL_POINT"])
def test_roles_without_alert_records_have_no_alert_list_or_detail(login, make_alert, users, role):
    alert = make_alert()
    client = login(users[role])
    assert client.get("/alerts/").status_code == 403
    assert client.get(f"/alerts/{alert.reference}/").status_code == 404


@pytest.mark.django_db
def test_alert_list_of_a_focal_point_shows_the_stations_alerts(login, make_alert, users):
    north = make_alert(station="north")
    south = make_alert(station="south", by="HRO_SOUTH")
    page = login(users["WPA"]).get("/alerts/?status=NEW").content.decode()
    assert north.reference in page and south.reference not in page
    assert AuditEvent.objects.filter(action="alert.list").exists()


# ---- notifications page


@pytest.mark.django_db
def test_notifications_page_counts_lists_and_marks_read(login, make_alert, users):
    first = make_alert()
    second = make_alert(urgency="ROUTINE")
    client = login(users["HRO"])

    home = client.get("/").content.decode()
    assert "Notifications (2)" in home
    page = client.get("/notifications/").content.decode()
    assert first.reference in page and second.reference in page

    one = users["HRO"].notifications.get(event_key=f"alert:{first.pk}:new")
    client.post("/notifications/", {"id": one.pk})
    assert "Notifications (1)" in client.get("/").content.decode()
    client.post("/notifications/", {"all": "1"})
    assert "Notifications (0)" in client.get("/").content.decode()
    assert not users["WPA"].notifications.filter(read_at__isnull=False).exists()  # others' untouched


@pytest.mark.django_db
def test_nobody_marks_another_persons_notification_read(login, make_alert, users):
    make_alert()
    theirs = users["WPA"].notifications.get()
    login(users["HRO"]).post("/notifications/", {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_navigation_offers_alerts_to_those_who_use_them(login, users):
    page = login(users["FIELD_REPORTER"]).get("/").content.decode()
    assert 'href="/alerts/new/"' in page and 'href="/alerts/"' in page
    page = login(users["LEADERSHIP"]).get("/").content.decode()
    assert 'href="/alerts/new/"' in page and 'href="/alerts/"' not in page
    assert 'href="/alerts/response-times/"' in page
    page = login(users["AUDITOR"]).get("/").content.decode()
    assert 'href="/alerts/new/"' not in page and 'href="/alerts/"' not in page


@pytest.mark.django_db
def test_admin_manages_indicators_but_never_sees_alerts_in_the_django_admin(login, make_alert, users):
    make_alert()
    client = login(users["ADMIN"])
    assert client.get("/django-admin/incidents/alertindicator/").status_code == 200
    assert "/django-admin/incidents/alert/" not in client.get("/django-admin/").content.decode()
    assert client.get("/django-admin/incidents/alert/").status_code == 404
    assert login(users["SWPA"]).get("/django-admin/incidents/alertindicator/").status_code == 302


def test_an_alert_shown_again_after_a_bad_response_form_is_a_recorded_read(login, make_alert, users):
    alert = make_alert()
    client = login(users["HRO"])

    response = client.post(f"/alerts/{alert.reference}/respond/", {"kind": "", "component": ""})

    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="alert.view", object_ref=alert.reference, username="hro").exists()
