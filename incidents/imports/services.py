"""The life of an import: upload -> check -> (the person chooses) -> import, or discard.

    CHECKING  -> CHECKED (report ready) or FAILED (the file cannot be read)
    CHECKED   -> IMPORTING (a mode chosen) or DISCARDED
    IMPORTING -> DONE, or CHECKED again when rows no longer pass (the records changed meanwhile)

The file is kept encrypted (ImportFile) only while needed: until it is checked; then the rows as
read (so that the import does not read the file again), until the import is done or discarded; in
valid-rows mode the "to fix" file of the rejected rows is kept, encrypted, until the
person discards it. Celery tasks get the import's id only. Checking and importing are safe to run
twice: each starts only from its own state, and the writing holds the import's row lock.

Audit: one event per step (upload, check, import with its counts and the file's SHA-256, download
of the to-fix file, discard), never one per row; `Incident.source_import` finds every incident of
an import and `source_row` its row.
"""

import base64
import datetime
import functools
import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from crsv_mis import access, audit, outbox

from ..models import ImportFile, ImportMode, ImportState, IncidentImport
from . import checking, fixfile, reading, writing

log = logging.getLogger(__name__)
RETRIED_ERRORS = (OperationalError, InterfaceError)
MAX_REPORT_ITEMS = 10_000
FAILED_MESSAGE = gettext_noop("The import stopped because of an error on the server; nothing was written. "
                              "Try again; if it fails again, tell the system administrator.")


class RuleError(ValueError):
    """The step is not allowed now; the message says why, for the person."""


def inline_limit():
    """Files up to this size are checked and imported in the request (a few hundred rows take well under
    a second); larger ones go to Celery with a progress bar."""
    return getattr(settings, "IMPORT_INLINE_MAX_BYTES", 200_000)


# ---- progress, kept in the cache: the import's own row is locked and its changes invisible until the
# writing transaction commits.


def _progress_key(import_id):
    return f"incident-import-progress-{import_id}"


def set_progress(import_id, percent, step):
    cache.set(_progress_key(import_id), {"percent": int(percent), "step": str(step)}, 24 * 3600)


def progress_of(incident_import):
    found = cache.get(_progress_key(incident_import.pk))
    if incident_import.state in (ImportState.CHECKING, ImportState.IMPORTING) and found:
        return found
    return {"percent": incident_import.progress, "step": incident_import.get_state_display()}


# ---- the stored file


def _store(data):
    return base64.b64encode(data).decode("ascii")


def _kept(incident_import, field):
    """What the import keeps in `field` of its ImportFile, or a RuleError when it is gone."""
    stored = ImportFile.objects.filter(incident_import=incident_import).first()
    if stored is None or not getattr(stored, field):
        raise RuleError(_("The file of this import is no longer kept: upload it again."))
    return getattr(stored, field)


def _load(incident_import):
    return base64.b64decode(_kept(incident_import, "content"))


def file_kept(incident_import):
    stored = ImportFile.objects.filter(incident_import=incident_import)
    return stored.exclude(content="").exists() or stored.exclude(rows="").exists()


def _load_rows(incident_import):
    """The rows the check read (the file itself is no longer kept by then)."""
    return reading.loads(_kept(incident_import, "rows"))


def fix_file_of(incident_import):
    stored = ImportFile.objects.filter(incident_import=incident_import).first()
    return base64.b64decode(stored.fix_file) if stored and stored.fix_file else None


def checksum(data):
    return hashlib.sha256(data).hexdigest()


# ---- steps


def upload(*, by, file_name, data, request=None):
    """Keep the file (encrypted) and open an import for it. The check runs next (run_or_queue)."""
    if not access.can_import_incidents(by):
        raise PermissionDenied
    if not data:
        raise RuleError(_("The file is empty."))
    with transaction.atomic():
        incident_import = IncidentImport.objects.create(
            mission_id=by.mission_id, created_by=by, file_name=(file_name or "upload")[-200:],
            sha256=checksum(data), size=len(data), state=ImportState.CHECKING)
        ImportFile.objects.create(incident_import=incident_import, content=_store(data))
        audit.record("incident_import.upload", user=by, obj=incident_import, request=request,
                     detail={"sha256": incident_import.sha256, "bytes": len(data)})
    return incident_import


