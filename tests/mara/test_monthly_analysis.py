"""The monthly analysis: drafted by the MARA room beside the live figures, endorsed by the chair
(which freezes the figures with the text), reopened as a new revision that keeps the old one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from crsv_mis import access
from crsv_mis.models import AuditEvent
from incidents.stats import month_figures
from mara.models import AnalysisStatus, MonthlyAnalysis
from mara.services import analysis as service
from tests.conftest import verified_login

PATTERNS = "Synthetic: attacks on women at water points rose after the clashes."
HOTSPOTS = "Synthetic: Ashdale territory."


def last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


MONTH = last_month()
KEY = f"{MONTH:%Y-%m}"
URL = f"/mara/analysis/{KEY}/"


def in_month(make_incident, **overrides):
    """An incident that happened and was reported within MONTH."""
    return make_incident(incident_date=MONTH + datetime.timedelta(days=4),
                         reported_date=MONTH + datetime.timedelta(days=9), **overrides)


def text(**overrides):
    data = {"patterns": PATTERNS, "hotspots": HOTSPOTS, "perpetrators": "", "response_gaps": "",
            "recommendations": "", "version": "0"}
    data.update(overrides)
    return data


def draft(users, **fields):
    return service.save_draft(by=users["MARA_MEMBER"], month=MONTH, expected_version=0,
                              fields={"patterns": PATTERNS, "hotspots": HOTSPOTS, **fields})


def endorsed(users):
    analysis = draft(users)
    return service.endorse(analysis, by=users["MARA_CHAIR"], expected_version=analysis.version)


def test_member_starts_the_draft_and_the_save_is_audited(users, login):
    response = login(users["MARA_MEMBER"]).post(URL, text())
    assert response.status_code == 302
    analysis = MonthlyAnalysis.objects.get()
    assert (analysis.month, analysis.revision, analysis.status, analysis.version) == (MONTH, 1, "DRAFT", 1)
    assert (analysis.patterns, analysis.hotspots) == (PATTERNS, HOTSPOTS)
    event = AuditEvent.objects.get(action="mara.analysis.edit")
    assert event.user == users["MARA_MEMBER"]
    assert event.detail == {"month": KEY, "revision": 1, "fields": ["hotspots", "patterns"], "version": 1}


def test_draft_page_shows_live_figures_that_count_what_the_mara_may_count(users, login, make_incident):
    in_month(make_incident)
    in_month(make_incident)
    in_month(make_incident, shared_under_isp=True)  # the human rights compartment's only
    # Another month (the default date, ten days ago, can fall in MONTH early in a month).
    make_incident(incident_date=MONTH - datetime.timedelta(days=40), reported_date=MONTH - datetime.timedelta(days=35))
    draft(users)

    for role in ("MARA_MEMBER", "SWPA"):
        html = login(users[role]).get(URL).content.decode()
        assert "Figures of the month, as of now" in html
        assert "<dt>Incidents</dt><dd>2</dd>" in html, role
        assert 'name="patterns"' in html


def test_endorsement_freezes_figures_that_later_incidents_do_not_change(users, login, make_incident):
    in_month(make_incident)
    draft(users)
    chair = login(users["MARA_CHAIR"])
    version = MonthlyAnalysis.objects.get().version
    assert chair.post(f"{URL}endorse/", {"version": str(version)}).status_code == 302

    analysis = MonthlyAnalysis.objects.get()
    assert analysis.status == AnalysisStatus.ENDORSED
    assert (analysis.endorsed_by, analysis.endorsed_at is not None) == (users["MARA_CHAIR"], True)
    frozen = analysis.figures_snapshot
    assert frozen["month"] == KEY and frozen["totals"]["incidents"] == 1

    # A new incident of the same month, recorded after the endorsement.
    in_month(make_incident)
    live = month_figures(access.incidents_countable_by(users["MARA_CHAIR"]), MONTH)
    assert live["totals"]["incidents"] == 2

    analysis.refresh_from_db()
    assert analysis.figures_snapshot == frozen
    for url in (URL, f"{URL}r/1/"):
        html = chair.get(url).content.decode()
        assert "Figures as endorsed" in html
        assert "<dt>Incidents</dt><dd>1</dd>" in html, url
        assert "<dt>Incidents</dt><dd>2</dd>" not in html, url
    event = AuditEvent.objects.get(action="mara.analysis.endorse")
    assert (event.user, event.detail["revision"]) == (users["MARA_CHAIR"], 1)


@pytest.mark.parametrize("role", ["MARA_MEMBER", "SWPA"])
def test_only_the_chair_endorses(users, login, role):
    analysis = draft(users)
    client = login(users[role])
    assert 'action="/mara/analysis/' + KEY + '/endorse/"' not in client.get(URL).content.decode()
    assert client.post(f"{URL}endorse/", {"version": str(analysis.version)}).status_code == 403
    with pytest.raises(PermissionDenied):
        service.endorse(analysis, by=users[role], expected_version=analysis.version)
    analysis.refresh_from_db()
    assert (analysis.status, analysis.figures_snapshot) == (AnalysisStatus.DRAFT, None)
    assert not AuditEvent.objects.filter(action="mara.analysis.endorse").exists()


def test_chair_sees_the_endorse_button_on_a_draft(users, login):
    draft(users)
    assert f'action="/mara/analysis/{KEY}/endorse/"' in login(users["MARA_CHAIR"]).get(URL).content.decode()


def test_endorsed_text_cannot_be_changed(users, login):
    analysis = endorsed(users)
    client = login(users["SWPA"])
    page = client.get(URL).content.decode()
    assert 'name="patterns"' not in page  # no form any more
    assert escape(PATTERNS) in page

    response = client.post(URL, text(patterns="Rewritten after endorsement.", version=str(analysis.version)))
    assert response.status_code == 409
    assert "endorsed text cannot change" in response.content.decode()
    assert "Rewritten after endorsement." in response.content.decode()  # given back, to copy
    with pytest.raises(service.AnalysisLocked):
        service.save_draft(by=users["MARA_CHAIR"], month=MONTH, expected_version=analysis.version,
                           fields={"patterns": "Rewritten."})
    analysis.refresh_from_db()
    assert (analysis.patterns, analysis.status) == (PATTERNS, AnalysisStatus.ENDORSED)
    with pytest.raises(service.AnalysisLocked):
        service.endorse(analysis, by=users["MARA_CHAIR"], expected_version=analysis.version)


def test_reopening_makes_revision_2_and_keeps_revision_1_with_its_snapshot(users, login, make_incident):
    in_month(make_incident)
    first = endorsed(users)
    snapshot = first.figures_snapshot
    client = login(users["MARA_CHAIR"])

    response = client.post(f"{URL}reopen/", {"reason": "New verified incidents change the trend."})
    assert response.status_code == 302

    first.refresh_from_db()
    assert (first.status, first.patterns, first.figures_snapshot) == (AnalysisStatus.SUPERSEDED, PATTERNS, snapshot)
    second = MonthlyAnalysis.objects.get(revision=2)
    assert (second.status, second.patterns, second.hotspots) == (AnalysisStatus.DRAFT, PATTERNS, HOTSPOTS)
    assert (second.figures_snapshot, second.endorsed_by, second.created_by) == (None, None, users["MARA_CHAIR"])
    assert second.reopen_reason == "New verified incidents change the trend."
    event = AuditEvent.objects.get(action="mara.analysis.reopen")
    assert event.reason == ""
    assert event.detail == {"month": KEY, "revision": 2, "supersedes": first.pk}

    # The new revision is an ordinary draft; the old one stays readable with its figures.
    page = client.get(URL).content.decode()
    assert 'name="patterns"' in page and "Revision 2" in page
    assert client.post(URL, text(patterns="Revised.", version=str(second.version))).status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.patterns, first.patterns) == ("Revised.", PATTERNS)
    old = client.get(f"{URL}r/1/").content.decode()
    assert "Superseded" in old and escape(PATTERNS) in old and "<dt>Incidents</dt><dd>1</dd>" in old

    # Reopening again needs an endorsed revision: revision 1 cannot be reopened twice.
    with pytest.raises(service.AnalysisLocked):
        service.reopen(first, by=users["MARA_CHAIR"], reason="Again.")
    assert MonthlyAnalysis.objects.count() == 2


def test_reopening_needs_the_chair_and_a_reason(users, login):
    analysis = endorsed(users)
    assert login(users["SWPA"]).post(f"{URL}reopen/", {"reason": "Why not."}).status_code == 403
    response = login(users["MARA_CHAIR"]).post(f"{URL}reopen/", {"reason": " "})
    assert response.status_code == 400
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.ENDORSED
    assert MonthlyAnalysis.objects.count() == 1


def test_concurrent_edit_is_refused_and_keeps_the_typed_text(users):
    analysis = draft(users)
    member, swpa = verified_login(Client(), users["MARA_MEMBER"]), verified_login(Client(), users["SWPA"])
    assert f'name="version" value="{analysis.version}"' in member.get(URL).content.decode()
    assert f'name="version" value="{analysis.version}"' in swpa.get(URL).content.decode()

    assert member.post(URL, text(patterns="The member's reading.", version=str(analysis.version))).status_code == 302
    response = swpa.post(URL, text(patterns="The SWPA's reading, typed at length.", version=str(analysis.version)))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this analysis while you were editing it." in html
    assert escape("The SWPA's reading, typed at length.") in html
    analysis.refresh_from_db()
    assert (analysis.patterns, analysis.version) == ("The member's reading.", 2)
    assert AuditEvent.objects.filter(action="mara.analysis.edit").count() == 2  # the first save and the draft()


def test_two_first_saves_of_a_month_do_not_make_two_revisions(users):
    draft(users)
    with pytest.raises(service.EditConflict):
        service.save_draft(by=users["SWPA"], month=MONTH, expected_version=0, fields={"patterns": "Mine."})
    assert MonthlyAnalysis.objects.get().patterns == PATTERNS


def test_endorsing_from_a_stale_page_is_refused(users, login):
    analysis = draft(users)
    stale = analysis.version
    service.save_draft(by=users["SWPA"], month=MONTH, expected_version=stale, fields={"patterns": "Changed."})
    response = login(users["MARA_CHAIR"]).post(f"{URL}endorse/", {"version": str(stale)})
    assert response.status_code == 409
    assert "The text changed since you loaded the page." in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.DRAFT


def test_an_empty_analysis_cannot_be_endorsed(users, login):
    analysis = service.save_draft(by=users["MARA_CHAIR"], month=MONTH, expected_version=0, fields={})
    response = login(users["MARA_CHAIR"]).post(f"{URL}endorse/", {"version": str(analysis.version)})
    assert response.status_code == 400
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.DRAFT


@pytest.mark.parametrize("role", ["WPA", "HRO", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN",
                                  "AUDITOR"])
def test_roles_outside_the_mara_room_are_refused_the_analysis(users, login, role):
    analysis = endorsed(users)
    client = login(users[role])
    for url in ("/mara/analysis/", URL, f"{URL}r/1/"):
        assert client.get(url).status_code == 403, url
    assert client.post(URL, text(version=str(analysis.version))).status_code == 403


def test_a_month_that_has_not_begun_or_does_not_exist_is_not_found(users, login):
    client = login(users["MARA_CHAIR"])
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    assert client.get(f"/mara/analysis/{next_month:%Y-%m}/").status_code == 404
    assert client.get("/mara/analysis/2026-13/").status_code == 404
    assert client.get(f"{URL}r/1/").status_code == 404  # no revision yet


def test_analysis_list_shows_this_month_and_the_last(users, login):
    html = login(users["MARA_MEMBER"]).get("/mara/analysis/").content.decode()
    assert f"/mara/analysis/{KEY}/" in html
    assert f"/mara/analysis/{timezone.localdate():%Y-%m}/" in html
