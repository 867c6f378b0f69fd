"""The life of a quarterly report version: DRAFT (the SWPA and the MARA chair write the narrative)
-> APPROVED (the SWPA or the chair, never the person who generated it) -> RELEASED (files stored
with their checksums). Every step is audited; a released version never changes; regenerating
makes a new version and keeps the released one."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from crsv_mis.models import AuditEvent, Mission, Role
from reporting import services
from reporting.models import QuarterlyReport, ReportFile, ReportStatus
from tests.conftest import make_user
from tests.reporting.report_fixtures import KEY_MESSAGES, generate, release, seed_quarter, write_key_messages

OTHER_ROLES = ("WPA", "HRO", "MARA_MEMBER", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN",
               "AUDITOR")


@pytest.fixture
def draft(mission, users, make_incident):
    seed_quarter(make_incident, users)
    return write_key_messages(generate(mission), users["SWPA"])


def events(action, report=None):
    qs = AuditEvent.objects.filter(action=action)
    if report is not None:
        qs = qs.filter(object_type="reporting.quarterlyreport", object_id=str(report.pk))
    return list(qs.order_by("id"))


@pytest.mark.parametrize("role", ["SWPA", "MARA_CHAIR"])
def test_it_lets_the_swpa_or_the_mara_chair_approve_and_release(draft, users, role):
    approved = services.approve(draft, by=users[role])
    assert approved.status == ReportStatus.APPROVED and approved.approved_by == users[role]
    released = services.release(approved, by=users[role])
    stored = QuarterlyReport.objects.get(pk=draft.pk)
    assert released.status == stored.status == ReportStatus.RELEASED
    assert stored.released_by == users[role] and stored.released_at is not None


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_it_refuses_approval_and_release_by_any_other_role(draft, users, role):
    with pytest.raises(PermissionDenied):
        services.approve(draft, by=users[role])
    services.approve(draft, by=users["MARA_CHAIR"])
    with pytest.raises(PermissionDenied):
        services.release(draft, by=users[role])
    assert QuarterlyReport.objects.get(pk=draft.pk).status == ReportStatus.APPROVED


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_it_refuses_narrative_edits_by_any_other_role(draft, users, role):
    with pytest.raises(PermissionDenied):
        services.edit_narrative(draft, by=users[role], expected_edit_version=draft.edit_version,
                                key_messages="Changed", analysis="", response="")
    assert QuarterlyReport.objects.get(pk=draft.pk).key_messages == KEY_MESSAGES


@pytest.mark.parametrize("generator, other", [("SWPA", "MARA_CHAIR"), ("MARA_CHAIR", "SWPA")])
def test_the_person_who_generated_a_version_cannot_approve_it(mission, users, make_incident, generator, other):
    seed_quarter(make_incident, users, count=1)
    report = write_key_messages(generate(mission, by=users[generator]), users[generator])
    assert report.generated_by == users[generator]
    with pytest.raises(services.RuleError, match="You generated this version"):
        services.approve(report, by=users[generator])
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    assert services.approve(report, by=users[other]).status == ReportStatus.APPROVED


def test_a_user_of_another_mission_cannot_touch_the_report(draft):
    elsewhere = Mission.objects.create(code="OTHER", name="Another mission")
    chair = make_user("other_chair", Role.MARA_CHAIR, elsewhere)
    with pytest.raises(PermissionDenied):
        services.approve(draft, by=chair)
    assert services.editions_for(chair, draft) == []


def test_it_refuses_approval_without_key_messages(mission, users, make_incident):
    seed_quarter(make_incident, users, count=1)
    report = generate(mission)
    with pytest.raises(services.RuleError, match="key messages"):
        services.approve(report, by=users["SWPA"])


def test_only_an_approved_version_can_be_released(draft, users):
    with pytest.raises(services.RuleError, match="Only an approved version"):
        services.release(draft, by=users["SWPA"])
    assert not ReportFile.objects.exists()


def test_a_stale_edit_version_is_refused_and_nothing_is_overwritten(draft, users):
    read = draft.edit_version  # both loaded the page at this version
    services.edit_narrative(draft, by=users["MARA_CHAIR"], expected_edit_version=read,
                            key_messages="The chair's text", analysis="", response="")
    with pytest.raises(services.EditConflict):
        services.edit_narrative(draft, by=users["SWPA"], expected_edit_version=read,
                                key_messages="The SWPA's text, typed on an old page", analysis="", response="")
    assert QuarterlyReport.objects.get(pk=draft.pk).key_messages == "The chair's text"


def test_approval_of_text_changed_since_it_was_read_is_refused(draft, users):
    read = draft.edit_version
    services.edit_narrative(draft, by=users["SWPA"], expected_edit_version=read, key_messages="New text",
                            analysis="", response="")
    with pytest.raises(services.EditConflict):
        services.approve(draft, by=users["MARA_CHAIR"], expected_edit_version=read)


def test_an_approved_version_goes_back_to_draft_and_its_text_can_change_again(draft, users):
    services.approve(draft, by=users["MARA_CHAIR"])
    with pytest.raises(services.RuleError, match="Only a draft"):
        services.edit_narrative(draft, by=users["SWPA"], expected_edit_version=draft.edit_version,
                                key_messages="Late change", analysis="", response="")
    back = services.return_to_draft(draft, by=users["SWPA"], reason="A figure needs a word of context.")
    assert back.status == ReportStatus.DRAFT and back.approved_by is None and back.approved_at is None
    changed = services.edit_narrative(back, by=users["SWPA"], expected_edit_version=back.edit_version,
                                      key_messages="Late change", analysis="", response="")
    assert changed.key_messages == "Late change"


def test_each_step_is_audited_with_who_did_it(mission, users, make_incident):
    seed_quarter(make_incident, users, count=1)
    job = services.start_job(mission=mission, year=2026, quarter=1, by=users["SWPA"])
    report = services.run_job(job.pk)
    report = write_key_messages(report, users["SWPA"])
    report = services.approve(report, by=users["MARA_CHAIR"])
    report = services.return_to_draft(report, by=users["MARA_CHAIR"], reason="One more sentence.")
    report = services.approve(report, by=users["MARA_CHAIR"])
    services.release(report, by=users["SWPA"])

    requested = events("report.generate_requested")
    assert [(e.username, e.detail["year"], e.detail["quarter"]) for e in requested] == [("swpa", 2026, 1)]
    assert [e.username for e in events("report.generate", report)] == ["swpa"]
    assert [e.username for e in events("report.edit", report)] == ["swpa"]
    assert events("report.edit", report)[0].detail["fields"] == ["analysis", "key_messages", "response"]
    assert [e.username for e in events("report.approve", report)] == ["mara_chair", "mara_chair"]
    returned = events("report.return_to_draft", report)
    assert [(e.username, e.reason) for e in returned] == [("mara_chair", "")]
    # The reason typed is kept with the report, encrypted: the trail holds no typed text.
    assert QuarterlyReport.objects.get(pk=report.pk).return_reason == "One more sentence."
    assert [e.username for e in events("report.release", report)] == ["swpa"]
    # The narrative is free text: it never goes into the trail.
    for event in AuditEvent.objects.filter(action__startswith="report."):
        assert KEY_MESSAGES not in str(event.detail) and KEY_MESSAGES not in event.reason


def test_release_stores_six_files_with_their_checksums_and_audits_them(draft, users):
    released = release(draft, users)
    files = list(ReportFile.objects.filter(report=released))
    assert sorted((f.edition, f.format, f.language) for f in files) == [
        (edition, fmt, language) for edition in ("EXTERNAL", "MARA_ROOM") for fmt in ("csv", "pdf", "xlsx")
        for language in ("en", "fr")]
    for f in files:
        assert f.sha256 == hashlib.sha256(bytes(f.content)).hexdigest() and f.size == len(bytes(f.content))
    assert bytes(next(f for f in files if f.format == "pdf").content).startswith(b"%PDF")
    (event,) = events("report.release", released)
    assert event.detail["sha256"] == {f"{f.edition}.{f.format}.{f.language}": f.sha256 for f in files}


def test_a_released_version_never_changes_through_the_services(draft, users):
    released = release(draft, users)
    with pytest.raises(services.ReleasedReportLocked):
        services.edit_narrative(released, by=users["SWPA"], expected_edit_version=released.edit_version,
                                key_messages="Rewritten", analysis="", response="")
    for step in (services.approve, services.return_to_draft, services.release):
        with pytest.raises(services.ReleasedReportLocked):
            step(released, by=users["SWPA"])
    released.key_messages = "Rewritten behind the services' back"
    with pytest.raises(services.ReleasedReportLocked):
        services.save_report(released, ["key_messages"])
    stored = QuarterlyReport.objects.get(pk=draft.pk)
    assert stored.status == ReportStatus.RELEASED and stored.key_messages == KEY_MESSAGES


def test_the_database_refuses_to_change_a_released_version_or_its_files(draft, users):
    released = release(draft, users)
    with pytest.raises(DatabaseError), transaction.atomic():
        QuarterlyReport.objects.filter(pk=released.pk).update(key_messages="Rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        QuarterlyReport.objects.filter(pk=released.pk).update(status=ReportStatus.SUPERSEDED)
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportFile.objects.filter(report=released).update(content=b"forged", sha256="0" * 64)
    stored = QuarterlyReport.objects.get(pk=released.pk)
    assert stored.key_messages == KEY_MESSAGES and stored.status == ReportStatus.RELEASED


def test_the_database_refuses_to_delete_a_released_version_or_its_files(draft, users):
    released = release(draft, users)
    files = ReportFile.objects.filter(report=released).count()
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportFile.objects.filter(report=released).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        # Raw, so that no foreign key of Django's gets in first: the trigger itself refuses.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reporting_quarterlyreport WHERE id = %s", [released.pk])
    assert QuarterlyReport.objects.filter(pk=released.pk).exists()
    assert ReportFile.objects.filter(report=released).count() == files == 12


def test_regenerating_after_release_makes_version_2_and_keeps_version_1_released_with_its_checksums(
        draft, users, mission, make_incident):
    v1 = release(draft, users)
    before = {(f.edition, f.format): (f.sha256, bytes(f.content)) for f in ReportFile.objects.filter(report=v1)}
    seed_quarter(make_incident, users, count=1, verified=0)  # a late report of the same quarter

    v2 = generate(mission, by=users["MARA_CHAIR"])

    assert (v2.version, v2.status) == (2, ReportStatus.DRAFT)
    v1 = QuarterlyReport.objects.get(pk=v1.pk)
    assert v1.status == ReportStatus.RELEASED
    after = {(f.edition, f.format): (f.sha256, bytes(f.content)) for f in ReportFile.objects.filter(report=v1)}
    assert after == before
    assert v2.key_messages == KEY_MESSAGES  # the narrative carries over, to be revised
    assert v2.figures["totals"]["incidents"] == v1.figures["totals"]["incidents"] + 1
    assert services.editions_for(users["LEADERSHIP"], v1) == ["EXTERNAL"]
    assert services.editions_for(users["LEADERSHIP"], v2) == []


def test_a_new_version_supersedes_drafts_and_approved_versions_of_the_quarter(draft, users, mission):
    services.approve(draft, by=users["MARA_CHAIR"])
    v2 = generate(mission)
    v3 = generate(mission)
    statuses = dict(QuarterlyReport.objects.values_list("version", "status"))
    assert statuses == {1: ReportStatus.SUPERSEDED, 2: ReportStatus.SUPERSEDED, 3: ReportStatus.DRAFT}
    assert (v2.version, v3.version) == (2, 3)
    (event,) = events("report.generate", v3)
    assert event.detail["superseded"] == [v2.pk]
    with pytest.raises(services.RuleError):
        services.approve(QuarterlyReport.objects.get(pk=draft.pk), by=users["SWPA"])
