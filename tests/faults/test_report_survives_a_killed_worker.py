"""A Celery worker killed in the middle of building a report version: the job finishes on the next
worker, once, with one version (acks_late, reject on worker lost, the Redis visibility timeout, and
run_job's one-version-per-job rule in reporting/services.py).

Real worker processes (`celery -A crsv_mis worker`) on a Redis of the test's own; the generation is
slowed by the REPORT_STEP_PAUSE_SECONDS test hook so that the kill lands in the middle of it.
"""

import os
import signal

import pytest
from django.db import connection
from django.utils import timezone

from reporting import services
from reporting.models import JobState, QuarterlyReport
from tests.servers import CeleryWorkerProcess, app_environment, wait_for


@pytest.fixture
def worker_environment(own_redis, tmp_path):
    env = app_environment(connection.settings_dict["NAME"], REDIS_URL=own_redis.url,
                          REPORT_STEP_PAUSE_SECONDS="0.5", CELERY_VISIBILITY_TIMEOUT="5")
    return env, tmp_path / "worker.log"


@pytest.fixture
def workers(worker_environment):
    env, log = worker_environment
    started = []

    def _start():
        worker = CeleryWorkerProcess(env, log)
        worker.start()
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop()


def quarter_of_today():
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def building(job):
    job.refresh_from_db()
    return job.state == JobState.RUNNING and job.progress >= 10


def done(job):
    job.refresh_from_db()
    return job.state == JobState.DONE


def request_version(users):
    year, quarter = quarter_of_today()
    swpa = users["SWPA"]
    return services.start_job_in_background(mission=swpa.mission, year=year, quarter=quarter, by=swpa)


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_mid_way_finishes_on_the_next_worker_with_one_version(
        workers, users, make_incident, worker_environment):
    make_incident()
    make_incident(station="south", by="HRO_SOUTH")
    first = workers()
    job = request_version(users)
    assert wait_for(lambda: building(job), timeout=90), worker_environment[1].read_text()

    first.kill()
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.report_id is None

    workers()
    assert wait_for(lambda: done(job), timeout=120), worker_environment[1].read_text()
    year, quarter = quarter_of_today()
    versions = QuarterlyReport.objects.filter(mission=users["SWPA"].mission, year=year, quarter=quarter)
    assert versions.count() == 1
    assert job.report == versions.get() and job.report.version == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_pool_process_dies_is_run_again_by_the_same_worker_with_one_version(
        workers, users, make_incident, worker_environment):
    make_incident()
    worker = workers()
    job = request_version(users)
    assert wait_for(lambda: building(job), timeout=90), worker_environment[1].read_text()

    # The process building the report dies (out of memory, say); the worker itself lives on.
    pool_process = next(pid for pid in child_pids(worker.process.pid))
    os.kill(pool_process, signal.SIGKILL)

    assert wait_for(lambda: done(job), timeout=120), worker_environment[1].read_text()
    assert QuarterlyReport.objects.filter(mission=users["SWPA"].mission).count() == 1


def child_pids(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]
