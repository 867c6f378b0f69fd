"""Quarterly reports: the rules. Views, the Celery tasks and the management command call these.

Life of a version (docs/domain.md, "The MARA cycle"):

    generated (page, command, or the nightly draft once a quarter ends) -> DRAFT
    DRAFT -> APPROVED        SWPA or MARA chair, never the person who generated the version
    APPROVED -> DRAFT        the same roles (to change the text again)
    APPROVED -> RELEASED     the same roles; the twelve files (two editions, three formats, English and French) are
                             rendered and stored with their SHA-256 in the same transaction
    DRAFT/APPROVED -> SUPERSEDED   when a newer version of the quarter is generated

A released version never changes again (here, and in the database: migration
0002_released_reports_immutable refuses any UPDATE of a released row or of a stored file).
Regenerating a quarter makes a new version and keeps the released one, files and checksums
included. Every step, and every download, is audited.

Generating runs in Celery (`tasks.generate_report`) and is followed on a job page: `run_job`
commits its progress as it goes (short UPDATEs outside any long transaction) and makes at most one
version per job however often it is retried or restarted after a worker died.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from crsv_mis import access, audit, notify, outbox
from crsv_mis.models import Mission, User

from . import audience_audit, quarterly
from .models import Edition, FileFormat, JobState, QuarterlyReport, ReportFile, ReportJob, ReportStatus

log = logging.getLogger(__name__)

NARRATIVE_FIELDS = ("key_messages", "analysis", "response")
FIRST_YEAR = 2000
# Versions a newer version of the same quarter replaces; RELEASED ones stay released.
REPLACEABLE = (ReportStatus.DRAFT, ReportStatus.APPROVED)
ALL_EDITIONS = (Edition.MARA_ROOM, Edition.EXTERNAL)
ALL_FORMATS = (FileFormat.PDF, FileFormat.XLSX, FileFormat.CSV)

# What a person reads when a job failed: plain words, never the exception (it may quote SQL or data).
FAILED_MESSAGE = gettext_noop("The report could not be built. Try again; if it fails again, tell the "
                              "system administrator (the details are in the server log).")
FAILED_DATABASE_MESSAGE = gettext_noop("The report could not be built because the database did not answer. "
                                       "It is retried automatically; you can also try again.")


class RuleError(ValueError):
    """The step breaks a rule of the report's life; the message says which, for the person."""


class EditConflict(RuleError):
    """Someone else changed the report since this person loaded it."""


class ReleasedReportLocked(RuleError):
    """A released version never changes."""


class DisclosureAuditFailed(RuleError):
    """The version's tables, with those already released, would let a reader work out a small count
    (reporting.audience_audit)."""


# ---- reading


def reports_of(user):
    """The versions this person may open (access.quarterly_reports_visible_to)."""
    return access.quarterly_reports_visible_to(user)


def editions_for(user, report):
    """The editions of this version this person may download or read: the MARA room either edition
    of any version of their mission; leadership the edition that leaves the MARA room, of released
    versions only; everyone else nothing."""
    if report is None or user is None or getattr(user, "mission_id", None) != report.mission_id:
        return []
    if access.can_read_report_drafts(user):
        return [Edition.MARA_ROOM, Edition.EXTERNAL]
    if access.can_read_released_reports(user) and report.status == ReportStatus.RELEASED:
        return [Edition.EXTERNAL]
    return []


def reading_edition(user, report):
    """The edition shown on the page: the fullest the person may read."""
    editions = editions_for(user, report)
    return editions[0] if editions else None


def versions_of_quarter(user, report):
    """Every version of the report's quarter this person may open, newest first, with its files."""
    return (reports_of(user).filter(year=report.year, quarter=report.quarter)
            .select_related("generated_by", "approved_by", "released_by")
            .prefetch_related("files").order_by("-version"))


