"""MARA meetings: recorded and edited by the chair or the SWPA, read by the MARA room, with
attendees (participation figures by sex and organisation) and action points followed to the end."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crsv_mis.models import AuditEvent, Mission, Role
from mara.models import ActionPoint, ActionStatus, Meeting, MeetingAttendee
from mara.services import meetings as service
from tests.conftest import make_user, verified_login

NEW_URL = "/mara/meetings/new/"
NOT_IN_THE_MARA_ROOM = ["WPA", "HRO", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"]


def iso(day):
    return day.isoformat()


def today():
    return timezone.localdate()


def formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def meeting_post(attendees, actions, **overrides):
    data = {"date": iso(today()), "format": "HYBRID", "agenda": "Review of the month's incidents.",
            "decisions": "DEMO-2026-00012 verified.", "fingerprint": ""}
    data.update(overrides)
    data.update(formset("attendees", attendees))
    data.update(formset("actions", actions))
    return data


def attendee(user="", organisation="", sex="UNKNOWN"):
    return {"user": str(user.pk) if user else "", "organisation": organisation, "sex": sex}


def action(description="Joint mission to Ashdale territory.", owner="Human Rights Division",
           forum="Protection Working Group", due=None, status="OPEN", id=""):
    return {"id": id, "description": description, "owner": owner, "forum": forum,
            "due_date": iso(due or today() + datetime.timedelta(days=14)), "status": status}


@pytest.fixture
def meeting(users):
    return service.create_meeting(
        by=users["MARA_CHAIR"],
        fields={"date": today() - datetime.timedelta(days=7), "format": "IN_PERSON", "agenda": "Trends.",
                "decisions": "Two incidents verified."},
        attendees=[{"user": users["MARA_CHAIR"], "organisation": "Test mission", "sex": "FEMALE"},
                   {"user": None, "organisation": "UNFPA", "sex": "MALE"}],
        action_points=[{"description": "Engage the Test Front command.", "owner": "SWPA",
                        "forum": "Senior management group", "due_date": today() + datetime.timedelta(days=3)}],
    )


def test_chair_records_a_meeting_with_attendees_and_action_points(users, login):
    client = login(users["MARA_CHAIR"])
    data = meeting_post(
        [attendee(users["MARA_MEMBER"], sex="FEMALE"), attendee(organisation="UNFPA", sex="FEMALE"),
         attendee(organisation="UNPOL", sex="MALE"), attendee()],  # the last row is left blank
        [action(), action(description="", owner="", forum="", status="OPEN") | {"due_date": ""}],
    )
    response = client.post(NEW_URL, data)

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert (meeting.format, meeting.date, meeting.created_by) == ("HYBRID", today(), users["MARA_CHAIR"])
    rows = {(a.user_id, a.organisation, a.sex) for a in meeting.attendees.all()}
    # A staff member with no organisation typed is counted as the mission.
    assert rows == {(users["MARA_MEMBER"].pk, "Test mission", "FEMALE"), (None, "UNFPA", "FEMALE"),
                    (None, "UNPOL", "MALE")}
    point = meeting.action_points.get()
    assert (point.owner, point.forum, point.status) == ("Human Rights Division", "Protection Working Group", "OPEN")
    event = AuditEvent.objects.get(action="mara.meeting.create")
    assert (event.user, event.object_id, event.detail) == (users["MARA_CHAIR"], str(meeting.pk),
                                                          {"attendees": 3, "action_points": 1})


def test_swpa_records_a_meeting_too(users, login):
    response = login(users["SWPA"]).post(NEW_URL, meeting_post([attendee(organisation="UNICEF")], []))
    assert response.status_code == 302
    assert Meeting.objects.get().created_by == users["SWPA"]


def test_member_reads_meetings_but_cannot_record_or_edit_them(users, login, meeting):
    client = login(users["MARA_MEMBER"])
    page = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert "Engage the Test Front command." in page.content.decode()
    assert reverse("meeting_edit", args=[meeting.pk]) not in page.content.decode()
    assert client.get(reverse("meeting_list")).status_code == 200

    assert client.get(NEW_URL).status_code == 403
    assert client.post(NEW_URL, meeting_post([attendee(organisation="UNFPA")], [])).status_code == 403
    assert client.get(reverse("meeting_edit", args=[meeting.pk])).status_code == 403
    point = meeting.action_points.get()
    assert client.post(reverse("action_point_status", args=[point.pk]), {"status": "DONE"}).status_code == 403
    assert Meeting.objects.count() == 1
    point.refresh_from_db()
    assert point.status == "OPEN"


@pytest.mark.parametrize("role", NOT_IN_THE_MARA_ROOM)
def test_roles_outside_the_mara_room_are_refused_every_meeting_page(users, login, meeting, role):
    client = login(users[role])
    for url in (reverse("meeting_list"), reverse("meeting_detail", args=[meeting.pk]), NEW_URL,
                reverse("meeting_edit", args=[meeting.pk])):
        assert client.get(url).status_code == 403, url


def test_a_meeting_of_another_mission_is_not_found(users, login, gazetteer):
    other = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    other_chair = make_user("other_chair", Role.MARA_CHAIR, other)
    foreign = service.create_meeting(by=other_chair, fields={"date": today(), "format": "REMOTE"},
                                     attendees=[], action_points=[])
    client = login(users["MARA_CHAIR"])
    assert client.get(reverse("meeting_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("meeting_edit", args=[foreign.pk])).status_code == 404
    assert reverse("meeting_detail", args=[foreign.pk]) not in client.get(reverse("meeting_list")).content.decode()


def test_meeting_page_shows_participation_by_sex_and_organisations(users, login):
    meeting = service.create_meeting(
        by=users["SWPA"], fields={"date": today(), "format": "IN_PERSON"},
        attendees=[
            {"user": users["MARA_CHAIR"], "organisation": "Test mission", "sex": "FEMALE"},
            {"user": users["MARA_MEMBER"], "organisation": "Test mission", "sex": "MALE"},
            {"user": None, "organisation": "UNFPA", "sex": "FEMALE"},
            {"user": None, "organisation": "unfpa ", "sex": "FEMALE"},  # the same organisation, typed again
            {"user": None, "organisation": "Women's network", "sex": "UNKNOWN"},
        ],
        action_points=[],
    )
    figures = service.participation(meeting)
    assert figures["total"] == 5
    assert {r["code"]: r["count"] for r in figures["by_sex"]} == {"FEMALE": 3, "MALE": 1, "OTHER": 0, "UNKNOWN": 1}
    assert (figures["organisations"], figures["mission_staff"], figures["external"]) == (3, 2, 3)
    assert figures["women_percent"] == 60

    html = login(users["MARA_MEMBER"]).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "<dt>Female</dt><dd>3</dd>" in html
    assert "<dt>Male</dt><dd>1</dd>" in html
    assert "<dt>Organisations</dt><dd>3</dd>" in html


def test_add_another_attendee_returns_the_page_with_one_more_row_and_saves_nothing(users, login):
    client = login(users["MARA_CHAIR"])
    data = meeting_post([attendee(organisation="UNFPA", sex="FEMALE")], [action()], add_attendee="1")
    response = client.post(NEW_URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="attendees-TOTAL_FORMS" value="2"' in html
    assert 'name="attendees-1-organisation"' in html
    assert 'value="UNFPA"' in html  # what was typed stays
    assert Meeting.objects.count() == 0

    response = client.post(NEW_URL, meeting_post([attendee(organisation="UNFPA")], [action()], add_action="1"))
    assert 'name="actions-TOTAL_FORMS" value="2"' in response.content.decode()
    assert Meeting.objects.count() == 0


def test_attendee_with_neither_staff_member_nor_organisation_is_refused(users, login):
    response = login(users["MARA_CHAIR"]).post(NEW_URL, meeting_post([attendee(sex="FEMALE")], []))
    assert response.status_code == 400
    assert "Choose a staff member or give the organisation." in response.content.decode()
    assert Meeting.objects.count() == 0


def test_new_action_point_due_before_the_meeting_is_refused(users, login):
    data = meeting_post([], [action(due=today() - datetime.timedelta(days=1))])
    response = login(users["MARA_CHAIR"]).post(NEW_URL, data)
    assert response.status_code == 400
    assert "The due date cannot be before the meeting." in response.content.decode()
    assert Meeting.objects.count() == 0


def test_chair_records_progress_on_an_action_point_and_it_is_audited(users, login, meeting):
    point = meeting.action_points.get()
    client = login(users["MARA_CHAIR"])
    response = client.post(reverse("action_point_status", args=[point.pk]),
                           {"status": "IN_PROGRESS", "expected_status": "OPEN"})
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.status == ActionStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="mara.action_point.status")
    assert event.user == users["MARA_CHAIR"]
    assert event.detail == {"meeting": meeting.pk, "from": "OPEN", "to": "IN_PROGRESS"}

    login(users["SWPA"]).post(reverse("action_point_status", args=[point.pk]), {"status": "DONE"})
    point.refresh_from_db()
    assert point.status == ActionStatus.DONE


def test_status_update_from_a_stale_page_is_refused(users, meeting):
    point = meeting.action_points.get()
    service.set_action_status(point, by=users["SWPA"], status="DONE")
    with pytest.raises(service.EditConflict):
        service.set_action_status(point, by=users["MARA_CHAIR"], status="DROPPED", expected_status="OPEN")
    point.refresh_from_db()
    assert point.status == "DONE"
    assert AuditEvent.objects.filter(action="mara.action_point.status").count() == 1


def edit_post(meeting, **overrides):
    attendees = [attendee(a.user, a.organisation, a.sex) for a in meeting.attendees.all()]
    actions = [action(p.description, p.owner, p.forum, p.due_date, p.status, str(p.pk))
               for p in meeting.action_points.order_by("id")]
    data = meeting_post([], [], date=iso(meeting.date), format=meeting.format, agenda=meeting.agenda,
                        decisions=meeting.decisions, fingerprint=service.fingerprint(meeting))
    data.update(formset("attendees", attendees, initial=len(attendees)))
    data.update(formset("actions", actions, initial=len(actions)))
    data.update(overrides)
    return data


def test_editing_a_meeting_keeps_its_action_points_and_records_what_changed(users, login, meeting):
    point = meeting.action_points.get()
    client = login(users["SWPA"])
    page = client.get(reverse("meeting_edit", args=[meeting.pk]))
    assert page.status_code == 200
    assert f'value="{service.fingerprint(meeting)}"' in page.content.decode()

    data = edit_post(meeting, decisions="Two incidents verified; one discarded.", **{
        "actions-0-status": "IN_PROGRESS", "attendees-1-DELETE": "on"})
    assert client.post(reverse("meeting_edit", args=[meeting.pk]), data).status_code == 302

    meeting.refresh_from_db()
    assert meeting.decisions == "Two incidents verified; one discarded."
    assert list(meeting.attendees.values_list("organisation", flat=True)) == ["Test mission"]
    assert list(meeting.action_points.values_list("pk", "status")) == [(point.pk, "IN_PROGRESS")]
    event = AuditEvent.objects.get(action="mara.meeting.change")
    assert event.user == users["SWPA"]
    assert event.detail["fields"] == ["decisions", "attendees", "action_points"]


def test_second_save_of_a_stale_meeting_page_is_refused_and_keeps_the_typing(users, meeting):
    url = reverse("meeting_edit", args=[meeting.pk])
    chair, swpa = verified_login(Client(), users["MARA_CHAIR"]), verified_login(Client(), users["SWPA"])
    first, second = edit_post(meeting, decisions="Chair's wording."), edit_post(meeting, decisions="SWPA's wording.")

    assert chair.post(url, first).status_code == 302
    response = swpa.post(url, second)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this meeting while you were editing it." in html
    assert "SWPA&#x27;s wording." in html
    meeting.refresh_from_db()
    assert meeting.decisions == "Chair's wording."
    assert AuditEvent.objects.filter(action="mara.meeting.change").count() == 1


def test_service_refuses_a_member_even_without_the_page(users):
    with pytest.raises(PermissionDenied):
        service.create_meeting(by=users["MARA_MEMBER"], fields={"date": today(), "format": "REMOTE"},
                               attendees=[], action_points=[])
    assert not Meeting.objects.exists() and not MeetingAttendee.objects.exists()
    assert not ActionPoint.objects.exists()