def report_of(sheet, result):
    problems = [p.as_dict() for number in sorted(result.rejected) for p in result.rejected[number]]
    duplicates = [{"row": p.first_row, "rows": p.rows, "reason": p.duplicate_of} for p in result.duplicates]
    return {
        "file_kind": sheet.kind,
        "ignored_headers": sheet.ignored_headers[:50],
        "problems": problems[:MAX_REPORT_ITEMS],
        "problems_total": len(problems),
        "skipped": result.skipped[:MAX_REPORT_ITEMS],
        "duplicates": duplicates[:MAX_REPORT_ITEMS],
    }


def read_and_check(data, file_name, mission, progress=None):
    sheet = reading.read(data, file_name)
    return sheet, checking.check(sheet, mission, progress=progress)


def _counts(result):
    return {
        "rows_total": result.rows_total, "rows_valid": result.rows_valid, "rows_invalid": result.rows_invalid,
        "rows_skipped": len(result.skipped), "rows_duplicate": result.rows_duplicate,
        "incidents_valid": len(result.incidents),
    }


def in_importers_language(step):
    """Run a step in the language of the person who uploaded the file, so that the reasons of the report
    read in it whatever language the worker (or the page of another person) runs in."""
    @functools.wraps(step)
    def run(import_id, *args, **kwargs):
        language = (IncidentImport.objects.filter(pk=import_id).values_list("created_by__language", flat=True)
                    .first())
        with translation.override(language or settings.LANGUAGE_CODE):
            return step(import_id, *args, **kwargs)
    return run


@in_importers_language
def check_import(import_id):
    """Read and check the file; store the report. Writes no incident."""
    incident_import = IncidentImport.objects.select_related("mission", "created_by").get(pk=import_id)
    if incident_import.state != ImportState.CHECKING:
        return incident_import
    set_progress(import_id, 1, gettext_noop("Reading the file"))
    try:
        data = _load(incident_import)
        sheet, result = read_and_check(
            data, incident_import.file_name, incident_import.mission,
            progress=lambda done, total: set_progress(import_id, 5 + 90 * done // max(total, 1),
                                                      gettext_noop("Checking the rows")))
    except (reading.FileError, RuleError) as error:
        _fail(incident_import, str(error), step="check")
        return incident_import
    except RETRIED_ERRORS:
        raise
    except Exception:
        log.exception("Checking import %s failed", import_id)
        _fail(incident_import, _(FAILED_MESSAGE), step="check", keep_file=True)
        return incident_import
    counts = _counts(result)
    with transaction.atomic():
        # From here on the rows as read are kept instead of the file: what the import needs, no more.
        ImportFile.objects.filter(incident_import=incident_import).update(
            content="", rows=reading.dumps(sheet))
        IncidentImport.objects.filter(pk=import_id, state=ImportState.CHECKING).update(
            state=ImportState.CHECKED, progress=100, report=json.dumps(report_of(sheet, result)), error="",
            **counts)
    audit.record("incident_import.check", user=incident_import.created_by, obj=incident_import,
                 detail={"sha256": incident_import.sha256, **counts})
    incident_import.refresh_from_db()
    return incident_import


def _fail(incident_import, message, *, step, keep_file=False):
    """Stop with a message in plain words. An unreadable file is dropped at once; after a server error it
    is kept, so that the step can be run again (retry)."""
    IncidentImport.objects.filter(pk=incident_import.pk).update(
        state=ImportState.FAILED, error=message[:500], finished_at=timezone.now())
    if not keep_file:
        ImportFile.objects.filter(incident_import=incident_import).delete()
    audit.record(f"incident_import.{step}_failed", user=incident_import.created_by, obj=incident_import,
                 detail={"sha256": incident_import.sha256})
    incident_import.refresh_from_db()