def quarters_overview(user):
    """The MARA room's list: one entry per quarter, newest first, with every version of it."""
    quarters = {}
    for report in (reports_of(user).select_related("generated_by", "approved_by", "released_by")
                   .order_by("-year", "-quarter", "-version")):
        quarters.setdefault((report.year, report.quarter), []).append(report)
    return [{"year": y, "quarter": q, "label": quarterly.quarter_label(y, q), "versions": versions}
            for (y, q), versions in quarters.items()]


def released_overview(user):
    """The leadership page: one entry per quarter with a released version, newest first: its latest
    released version ("current") and the earlier released ones."""
    quarters = {}
    for report in (reports_of(user).filter(status=ReportStatus.RELEASED)
                   .select_related("released_by").prefetch_related("files")
                   .order_by("-year", "-quarter", "-version")):
        quarters.setdefault((report.year, report.quarter), []).append(report)
    return [{"year": y, "quarter": q, "label": quarterly.quarter_label(y, q), "current": versions[0],
             "earlier": versions[1:]} for (y, q), versions in quarters.items()]


# ---- generating


def validate_quarter(year, quarter, today=None):
    """Refuse a quarter that does not exist or has not started."""
    today = today or timezone.localdate()
    if quarter not in (1, 2, 3, 4):
        raise RuleError(_("A quarter is 1, 2, 3 or 4."))
    if year < FIRST_YEAR:
        raise RuleError(_("Choose a year from %(first)d on.") % {"first": FIRST_YEAR})
    if quarterly.quarter_months(year, quarter)[0] > today:
        raise RuleError(_("%(quarter)s has not started yet: there is nothing to report.")
                        % {"quarter": quarterly.quarter_label(year, quarter)})


def start_job(*, mission, year, quarter, by=None, request=None, today=None):
    """Ask for a new version of a mission's report for a quarter. `by` None is the automatic draft
    (the nightly task or the management command). The version itself is built by run_job."""
    if by is not None and (not access.can_generate_reports(by) or by.mission_id != mission.pk):
        raise PermissionDenied
    validate_quarter(year, quarter, today)
    with transaction.atomic():
        job = ReportJob.objects.create(mission=mission, year=year, quarter=quarter, requested_by=by,
                                       step=gettext_noop("Waiting to start"))
        audit.record("report.generate_requested", user=by, obj=job, request=request,
                     detail={"mission": mission.code, "year": year, "quarter": quarter, "job": job.pk,
                             "automatic": by is None})
    return job


def start_job_in_background(*, mission, year, quarter, by, request=None):
    """start_job, with the Celery task that builds the version queued in the same transaction."""
    with transaction.atomic():
        job = start_job(mission=mission, year=year, quarter=quarter, by=by, request=request)
        queue_job(job)
    return job


def _set_progress(job_id, percent, step, state=None):
    """One short UPDATE, committed at once when not inside a transaction, so the page sees it."""
    values = {"progress": max(0, min(100, int(percent))), "step": str(step)[:200]}
    if state is not None:
        values["state"] = state
    ReportJob.objects.filter(pk=job_id, report__isnull=True).update(**values)


def run_job(job_id, echo=None):
    """Build the version the job asked for and return it. Safe to run again: a job that already made
    its version returns it; one that failed or whose worker died starts over. `echo(percent, step)`
    is called as well (the management command prints it)."""
    job = ReportJob.objects.select_related("mission", "report").get(pk=job_id)
    if job.report_id:
        return job.report

    def progress(percent, step):
        _set_progress(job_id, percent, step)
        if echo is not None:
            echo(percent, step)
        if settings.REPORT_STEP_PAUSE_SECONDS:
            # Test hook, 0 in production: lets the fault tests kill a worker while a version is built.
            time.sleep(settings.REPORT_STEP_PAUSE_SECONDS)

    try:
        ReportJob.objects.filter(pk=job_id, report__isnull=True).update(
            state=JobState.RUNNING, progress=0, step=gettext_noop("Starting"), error="", finished_at=None)
        progress(1, gettext_noop("Starting"))
        snapshot = quarterly.build(job.mission, job.year, job.quarter, progress=progress)
        progress(95, gettext_noop("Saving the version"))
        report = _save_version(job_id, snapshot)
    except Exception as error:
        log.exception("Report job %s failed", job_id)
        message = FAILED_DATABASE_MESSAGE if isinstance(error, DatabaseError) else FAILED_MESSAGE
        try:
            ReportJob.objects.filter(pk=job_id, report__isnull=True).update(
                state=JobState.FAILED, error=message, finished_at=timezone.now())
        except DatabaseError:
            log.exception("Could not mark report job %s as failed", job_id)
        raise
    if echo is not None:
        echo(100, gettext_noop("Done"))
    return report


