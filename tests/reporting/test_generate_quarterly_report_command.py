"""manage.py generate_quarterly_report --year Y --quarter Q [--mission CODE]: a new draft version per
mission, built in the process with its progress printed; bad input is a clear CommandError."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from crsv_mis.models import AuditEvent, Mission
from reporting import quarterly
from reporting.models import JobState, QuarterlyReport, ReportJob, ReportStatus
from tests.reporting.report_fixtures import seed_quarter


@pytest.fixture
def two_missions(mission, users, make_incident):
    seed_quarter(make_incident, users, count=2)
    return mission, Mission.objects.create(code="SOUTHM", name="Southern mission")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_quarterly_report", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_it_generates_a_draft_for_every_mission_and_prints_the_progress(two_missions):
    demo, south = two_missions
    output = run("--year", "2026", "--quarter", "1")
    assert "DEMO 2026 Q1:  45% Comparing with earlier quarters" in output
    assert "DEMO 2026 Q1: version 1 (Draft) generated." in output
    assert "SOUTHM 2026 Q1: version 1 (Draft) generated." in output
    reports = QuarterlyReport.objects.order_by("mission__code")
    assert [(r.mission.code, r.version, r.status, r.generated_by) for r in reports] == [
        ("DEMO", 1, ReportStatus.DRAFT, None), ("SOUTHM", 1, ReportStatus.DRAFT, None)]
    assert reports[0].figures["totals"]["incidents"] == 2 and reports[1].figures["totals"]["incidents"] == 0
    assert set(ReportJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    assert AuditEvent.objects.filter(action="report.generate").count() == 2


def test_it_generates_for_one_mission_and_again_makes_a_new_version(two_missions):
    run("--year", "2026", "--quarter", "1", "--mission", "DEMO")
    output = run("--year", "2026", "--quarter", "1", "--mission", "DEMO")
    assert "version 2 (Draft)" in output
    assert list(QuarterlyReport.objects.values_list("mission__code", "version", "status").order_by("version")) == [
        ("DEMO", 1, ReportStatus.SUPERSEDED), ("DEMO", 2, ReportStatus.DRAFT)]


@pytest.mark.parametrize("args, message", [
    (("--year", "2026", "--quarter", "5"), "A quarter is 1, 2, 3 or 4."),
    (("--year", "1999", "--quarter", "4"), "Choose a year from 2000 on."),
    (("--year", "2099", "--quarter", "1"), "2099 Q1 has not started yet: there is nothing to report."),
    (("--year", "2026", "--quarter", "1", "--mission", "NOPE"), "No mission with code 'NOPE'."),
    (("--year", "2026"), "the following arguments are required: --quarter"),
    (("--year", "twenty", "--quarter", "1"), "invalid int value"),
])
def test_bad_input_is_a_clear_error_and_makes_nothing(two_missions, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        run(*args)
    assert not QuarterlyReport.objects.exists() and not ReportJob.objects.exists()


def test_the_quarter_after_this_one_is_refused(two_missions):
    year, quarter = quarterly.shift_quarter(*quarterly.quarter_of(timezone.localdate()), 1)
    with pytest.raises(CommandError, match="has not started yet"):
        run("--year", str(year), "--quarter", str(quarter))