def choose(incident_import, *, by, mode, include_duplicates=False, request=None):
    """The person's choice after reading the report. The writing runs next (run_or_queue)."""
    mode = ImportMode(mode)
    with transaction.atomic():
        locked = IncidentImport.objects.select_for_update().get(pk=incident_import.pk)
        if locked.state != ImportState.CHECKED:
            raise RuleError(_("This import is not waiting for a choice any more."))
        if mode == ImportMode.ALL_OR_NOTHING and locked.rows_invalid:
            raise RuleError(ngettext(
                "%(n)s row has errors, so nothing can be imported yet. Fix it and upload the file again, or "
                "choose to import the valid rows.",
                "%(n)s rows have errors, so nothing can be imported yet. Fix them and upload the file again, or "
                "choose to import the valid rows.", locked.rows_invalid) % {"n": locked.rows_invalid})
        if not locked.incidents_valid and not (include_duplicates and locked.rows_duplicate):
            raise RuleError(_("No row can be imported: fix the rows in the report and upload the file again."))
        locked.state, locked.mode, locked.include_duplicates = ImportState.IMPORTING, mode, include_duplicates
        locked.progress, locked.error = 0, ""
        locked.save(update_fields=["state", "mode", "include_duplicates", "progress", "error"])
        audit.record("incident_import.confirm", user=by, obj=locked, request=request,
                     detail={"mode": mode.value, "include_duplicates": include_duplicates})
    return locked


