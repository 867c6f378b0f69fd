"""Recommendations tracked to closure: created by the chair or the SWPA from an analysis or on
their own, read by the MARA room and leadership, closed with a date and a note."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from crsv_mis.models import AuditEvent, Mission, Role
from mara.models import Recommendation, RecommendationStatus
from mara.services import analysis as analysis_service
from mara.services import recommendations as service
from tests.conftest import make_user, verified_login

LIST = "/mara/recommendations/"
NEW = "/mara/recommendations/new/"
TEXT = "Deploy a mobile medical team to Birchford before the transhumance season."


def today():
    return timezone.localdate()


def form(**overrides):
    data = {"text": TEXT, "owner": "UNFPA", "forum": "Protection Working Group",
            "due_date": (today() + datetime.timedelta(days=30)).isoformat(), "analysis": "", "status": "OPEN",
            "closed_at": "", "closing_note": "", "fingerprint": ""}
    data.update(overrides)
    return data


def create(users, **fields):
    values = {"text": TEXT, "owner": "UNFPA", "forum": "Protection Working Group",
              "due_date": today() + datetime.timedelta(days=30)}
    values.update(fields)
    return service.create_recommendation(by=users["MARA_CHAIR"], fields=values)


@pytest.fixture
def analysis(users):
    month = analysis_service.current_month()
    return analysis_service.save_draft(by=users["MARA_CHAIR"], month=month, expected_version=0,
                                       fields={"recommendations": TEXT})


def test_chair_tracks_a_recommendation_from_an_analysis(users, login, analysis):
    client = login(users["MARA_CHAIR"])
    page = client.get(f"/mara/analysis/{analysis_service.month_key(analysis.month)}/").content.decode()
    assert f"{NEW}?analysis={analysis.pk}" in page
    new_page = client.get(f"{NEW}?analysis={analysis.pk}").content.decode()
    assert f'<option value="{analysis.pk}" selected>' in new_page

    response = client.post(NEW, form(analysis=str(analysis.pk)))

    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert (recommendation.analysis, recommendation.status, recommendation.created_by) == (
        analysis, RecommendationStatus.OPEN, users["MARA_CHAIR"])
    event = AuditEvent.objects.get(action="mara.recommendation.create")
    assert event.detail == {"status": "OPEN", "analysis": analysis.pk}
    # The analysis page lists it.
    page = client.get(f"/mara/analysis/{analysis_service.month_key(analysis.month)}/").content.decode()
    assert f"/mara/recommendations/{recommendation.pk}/" in page


def test_swpa_records_a_standalone_recommendation(users, login):
    response = login(users["SWPA"]).post(NEW, form())
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert recommendation.analysis is None
    page = login(users["SWPA"]).get(f"/mara/recommendations/{recommendation.pk}/").content.decode()
    assert "Standalone" in page


def test_closing_needs_a_note_and_records_the_date(users, login):
    recommendation = create(users)
    client = login(users["SWPA"])
    url = f"/mara/recommendations/{recommendation.pk}/edit/"
    fingerprint = service.fingerprint(recommendation)

    refused = client.post(url, form(status="CLOSED", fingerprint=fingerprint))
    assert refused.status_code == 400
    assert "Say how the recommendation was closed" in refused.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == "OPEN"

    response = client.post(url, form(status="CLOSED", closing_note="Team deployed on 3 March.",
                                     fingerprint=fingerprint))
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.closed_at) == ("CLOSED", today())
    assert recommendation.closing_note == "Team deployed on 3 March."
    event = AuditEvent.objects.get(action="mara.recommendation.close")
    assert (event.user, event.detail["from"], event.detail["to"]) == (users["SWPA"], "OPEN", "CLOSED")


def test_closing_date_cannot_be_in_the_future(users):
    recommendation = create(users)
    with pytest.raises(service.RuleError):
        service.update_recommendation(
            recommendation, by=users["MARA_CHAIR"], expected_fingerprint=service.fingerprint(recommendation),
            fields={"text": TEXT, "owner": "UNFPA", "status": "CLOSED", "closing_note": "Done.",
                    "closed_at": today() + datetime.timedelta(days=1)})


def test_reopening_a_closed_recommendation_clears_its_closing_date(users):
    recommendation = create(users, status="CLOSED", closing_note="Done.", closed_at=today())
    service.update_recommendation(
        recommendation, by=users["MARA_CHAIR"], expected_fingerprint=service.fingerprint(recommendation),
        fields={"text": TEXT, "owner": "UNFPA", "status": "IN_PROGRESS", "closing_note": "Done."})
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.closed_at) == ("IN_PROGRESS", None)
    assert AuditEvent.objects.filter(action="mara.recommendation.reopen").count() == 1


def test_list_filters_open_and_closed(users, login):
    create(users, text="Still open: train the community alert network.")
    create(users, text="Under way: hotline in Southmark.", status="IN_PROGRESS")
    create(users, text="Finished: safe shelter opened.", status="CLOSED", closing_note="Opened.")
    client = login(users["LEADERSHIP"])

    open_page = client.get(LIST).content.decode()
    assert "Still open" in open_page and "Under way" in open_page
    assert "Finished" not in open_page
    closed_page = client.get(f"{LIST}?status=closed").content.decode()
    assert "Finished" in closed_page
    assert "Still open" not in closed_page and "Under way" not in closed_page
    everything = client.get(f"{LIST}?status=all").content.decode()
    assert all(t in everything for t in ("Still open", "Under way", "Finished"))


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "SWPA", "LEADERSHIP"])
def test_mara_room_and_leadership_read_recommendations(users, login, role):
    recommendation = create(users)
    client = login(users[role])
    assert client.get(LIST).status_code == 200
    assert TEXT in client.get(f"/mara/recommendations/{recommendation.pk}/").content.decode()


@pytest.mark.parametrize("role", ["MARA_MEMBER", "LEADERSHIP"])
def test_readers_who_are_not_chair_or_swpa_cannot_create_or_update(users, login, role):
    recommendation = create(users)
    client = login(users[role])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form()).status_code == 403
    edit = f"/mara/recommendations/{recommendation.pk}/edit/"
    assert client.post(edit, form(status="CLOSED", closing_note="x",
                                  fingerprint=service.fingerprint(recommendation))).status_code == 403
    assert Recommendation.objects.get().status == "OPEN"
    with pytest.raises(PermissionDenied):
        service.create_recommendation(by=users[role], fields={"text": TEXT, "owner": "x"})


@pytest.mark.parametrize("role", ["WPA", "HRO", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"])
def test_other_roles_are_refused_recommendations(users, login, role):
    recommendation = create(users)
    client = login(users[role])
    assert client.get(LIST).status_code == 403
    assert client.get(f"/mara/recommendations/{recommendation.pk}/").status_code == 403


def test_a_recommendation_of_another_mission_is_not_found(users, login, gazetteer):
    other = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    foreign = service.create_recommendation(by=make_user("other_swpa", Role.SWPA, other),
                                            fields={"text": "Elsewhere.", "owner": "x"})
    client = login(users["SWPA"])
    assert client.get(f"/mara/recommendations/{foreign.pk}/").status_code == 404
    assert client.get(f"/mara/recommendations/{foreign.pk}/edit/").status_code == 404
    assert "Elsewhere." not in client.get(f"{LIST}?status=all").content.decode()


def test_concurrent_update_is_refused_and_keeps_the_typing(users):
    recommendation = create(users)
    url = f"/mara/recommendations/{recommendation.pk}/edit/"
    chair, swpa = verified_login(Client(), users["MARA_CHAIR"]), verified_login(Client(), users["SWPA"])
    fingerprint = service.fingerprint(recommendation)
    assert f'value="{fingerprint}"' in chair.get(url).content.decode()

    assert chair.post(url, form(status="IN_PROGRESS", fingerprint=fingerprint)).status_code == 302
    response = swpa.post(url, form(owner="Mission medical section", fingerprint=fingerprint))

    assert response.status_code == 409
    assert "Someone else saved this recommendation" in response.content.decode()
    assert 'value="Mission medical section"' in response.content.decode()
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.owner) == ("IN_PROGRESS", "UNFPA")


def test_home_counts_open_recommendations(users, login):
    create(users)
    create(users, status="CLOSED", closing_note="Done.")
    assert "1 open" in login(users["MARA_MEMBER"]).get("/mara/").content.decode()