def _save_version(job_id, snapshot):
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.report_id:
            # Another run of this job (a retry, or a redelivered task) finished first.
            return job.report
        # Versions of a mission are numbered one at a time: lock the mission row while counting.
        Mission.objects.select_for_update().only("pk").get(pk=job.mission_id)
        quarter = QuarterlyReport.objects.filter(mission_id=job.mission_id, year=job.year, quarter=job.quarter)
        latest = quarter.order_by("-version").first()
        version = (quarter.aggregate(n=Max("version"))["n"] or 0) + 1
        report = QuarterlyReport.objects.create(
            mission_id=job.mission_id, year=job.year, quarter=job.quarter, version=version,
            status=ReportStatus.DRAFT, figures=snapshot, generated_by=job.requested_by,
            # The narrative carries over from the latest earlier version, to be revised.
            **{f: getattr(latest, f) if latest else "" for f in NARRATIVE_FIELDS})
        # Locked, so that a release committing meanwhile is seen: a version released while this one
        # was built stays released.
        replaced = list(quarter.filter(status__in=REPLACEABLE).exclude(pk=report.pk).select_for_update()
                        .values_list("pk", flat=True))
        QuarterlyReport.objects.filter(pk__in=replaced, status__in=REPLACEABLE).update(
            status=ReportStatus.SUPERSEDED, edit_version=F("edit_version") + 1)
        job.report = report
        job.state = JobState.DONE
        job.progress = 100
        job.step = gettext_noop("Done")
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["report", "state", "progress", "step", "error", "finished_at"])
        audit.record("report.generate", user=job.requested_by, obj=report,
                     detail={"mission": report.mission.code, "year": report.year, "quarter": report.quarter,
                             "version": version, "job": job.pk, "automatic": job.requested_by_id is None,
                             "superseded": replaced})
        _notify_report_ready(job, report)
    return report


def _notify_report_ready(job, report):
    """Who asked for the version is told it is ready to read and approve; a nightly draft is for the
    report editors of the mission."""
    if job.requested_by_id:
        people = [job.requested_by]
    else:
        people = [u for u in User.objects.filter(is_active=True, mission_id=report.mission_id,
                                                 role__in=access.REPORT_EDITORS)]
    notify.notify(people, event_key=f"report:{report.pk}:ready", url=reverse("report_detail", args=[report.pk]),
                  text=lambda: _("Quarterly report %(year)s Q%(quarter)s, version %(version)s, is ready.") % {
                      "year": report.year, "quarter": report.quarter, "version": report.version},
                  action=pgettext_lazy("notification action", "Read and approve the report"))


def retry_job(job, *, by, request=None):
    """Put a failed job (or one still waiting because the queue was down) back in the queue."""
    if not access.can_generate_reports(by) or by.mission_id != job.mission_id:
        raise PermissionDenied
    with transaction.atomic():
        updated = ReportJob.objects.filter(
            pk=job.pk, report__isnull=True, state__in=(JobState.FAILED, JobState.QUEUED)
        ).update(state=JobState.QUEUED, progress=0, step=gettext_noop("Waiting to start"), error="",
                 finished_at=None)
        if not updated:
            raise RuleError(_("This job is running or done already."))
        audit.record("report.generate_retry", user=by, obj=job, request=request,
                     detail={"year": job.year, "quarter": job.quarter, "job": job.pk})
        queue_job(job)
    job.refresh_from_db()
    return job


