"""The quarterly report pages, per role: a role with no reports page gets 403; a version it may not
read (a draft for leadership, another mission's) answers 404; leadership reads released versions
only, in the edition that leaves the MARA room; every download is audited with the checksum of the
bytes sent."""

import hashlib
import re
import time

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent, Mission, Role
from reporting import services
from reporting.models import JobState, QuarterlyReport, ReportFile, ReportJob
from tests.conftest import make_user
from tests.reporting.report_fixtures import KEY_MESSAGES, generate, release, seed_quarter, write_key_messages

MARA_ROOM = ("SWPA", "MARA_CHAIR", "MARA_MEMBER")
NO_REPORTS = ("WPA", "HRO", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR")


@pytest.fixture
def reports(mission, users, make_incident):
    """2026 Q1: version 1 released; version 2 a draft. Six incidents, two a month: small cells outside
    the room, none of which a reader can narrow (the release's disclosure audit passes)."""
    seed_quarter(make_incident, users, count=6)
    released = release(generate(mission), users)
    draft = generate(mission, by=users["SWPA"])
    return {"released": released, "draft": draft}


def wait_until(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def url(report, tail=""):
    return f"/reports/{report.pk}/{tail}"


def download_url(report, edition, fmt):
    return url(report, f"download/{edition}/{fmt}/")


# ---- who opens what


@pytest.mark.parametrize("role", MARA_ROOM)
def test_the_mara_room_lists_every_version_with_who_generated_approved_and_released_it(login, users, reports, role):
    page = login(users[role]).get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026 Q1" in html and "Version 1" in html and "Version 2" in html
    assert "Released" in html and "Draft" in html and "mara_chair" in html and "automatic" in html
    assert ('action="/reports/generate/"' in html) == (role != "MARA_MEMBER")


def test_leadership_is_sent_from_the_list_to_the_released_reports(login, users, reports):
    response = login(users["LEADERSHIP"]).get("/reports/")
    assert response.status_code == 302 and response["Location"] == "/reports/released/"


@pytest.mark.parametrize("role", NO_REPORTS)
def test_other_roles_get_403_on_every_reports_page(login, users, reports, role):
    client = login(users[role])
    job = ReportJob.objects.first()
    for path in ("/reports/", "/reports/released/", "/reports/sg-annual/", f"/reports/jobs/{job.pk}/",
                 url(reports["released"]), url(reports["draft"]),
                 download_url(reports["released"], "external", "pdf")):
        assert client.get(path).status_code == 403, path
    for path in ("/reports/generate/", url(reports["draft"], "approve/"), url(reports["released"], "release/"),
                 f"/reports/jobs/{job.pk}/retry/"):
        assert client.post(path, {"year": 2026, "quarter": 1}).status_code == 403, path
    assert not AuditEvent.objects.filter(action="report.download").exists()


def test_leadership_gets_404_for_a_draft_and_its_downloads(login, users, reports):
    client = login(users["LEADERSHIP"])
    draft = reports["draft"]
    assert client.get(url(draft)).status_code == 404
    for edition in ("external", "mara-room"):
        for fmt in ("pdf", "xlsx", "csv"):
            assert client.get(download_url(draft, edition, fmt)).status_code == 404
    assert not AuditEvent.objects.filter(action="report.download").exists()


def test_leadership_never_gets_the_mara_room_edition(login, users, reports):
    client = login(users["LEADERSHIP"])
    for fmt in ("pdf", "xlsx", "csv"):
        assert client.get(download_url(reports["released"], "mara-room", fmt)).status_code == 404
    assert client.get(download_url(reports["released"], "external", "docx")).status_code == 404
    assert client.get(download_url(reports["released"], "anything", "pdf")).status_code == 404


def test_leadership_reads_a_released_version_with_small_cells_suppressed(login, users, reports):
    leader = login(users["LEADERSHIP"]).get(url(reports["released"]))
    assert leader.status_code == 200
    html = leader.content.decode()
    assert KEY_MESSAGES in html and "&lt;5" in html
    assert "/download/external/pdf/" in html and "/download/mara-room/" not in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # nothing to act on
    assert 'id="table-quarters"' in html


def test_the_mara_room_reads_full_counts(login, users, reports):
    html = login(users["MARA_MEMBER"]).get(url(reports["released"])).content.decode()
    assert "&lt;5" not in html.split('id="table-quarters"', 1)[1].split("</table>", 1)[0]
    assert "/download/mara-room/pdf/" in html and "/download/external/pdf/" in html


def test_a_report_of_another_mission_answers_404(login, reports):
    elsewhere = Mission.objects.create(code="OTHER", name="Another mission")
    for role in (Role.MARA_CHAIR, Role.LEADERSHIP):
        client = login(make_user(f"other_{role.lower()}", role, elsewhere))
        assert client.get(url(reports["released"])).status_code == 404
        assert client.get(download_url(reports["released"], "external", "pdf")).status_code == 404
    job = ReportJob.objects.first()
    assert login(make_user("other_swpa", Role.SWPA, elsewhere)).get(f"/reports/jobs/{job.pk}/").status_code == 404


# ---- the leadership page


def test_the_leadership_page_lists_each_quarter_with_one_click_downloads(login, users, reports, mission):
    v3 = release(generate(mission), users)  # a second release of the same quarter
    html = login(users["LEADERSHIP"]).get("/reports/released/").content.decode()
    assert html.count("<strong>2026 Q1</strong>") == 1
    for fmt in ("pdf", "xlsx", "csv"):
        assert download_url(v3, "external", fmt) in html
        assert download_url(reports["released"], "external", fmt) in html  # the earlier release
    assert f"/reports/{reports['draft'].pk}/" not in html
    assert "mara-room" not in html


def test_the_mara_room_opens_the_leadership_page_too(login, users, reports):
    assert login(users["MARA_MEMBER"]).get("/reports/released/").status_code == 200


def test_leadership_lands_on_the_reports_and_the_trends(login, users, reports):
    html = login(users["LEADERSHIP"]).get("/").content.decode()
    assert 'href="/reports/released/"' in html and 'href="/mara/dashboard/"' in html


# ---- downloads


def test_a_released_download_is_the_stored_file_and_is_audited_with_its_checksum(login, users, reports):
    response = login(users["LEADERSHIP"]).get(download_url(reports["released"], "external", "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="DEMO-2026-Q1-v1-external.pdf"' == response["Content-Disposition"]
    body = response.content
    digest = hashlib.sha256(body).hexdigest()
    stored = ReportFile.objects.get(report=reports["released"], edition="EXTERNAL", format="pdf", language="en")
    assert digest == stored.sha256 == response["X-Content-SHA256"]
    (event,) = AuditEvent.objects.filter(action="report.download")
    assert event.username == "leader" and event.object_id == str(reports["released"].pk)
    assert event.detail == {"year": 2026, "quarter": 1, "version": 1, "status": "RELEASED", "edition": "EXTERNAL",
                            "format": "pdf", "sha256": digest, "size": len(body), "language": "en"}


@pytest.mark.parametrize("edition, fmt", [("mara-room", "xlsx"), ("external", "csv"), ("mara-room", "pdf")])
def test_a_draft_download_is_rendered_now_and_audited_with_the_checksum_of_what_was_sent(
        login, users, reports, edition, fmt):
    response = login(users["MARA_CHAIR"]).get(download_url(reports["draft"], edition, fmt))
    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action="report.download")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.detail["status"] == "DRAFT" and event.detail["format"] == fmt


# ---- generating from the page


@pytest.mark.django_db(transaction=True)
def test_generating_from_the_page_opens_the_job_which_links_to_the_new_version(celery_worker, login, users, reports):
    client = login(users["MARA_CHAIR"])
    response = client.post("/reports/generate/", {"year": 2026, "quarter": 1})
    job = ReportJob.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"/reports/jobs/{job.pk}/"
    assert wait_until(lambda: ReportJob.objects.get(pk=job.pk).state == JobState.DONE)
    job.refresh_from_db()
    assert job.report.version == 3 and job.requested_by == users["MARA_CHAIR"]
    html = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in html and f'href="/reports/{job.report.pk}/"' in html


def test_a_member_of_the_mara_room_cannot_generate(login, users, reports):
    assert login(users["MARA_MEMBER"]).post("/reports/generate/", {"year": 2026, "quarter": 1}).status_code == 403


def test_a_quarter_that_has_not_started_is_refused_on_the_page(login, users, reports):
    client = login(users["SWPA"])
    assert client.post("/reports/generate/", {"year": 2026, "quarter": 5}).status_code == 400
    this_year = timezone.localdate().year
    assert client.post("/reports/generate/", {"year": this_year + 1, "quarter": 1}).status_code == 400
    if timezone.localdate().month < 10:
        response = client.post("/reports/generate/", {"year": this_year, "quarter": 4})
        assert response.status_code == 400 and "has not started yet" in response.content.decode()
    assert QuarterlyReport.objects.count() == 2


def test_the_job_page_refreshes_itself_with_a_progress_bar_while_the_job_runs(login, users, mission):
    job = ReportJob.objects.create(mission=mission, year=2026, quarter=1, state=JobState.RUNNING, progress=45,
                                   step="Comparing with earlier quarters")
    html = login(users["MARA_MEMBER"]).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2; url=?refresh=auto">' in html
    assert re.search(r'<progress[^>]*max="100" value="45"', html)
    assert "Comparing with earlier quarters" in html and "Run again" not in html


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_shows_its_message_and_can_be_run_again(celery_worker, login, users, mission, make_incident):
    seed_quarter(make_incident, users, count=1)
    job = ReportJob.objects.create(mission=mission, year=2026, quarter=1, state=JobState.FAILED,
                                   error=services.FAILED_MESSAGE)
    html = login(users["MARA_MEMBER"]).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "could not be built" in html and "Run again" not in html and 'http-equiv="refresh"' not in html
    client = login(users["SWPA"])
    assert "Run again" in client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert client.post(f"/reports/jobs/{job.pk}/retry/").status_code == 302
    assert wait_until(lambda: ReportJob.objects.get(pk=job.pk).state == JobState.DONE)
    assert ReportJob.objects.get(pk=job.pk).report.version == 1


# ---- the workflow on the page


def test_the_draft_page_offers_the_narrative_form_and_approval_to_the_other_editor(login, users, reports):
    draft = reports["draft"]  # generated by the SWPA
    chair = login(users["MARA_CHAIR"]).get(url(draft)).content.decode()
    assert 'name="key_messages"' in chair and f'action="/reports/{draft.pk}/approve/"' in chair
    swpa = login(users["SWPA"]).get(url(draft)).content.decode()
    assert 'name="key_messages"' in swpa and "/approve/" not in swpa and "You generated this version" in swpa
    member = login(users["MARA_MEMBER"]).get(url(draft)).content.decode()
    assert 'name="key_messages"' not in member and "/approve/" not in member


def test_the_narrative_is_saved_from_the_page_and_a_stale_form_gets_409(login, users, reports):
    draft = reports["draft"]
    client = login(users["MARA_CHAIR"])
    data = {"key_messages": "Fewer incidents reported", "analysis": "", "response": "",
            "edit_version": draft.edit_version}
    assert client.post(url(draft), data).status_code == 302
    stale = client.post(url(draft), {**data, "key_messages": "Overwrite"})
    assert stale.status_code == 409 and "Overwrite" in stale.content.decode()
    assert QuarterlyReport.objects.get(pk=draft.pk).key_messages == "Fewer incidents reported"


def test_approve_and_release_from_the_page(login, users, reports):
    draft = write_key_messages(reports["draft"], users["SWPA"])
    client = login(users["MARA_CHAIR"])
    assert client.post(url(draft, "approve/"), {"edit_version": draft.edit_version}).status_code == 302
    assert client.post(url(draft, "release/")).status_code == 302
    assert QuarterlyReport.objects.get(pk=draft.pk).status == "RELEASED"
    assert ReportFile.objects.filter(report=draft).count() == 12


def test_a_released_version_offers_no_workflow_and_refuses_a_post(login, users, reports):
    released = reports["released"]
    client = login(users["SWPA"])
    html = client.get(url(released)).content.decode()
    assert 'name="key_messages"' not in html and "/approve/" not in html and "/release/" not in html
    for tail in ("approve/", "return/", "release/"):
        assert client.post(url(released, tail)).status_code == 409
    data = {"key_messages": "Rewritten", "analysis": "", "response": "", "edit_version": released.edit_version}
    assert client.post(url(released), data).status_code == 409
    assert QuarterlyReport.objects.get(pk=released.pk).key_messages == KEY_MESSAGES


def test_the_version_history_shows_the_released_files_checksums(login, users, reports):
    html = login(users["MARA_CHAIR"]).get(url(reports["draft"])).content.decode()
    for f in ReportFile.objects.filter(report=reports["released"]):
        assert f.sha256 in html
    leader = login(users["LEADERSHIP"]).get(url(reports["released"])).content.decode()
    external = ReportFile.objects.get(report=reports["released"], edition="EXTERNAL", format="pdf", language="en")
    room = ReportFile.objects.get(report=reports["released"], edition="MARA_ROOM", format="pdf", language="en")
    assert external.sha256 in leader and room.sha256 not in leader


def test_the_navigation_offers_reports_to_the_mara_room_and_leadership(login, users, reports):
    assert 'href="/reports/"' in login(users["MARA_MEMBER"]).get("/reports/released/").content.decode()
    leader = login(users["LEADERSHIP"]).get("/reports/released/").content.decode()
    assert 'href="/reports/released/"' in leader and 'href="/mara/dashboard/"' in leader
    # A WPA has no quarterly report link; their one link under /reports/ is to disclosure requests.
    wpa = login(users["WPA"]).get("/").content.decode()
    assert 'href="/reports/"' not in wpa and 'href="/reports/released/"' not in wpa
    assert wpa.count('href="/reports/') == wpa.count('href="/reports/disclosures/"') == 1
