"""Helpers shared by the quarterly report tests (and the leadership browser test): a quarter with
verified incidents, versions generated and released through reporting.services."""

import contextlib
import datetime
from unittest import mock

from mara.services.verification import decide_verification
from reporting import audience_audit, services
from tests.conftest import victim_data

YEAR, QUARTER = 2026, 1
KEY_MESSAGES = "Attacks on women at water points rose in Northmark."


def seed_quarter(make_incident, users, *, count=6, verified=6):
    """`count` incidents in 2026 Q1 (January to March), one woman each, attributed to the conftest
    party; the first `verified` of them verified by the MARA chair.

    One victim each: with two, six incidents (two a month) have four victims a month, and "<5" for
    each month beside the quarter's 12 victims would give every month away (the release's
    disclosure audit refuses it)."""
    incidents = []
    for i in range(count):
        incident = make_incident(incident_date=datetime.date(2026, 1 + i % 3, 5 + i), victims=[victim_data()])
        if i < verified:
            decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED",
                                rationale="Two consistent accounts.")
        incidents.append(incident)
    return incidents


def generate(mission, by=None, year=YEAR, quarter=QUARTER):
    job = services.start_job(mission=mission, year=year, quarter=quarter, by=by)
    return services.run_job(job.pk)


def write_key_messages(report, user, text=KEY_MESSAGES):
    return services.edit_narrative(report, by=user, expected_edit_version=report.edit_version, key_messages=text,
                                   analysis="Mostly non-state armed groups.", response="Patrols at water points.")


def release(report, users, approver="MARA_CHAIR"):
    """Write the key messages, approve and release (by someone who did not generate the version)."""
    report = write_key_messages(report, users["SWPA"])
    report = services.approve(report, by=users[approver])
    return services.release(report, by=users[approver])


@contextlib.contextmanager
def release_unaudited():
    """For worlds built to test something else (archives, markers, injected text) that need a
    released version: their handful of incidents cannot pass the release's disclosure audit as
    small-cell suppression stands, so the audit is left out of their release, and only of it.
    tests/reporting/test_release_passes_the_disclosure_audit.py holds the audit itself."""
    with mock.patch.object(audience_audit, "release_failures", return_value=[]):
        yield