@in_importers_language
def run_import(import_id, echo=None):
    """Check the file again (records may have changed since) and write its incidents in one
    transaction: all of them, or, in valid-rows mode, the valid ones, keeping a to-fix file of the rest."""
    incident_import = IncidentImport.objects.select_related("mission", "created_by").get(pk=import_id)
    if incident_import.state != ImportState.IMPORTING:
        return incident_import

    def progress(percent, step):
        set_progress(import_id, percent, step)
        if echo:
            echo(percent, step)

    try:
        progress(1, gettext_noop("Reading the file"))
        sheet = _load_rows(incident_import)
        result = checking.check(sheet, incident_import.mission, progress=lambda done, total: progress(
            2 + 38 * done // max(total, 1), gettext_noop("Checking the rows")))
        valid_rows_mode = incident_import.mode == ImportMode.VALID_ROWS
        if not valid_rows_mode and result.rows_invalid:
            counts = _counts(result)
            IncidentImport.objects.filter(pk=import_id, state=ImportState.IMPORTING).update(
                state=ImportState.CHECKED, report=json.dumps(report_of(sheet, result)), **counts,
                error=_("Since the check, some rows no longer pass (the records changed meanwhile). Nothing was "
                        "written: read the report again."))
            incident_import.refresh_from_db()
            return incident_import
        planned = result.incidents + (result.duplicates if incident_import.include_duplicates else [])
        with transaction.atomic():
            locked = IncidentImport.objects.select_for_update().get(pk=import_id)
            if locked.state != ImportState.IMPORTING:
                return locked  # another run of the same task finished first
            written = writing.write(planned, mission=incident_import.mission, by=incident_import.created_by,
                                    incident_import=locked,
                                    progress=lambda done, total: progress(40 + 55 * done // max(total, 1),
                                                                          gettext_noop("Writing the incidents")))
            left_out = {n: [_reason(p) for p in problems] for n, problems in result.rejected.items()}
            if not incident_import.include_duplicates:
                for p in result.duplicates:
                    for number in p.rows:
                        left_out[number] = [p.duplicate_of]
            fix = None
            if valid_rows_mode and left_out:
                fix = fixfile.build(sheet, left_out)  # in the importer's language (in_importers_language)
            stored = ImportFile.objects.get(incident_import=locked)
            if fix:
                stored.content, stored.rows, stored.fix_file = "", "", _store(fix)
                stored.save()
            else:
                stored.delete()
            counts = _counts(result)
            rows_written = sum(len(p.rows) for p in planned)
            IncidentImport.objects.filter(pk=import_id).update(
                state=ImportState.DONE, progress=100, rows_written=rows_written, incidents_written=written,
                finished_at=timezone.now(), report=json.dumps(report_of(sheet, result)), error="", **counts)
            references = list(locked.incidents.order_by("id").values_list("reference", flat=True)[:1]) + list(
                locked.incidents.order_by("-id").values_list("reference", flat=True)[:1])
            audit.record("incident_import.import", user=incident_import.created_by, obj=locked, detail={
                "sha256": incident_import.sha256, "mode": incident_import.mode,
                "include_duplicates": incident_import.include_duplicates, "incidents_written": written,
                "rows_written": rows_written, "rows_left_out": len(left_out), **counts,
                "first_reference": references[0] if references else "",
                "last_reference": references[-1] if references else "",
            })
    except RETRIED_ERRORS:
        raise
    except RuleError as error:
        _fail(incident_import, str(error), step="import")
        return incident_import
    except Exception:
        log.exception("Import %s failed; nothing was written", import_id)
        _fail(incident_import, _(FAILED_MESSAGE), step="import", keep_file=True)
        return incident_import
    progress(100, gettext_noop("Done"))
    incident_import.refresh_from_db()
    return incident_import


def _reason(problem):
    column = checking.BY_KEY.get(problem.column)
    if column is None:
        return problem.reason
    return _("%(column)s: %(reason)s") % {"column": column.label, "reason": problem.reason}


def download_fix_file(incident_import, *, by, request=None):
    data = fix_file_of(incident_import)
    if data is None:
        raise RuleError(_("There is no file of rows to fix for this import (or it was discarded)."))
    audit.record("incident_import.fix_file_download", user=by, obj=incident_import, request=request,
                 detail={"sha256": checksum(data), "rows": incident_import.rows_total - incident_import.rows_written
                         - incident_import.rows_skipped})
    return data, f"to-fix-import-{incident_import.pk}.xlsx"


def discard(incident_import, *, by, request=None):
    """Drop the kept file (and the to-fix file). A checked import that was never run is closed."""
    with transaction.atomic():
        locked = IncidentImport.objects.select_for_update().get(pk=incident_import.pk)
        if locked.state in (ImportState.CHECKING, ImportState.IMPORTING):
            raise RuleError(_("Wait until this step is over."))
        ImportFile.objects.filter(incident_import=locked).delete()
        if locked.state == ImportState.CHECKED:
            locked.state = ImportState.DISCARDED
            locked.finished_at = timezone.now()
            locked.save(update_fields=["state", "finished_at"])
        audit.record("incident_import.discard", user=by, obj=locked, request=request,
                     detail={"sha256": locked.sha256, "state": locked.state})
    return locked


def keep_days():
    return getattr(settings, "IMPORT_FILE_KEEP_DAYS", 14)


def drop_forgotten_files(now=None):
    """Nightly: the kept file, rows and to-fix file of an import nobody touched for IMPORT_FILE_KEEP_DAYS
    are deleted (they hold survivor data and would otherwise stay for ever); a checked import never run
    is closed as discarded. Running steps are left alone. Returns how many imports lost their files."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days())
    forgotten = (IncidentImport.objects.filter(stored__isnull=False)
                 .exclude(state__in=(ImportState.CHECKING, ImportState.IMPORTING))
                 .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)))
    dropped = 0
    for import_id in forgotten.values_list("pk", flat=True):
        with transaction.atomic():
            locked = IncidentImport.objects.select_for_update().get(pk=import_id)
            if locked.state in (ImportState.CHECKING, ImportState.IMPORTING):
                continue
            ImportFile.objects.filter(incident_import=locked).delete()
            if locked.state == ImportState.CHECKED:
                locked.state = ImportState.DISCARDED
                locked.finished_at = timezone.now()
                locked.save(update_fields=["state", "finished_at"])
            audit.record("incident_import.files_expired", obj=locked,
                         detail={"sha256": locked.sha256, "state": locked.state, "kept_days": keep_days()})
            dropped += 1
    return dropped


def retry(incident_import, *, by, request=None):
    """Run a step again whose task was lost (a broker outage) or that stopped on an error."""
    with transaction.atomic():
        locked = IncidentImport.objects.select_for_update().get(pk=incident_import.pk)
        if locked.state == ImportState.FAILED:
            if not file_kept(locked):
                raise RuleError(_("The file of this import is no longer kept: upload it again."))
            locked.state = ImportState.IMPORTING if locked.mode else ImportState.CHECKING
            locked.error = ""
            locked.save(update_fields=["state", "error"])
        elif locked.state not in (ImportState.CHECKING, ImportState.IMPORTING):
            raise RuleError(_("This import is not waiting for anything."))
        audit.record("incident_import.retry", user=by, obj=locked, request=request, detail={"state": locked.state})
    return locked


def run_or_queue(incident_import):
    """Small files: the step runs now, in the request. Large ones: Celery, once the request commits."""
    step = check_import if incident_import.state == ImportState.CHECKING else run_import
    if incident_import.size <= inline_limit():
        return step(incident_import.pk)
    from .. import tasks

    task = tasks.check_import if step is check_import else tasks.run_import
    # Through the outbox: kept and sent later if the broker is down (the page's "Run again" still works).
    outbox.enqueue(task, incident_import.pk)
    return incident_import


def report(incident_import):
    return json.loads(incident_import.report) if incident_import.report else {}
