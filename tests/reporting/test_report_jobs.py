"""Generating a version is a job followed on a page: progress is committed as it goes, the job makes
at most one version however often it runs (Celery retries, a redelivered task after a worker died),
and a failure leaves the job FAILED with plain words for the person, never the exception."""

import datetime
import time

import pytest
from django.db import connection

from crsv_mis.models import AuditEvent
from reporting import services, tasks
from reporting.models import JobState, QuarterlyReport, ReportJob, ReportStatus
from tests.reporting.report_fixtures import seed_quarter


def wait_until(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def job(mission, users, make_incident):
    seed_quarter(make_incident, users, count=2)
    return services.start_job(mission=mission, year=2026, quarter=1, by=users["SWPA"])


def test_it_makes_one_version_however_often_the_job_runs(job):
    first = services.run_job(job.pk)
    again = services.run_job(job.pk)
    assert first.pk == again.pk
    assert QuarterlyReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.generate").count() == 1
    job.refresh_from_db()
    assert (job.state, job.progress, job.report_id) == (JobState.DONE, 100, first.pk)
    assert job.finished_at is not None


def test_it_starts_over_when_the_worker_died_mid_way(job):
    # What a worker killed while counting leaves behind: RUNNING, half way, no version.
    ReportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress=45, step="Comparing with earlier "
                                               "quarters")
    report = services.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.report == report
    assert list(QuarterlyReport.objects.values_list("version", "status")) == [(1, ReportStatus.DRAFT)]


@pytest.mark.django_db(transaction=True)
def test_progress_is_committed_as_the_job_advances(job):
    seen = []

    def watch(percent, step):
        # Outside any transaction: each update is committed, so the job page (another request) sees it.
        assert not connection.in_atomic_block
        stored = ReportJob.objects.get(pk=job.pk)
        seen.append((stored.state, stored.progress, stored.step))

    services.run_job(job.pk, echo=watch)

    running = [s for s in seen if s[0] == JobState.RUNNING]
    assert len(running) >= 8
    assert [p for _s, p, _t in running] == sorted(p for _s, p, _t in running)
    assert ("RUNNING", 45, "Comparing with earlier quarters") in seen
    assert ReportJob.objects.get(pk=job.pk).state == JobState.DONE


def test_a_step_of_the_build_is_shown_in_plain_words():
    assert str(services.step_label("Counting by admin1")) == "Counting by province"
    assert str(services.step_label("Something new")) == "Something new"


def test_a_failure_marks_the_job_failed_with_a_plain_message_and_is_raised(mission):
    # A job row that cannot be built (quarter 5 does not exist): start_job would refuse it.
    broken = ReportJob.objects.create(mission=mission, year=2026, quarter=5)
    with pytest.raises(ValueError):
        services.run_job(broken.pk)
    broken.refresh_from_db()
    assert broken.state == JobState.FAILED and broken.finished_at is not None
    assert broken.error == services.FAILED_MESSAGE
    assert "Traceback" not in broken.error and "ValueError" not in broken.error and "month" not in broken.error
    assert broken.report is None and not QuarterlyReport.objects.exists()


def test_a_failed_job_can_be_run_again_and_then_makes_its_version(job, users):
    ReportJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, error=services.FAILED_MESSAGE)
    services.retry_job(job, by=users["MARA_CHAIR"])
    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.QUEUED, "")
    assert services.run_job(job.pk).version == 1
    with pytest.raises(services.RuleError):
        services.retry_job(job, by=users["MARA_CHAIR"])  # done: nothing to run again
    assert AuditEvent.objects.filter(action="report.generate_retry", username="mara_chair").count() == 1


@pytest.mark.parametrize("year, quarter", [(2027, 1), (2026, 5), (2026, 0), (1999, 4)])
def test_it_refuses_a_quarter_that_has_not_started_or_does_not_exist(mission, users, year, quarter):
    with pytest.raises(services.RuleError):
        services.start_job(mission=mission, year=year, quarter=quarter, by=users["SWPA"],
                           today=datetime.date(2026, 11, 22))
    assert not ReportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="report.generate_requested").exists()


def test_the_current_quarter_can_be_generated_once_it_has_started(mission, users):
    job = services.start_job(mission=mission, year=2026, quarter=4, by=users["MARA_CHAIR"],
                             today=datetime.date(2026, 10, 1))
    assert job.state == JobState.QUEUED
    (event,) = AuditEvent.objects.filter(action="report.generate_requested")
    assert (event.username, event.detail["year"], event.detail["quarter"]) == ("mara_chair", 2026, 4)


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_builds_the_version(celery_worker, job):
    tasks.generate_report.delay(job.pk)
    assert wait_until(lambda: ReportJob.objects.get(pk=job.pk).state == JobState.DONE), \
        ReportJob.objects.get(pk=job.pk).state
    tasks.generate_report.delay(job.pk)  # a redelivered task: still one version
    assert wait_until(lambda: not ReportJob.objects.filter(pk=job.pk, state=JobState.RUNNING).exists())
    time.sleep(0.5)
    assert QuarterlyReport.objects.count() == 1