def queue_job(job):
    """Hand the job to Celery through the outbox: sent once the request's transaction commits, kept
    and sent later if the broker is down (the job stays QUEUED meanwhile, and can be run again)."""
    from . import tasks

    outbox.enqueue(tasks.generate_report, job.pk)


def job_can_be_retried(job, now=None):
    if job.report_id:
        return False
    if job.state == JobState.FAILED:
        return True
    # A job still waiting half a minute after it was asked for: the queue is probably down.
    return job.state == JobState.QUEUED and ((now or timezone.now()) - job.created_at).total_seconds() > 30


# What the job page says for each step quarterly.build reports (its steps are plain English).
STEP_LABELS = {
    "Waiting to start": gettext_lazy("Waiting to start"),
    "Starting": gettext_lazy("Starting"),
    "Counting the quarter": gettext_lazy("Counting the quarter"),
    "Counting by form": gettext_lazy("Counting by form"),
    "Counting by admin1": gettext_lazy("Counting by province"),
    "Counting by party type": gettext_lazy("Counting by type of alleged perpetrator"),
    "Counting by party": gettext_lazy("Counting by alleged perpetrator party"),
    "Counting by victim group": gettext_lazy("Counting by victim group"),
    "Counting by verification status": gettext_lazy("Counting by verification status"),
    "Counting by site type": gettext_lazy("Counting by type of site"),
    "Comparing with earlier quarters": gettext_lazy("Comparing with earlier quarters"),
    "Hotspots and trend": gettext_lazy("Hotspots and trend"),
    "Referrals and alerts": gettext_lazy("Referrals and alerts"),
    "Commitments, recommendations and late additions": gettext_lazy(
        "Commitments, recommendations and late additions"),
    "Figures ready": gettext_lazy("Figures ready"),
    "Saving the version": gettext_lazy("Saving the version"),
    "Done": gettext_lazy("Done"),
}


def step_label(step):
    return STEP_LABELS.get(step, step)


def draft_ended_quarters(today=None):
    """The nightly task: every mission gets a draft of the last ended quarter if it has no version
    yet. Idempotent: a second run finds the version (or the automatic job that is making it) and
    makes nothing new. Returns the ids of the versions made."""
    today = today or timezone.localdate()
    year, quarter = quarterly.last_ended_quarter(today)
    made, failed = [], []
    for mission in Mission.objects.order_by("pk"):
        with transaction.atomic():
            # Two runs at once (a retry beside the next beat): the second waits here, then finds the
            # first one's job and runs that (run_job makes one version per job).
            Mission.objects.select_for_update().only("pk").get(pk=mission.pk)
            if QuarterlyReport.objects.filter(mission=mission, year=year, quarter=quarter).exists():
                continue
            job = (ReportJob.objects.filter(mission=mission, year=year, quarter=quarter, requested_by__isnull=True,
                                            report__isnull=True).order_by("pk").first()
                   or start_job(mission=mission, year=year, quarter=quarter, today=today))
        try:
            made.append(run_job(job.pk).pk)
        except DatabaseError:
            raise  # the task retries; the job is picked up again
        except Exception:
            failed.append(mission.code)  # logged by run_job; the other missions still get theirs
    if failed:
        log.error("No automatic draft of %s for mission(s) %s", quarterly.quarter_label(year, quarter),
                  ", ".join(failed))
    return made


# ---- the workflow


def _require(allowed, user, report):
    # The views check too; the service refuses on its own so a script or a task cannot skip it.
    if not allowed(user) or user.mission_id != report.mission_id:
        raise PermissionDenied


def _locked(report):
    """The stored row, locked for the rest of the transaction; refuses a released version."""
    stored = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
    if stored.status == ReportStatus.RELEASED:
        raise ReleasedReportLocked(_("This version was released: it never changes. Generate a new version "
                                     "to report again on this quarter."))
    return stored


def save_report(report, fields):
    """The one way this module writes a version's row: refuses a released version (the database
    refuses it too, see the module docstring)."""
    with transaction.atomic():
        _locked(report)
        report.save(update_fields=list(fields))
    return report


def _copy(source, target):
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def edit_narrative(report, *, by, expected_edit_version, key_messages, analysis, response, request=None):
    """Save the narrative of a draft. Refused when someone saved since `expected_edit_version` was
    read, or when the version is no longer a draft."""
    _require(access.can_edit_report_narrative, by, report)
    values = {"key_messages": (key_messages or "").strip(), "analysis": (analysis or "").strip(),
              "response": (response or "").strip()}
    with transaction.atomic():
        stored = _locked(report)
        if stored.status != ReportStatus.DRAFT:
            raise RuleError(_("Only a draft's text can change: this version is %(status)s.")
                            % {"status": stored.get_status_display()})
        if stored.edit_version != expected_edit_version:
            raise EditConflict(_("Someone else changed this report while you were editing it."))
        changed = sorted(f for f in NARRATIVE_FIELDS if getattr(stored, f) != values[f])
        for name, value in values.items():
            setattr(stored, name, value)
        stored.edit_version += 1
        save_report(stored, [*NARRATIVE_FIELDS, "edit_version"])
        audit.record("report.edit", user=by, obj=stored, request=request,
                     detail={"year": stored.year, "quarter": stored.quarter, "version": stored.version,
                             "fields": changed, "edit_version": stored.edit_version})
    return _copy(stored, report)


def approve(report, *, by, expected_edit_version=None, request=None):
    """DRAFT -> APPROVED, by the SWPA or the MARA chair who did not generate this version.
    `expected_edit_version` (what the person read) guards against approving text they did not see."""
    _require(access.can_approve_reports, by, report)
    with transaction.atomic():
        stored = _locked(report)
        if stored.status != ReportStatus.DRAFT:
            raise RuleError(_("Only a draft can be approved: this version is %(status)s.")
                            % {"status": stored.get_status_display()})
        if expected_edit_version is not None and stored.edit_version != expected_edit_version:
            raise EditConflict(_("The text changed since you loaded the page. Read it again before approving."))
        if stored.generated_by_id is not None and stored.generated_by_id == by.pk:
            raise RuleError(_("You generated this version: someone else (the SWPA or the MARA chair) approves it."))
        if not stored.key_messages.strip():
            raise RuleError(_("Write the key messages before approving."))
        stored.status = ReportStatus.APPROVED
        stored.approved_by = by
        stored.approved_at = timezone.now()
        stored.edit_version += 1
        save_report(stored, ["status", "approved_by", "approved_at", "edit_version"])
        audit.record("report.approve", user=by, obj=stored, request=request,
                     detail={"year": stored.year, "quarter": stored.quarter, "version": stored.version,
                             "edit_version": stored.edit_version})
    return _copy(stored, report)


def return_to_draft(report, *, by, reason="", request=None):
    """APPROVED -> DRAFT (to change the text again); the approval is withdrawn."""
    _require(access.can_approve_reports, by, report)
    with transaction.atomic():
        stored = _locked(report)
        if stored.status != ReportStatus.APPROVED:
            raise RuleError(_("Only an approved version can go back to draft: this version is %(status)s.")
                            % {"status": stored.get_status_display()})
        stored.status = ReportStatus.DRAFT
        stored.approved_by = None
        stored.approved_at = None
        stored.edit_version += 1
        stored.return_reason = (reason or "").strip()
        save_report(stored, ["status", "approved_by", "approved_at", "edit_version", "return_reason"])
        audit.record("report.return_to_draft", user=by, obj=stored, request=request,
                     detail={"year": stored.year, "quarter": stored.quarter, "version": stored.version,
                             "edit_version": stored.edit_version})
    return _copy(stored, report)


def release(report, *, by, request=None):
    """APPROVED -> RELEASED: the files (each edition and format, in each language) are rendered and
    stored with their checksums in the same transaction, so a released version always has them and
    every download is these bytes, in the reader's language.

    Refused (DisclosureAuditFailed, audited) when the edition that leaves the MARA room, with the
    versions already released, would let a reader work out a small count (reporting.audience_audit)."""
    _require(access.can_release_reports, by, report)
    with transaction.atomic():
        stored = _locked(report)
        if stored.status != ReportStatus.APPROVED:
            raise RuleError(_("Only an approved version can be released: this version is %(status)s.")
                            % {"status": stored.get_status_display()})
        given_away = audience_audit.release_failures(stored)
        if not given_away:
            _release(stored, by, request)
    if given_away:
        audit.record("report.release_refused", user=by, obj=stored, request=request,
                     detail={"year": stored.year, "quarter": stored.quarter, "version": stored.version,
                             "disclosure_audit": [{"count": f.name, "low": f.low, "high": f.high}
                                                  for f in given_away]})
        raise DisclosureAuditFailed(_(
            "This version cannot be released: a reader of the edition that leaves the MARA room could work "
            "out %(count)d small count(s) from the figures shown, with those already released (%(cells)s). "
            "Tell the system administrator: small-cell suppression must withhold more before it is released.")
            % {"count": len(given_away), "cells": "; ".join(_where(f) for f in given_away[:5])})
    return _copy(stored, report)


def _where(failure):
    """A failed count as the person releasing reads it: the version, table, row and column where shown."""
    return ", ".join(" / ".join(str(part) for part in shown.where) for shown in failure.shown[:1])


def _release(stored, by, request):
    """The release itself, once the disclosure audit passed (inside release's transaction)."""
    from . import render

    stored.status = ReportStatus.RELEASED
    stored.released_by = by
    stored.released_at = timezone.now()
    stored.edit_version += 1
    # Rendered as released (the files say so), before the row is saved and locked for good.
    checksums = {}
    files = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for edition in ALL_EDITIONS:
                for fmt in ALL_FORMATS:
                    data = render.render_file(stored, edition, fmt)
                    digest = render.checksum(data)
                    files.append(ReportFile(report=stored, edition=edition, format=fmt, language=language,
                                            content=data, sha256=digest, size=len(data)))
                    checksums[f"{edition}.{fmt}.{language}"] = digest
    save_report(stored, ["status", "released_by", "released_at", "edit_version"])
    ReportFile.objects.bulk_create(files)
    audit.record("report.release", user=by, obj=stored, request=request,
                 detail={"year": stored.year, "quarter": stored.quarter, "version": stored.version,
                         "sha256": checksums})


# ---- downloads


def _released_file(report, edition, fmt):
    """The stored file in the active language (the reader's); a version released before files were
    kept per language has its English file only."""
    files = ReportFile.objects.filter(report=report, edition=edition, format=fmt)
    language = translation.get_language() or settings.LANGUAGE_CODE
    return files.filter(language=language[:2]).first() or files.get(language=settings.LANGUAGE_CODE)


def download(report, *, edition, fmt, user, request=None):
    """(bytes, filename, content_type, sha256) of one edition and format of a version. A released
    version gives its stored file; any other is rendered now (a working copy). Audited with the
    checksum of exactly the bytes returned."""
    from . import render

    if edition not in editions_for(user, report) or fmt not in FileFormat.values:
        raise PermissionDenied
    if report.status == ReportStatus.RELEASED:
        stored = _released_file(report, edition, fmt)
        data, digest = bytes(stored.content), stored.sha256
    else:
        data = render.render_file(report, edition, fmt)
        digest = render.checksum(data)
    audit.record("report.download", user=user, obj=report, request=request,
                 detail={"year": report.year, "quarter": report.quarter, "version": report.version,
                         "status": report.status, "edition": edition, "format": fmt, "sha256": digest,
                         "language": translation.get_language(),
                         "size": len(data)})
    return data, render.filename(report, edition, fmt), render.CONTENT_TYPES[fmt], digest
