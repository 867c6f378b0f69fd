"""A quarterly report is released only when the disclosure audit of everything that leaves the MARA
room passes (reporting.audience_audit, crsv_mis.disclosure_audit): the attacker is a reader of the
external edition (leadership's dashboard shows the same frozen cells) who works out small counts from totals and
the other cells, across tables and releases."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from crsv_mis import disclosure
from crsv_mis.models import AuditEvent
from reporting import audience_audit, render, services
from reporting.models import Edition, FileFormat, ReportFile, ReportStatus
from tests.reporting.report_fixtures import generate, release, seed_quarter, write_key_messages
from tests.reporting.test_report_editions import build_report

YEAR, QUARTER = 2026, 1
# After the quarter and the one after it: leadership's pages of 2026 Q1 and Q2 exist.
TODAY = datetime.date(2026, 7, 10)


def primary_only(values, total=None, threshold_value=None):
    """disclosure.suppress without its secondary suppression: the leak the audit must catch."""
    limit = threshold_value or disclosure.threshold()
    shown = [f"<{limit}" if v is not None and 0 < v < limit else v for v in values]
    if total is None:
        return shown, None
    return shown, f"<{limit}" if 0 < total < limit else total


@pytest.fixture
def leaky(monkeypatch):
    monkeypatch.setattr(disclosure, "suppress", primary_only)


def two_provinces(make_incident, gazetteer, *, north=7, south=3):
    """2026 Q1: `north` incidents in Northmark and `south` in Southmark, one woman each."""
    for i in range(north):
        make_incident(incident_date=datetime.date(2026, 1 + i % 3, 5))
    for i in range(south):
        make_incident(station="south", by="HRO_SOUTH", location=gazetteer["south_b"],
                      incident_date=datetime.date(2026, 1 + i % 3, 9))


def approved(mission, users):
    report = write_key_messages(generate(mission), users["SWPA"])
    return services.approve(report, by=users["MARA_CHAIR"])


def test_it_passes_a_quarter_whose_small_cells_keep_their_whole_range(mission, users, make_incident):
    seed_quarter(make_incident, users, count=6)  # two incidents a month: each month "<5"
    report = generate(mission)
    result = audience_audit.audit(mission, YEAR, QUARTER, candidate=report)
    months = {name: interval for name, interval in result.intervals.items() if ":month:2026-0" in name}
    assert len(months) == 6 and set(months.values()) == {(1, 4)}
    assert result.failures == []
    released = release(report, users)
    assert released.status == ReportStatus.RELEASED


def test_it_refuses_to_release_a_table_that_gives_a_small_province_away(mission, users, make_incident,
                                                                        gazetteer, leaky):
    # Without secondary suppression the provinces read 7, "<5" and a total of 10: Southmark is 3.
    two_provinces(make_incident, gazetteer)
    report = approved(mission, users)
    with pytest.raises(services.DisclosureAuditFailed) as refused:
        services.release(report, by=users["MARA_CHAIR"])
    assert "admin1 / Southmark / Incidents" in str(refused.value)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.released_at is None
    assert not ReportFile.objects.filter(report=report).exists()
    (event,) = AuditEvent.objects.filter(action="report.release_refused", object_id=str(report.pk))
    assert event.username == users["MARA_CHAIR"].username
    pinned = {f["count"]: (f["low"], f["high"]) for f in event.detail["disclosure_audit"]}
    assert pinned[f"DEMO 2026Q1 v{report.version}:by:admin1:TL02:incidents"] == (3, 3)


def test_it_catches_a_released_figure_that_a_later_report_shows_again(mission, users, make_incident, gazetteer,
                                                                      leaky):
    # 2026 Q1 released (audited then, with the leak at hand); its frozen totals come back in the
    # headline table of every later report, so the audit of 2026 Q2 looks at Q1's release too.
    two_provinces(make_incident, gazetteer)
    first = approved(mission, users)
    result = audience_audit.audit(mission, YEAR, QUARTER, candidate=first)
    q1_total = f"DEMO 2026Q1 v{first.version}:totals:incidents"
    assert q1_total in result.problem.variables
    make_incident(incident_date=datetime.date(2026, 4, 5))
    later = generate(mission, year=2026, quarter=2)
    problem = audience_audit.problem_for(mission, 2026, 2, candidate=later)
    q2_view = [s.where for s in problem.variables[f"DEMO 2026Q2 v{later.version}:live:2026Q1:incidents"].shown]
    assert q2_view == [(f"DEMO 2026Q2 v{later.version}", "quarters", "2026 Q1", "Incidents")]


def test_the_audit_reads_the_cells_the_external_csv_gives(mission, users, make_incident, gazetteer):
    report = build_report(make_incident, users, gazetteer, mission)
    problem = audience_audit.problem_for(mission, 2026, 3, candidate=report)
    name = audience_audit.report_name("DEMO", report.year, report.quarter, report.version)
    lines = list(csv.reader(io.StringIO(render.render_file(report, Edition.EXTERNAL, FileFormat.CSV)
                                        .decode("utf-8-sig"))))
    in_csv = {tuple(line[:3]): line[3] for line in lines[1:]}
    audited = {}
    for variable in problem.variables.values():
        for shown in variable.shown:
            if shown.where[0] == name:
                audited[shown.where[1:]] = shown.value
    assert len(audited) > 100
    for where, value in audited.items():
        assert in_csv[where] == str(value), where
    # Every withheld cell that leaves is audited, but for figures derived from withheld counts
    # (a rise, a share), withheld with them.
    derived = {("hotspots", "Change"), ("rising", "Rise"), ("rising", "Rise (%)")}
    withheld = {where for where, value in in_csv.items() if value in ("<5", "x")
                and (where[0], where[2]) not in derived and where[1] != "Share of sent referrals with the service "
                "provided (%)"}
    assert withheld and withheld <= set(audited)


def test_leadership_is_audited_on_exactly_what_the_external_edition_shows(mission, users, make_incident):
    # Leadership's dashboard shows released external editions' frozen cells and nothing live.
    seed_quarter(make_incident, users, count=6)
    release(generate(mission), users)
    external = audience_audit.audit(mission, YEAR, QUARTER, audience_audit.EXTERNAL, today=TODAY)
    leadership = audience_audit.audit(mission, YEAR, QUARTER, audience_audit.LEADERSHIP, today=TODAY)
    assert set(leadership.problem.variables) == set(external.problem.variables)
    assert leadership.failures == []


def test_the_command_prints_each_withheld_count_with_its_interval(mission, users, make_incident, capsys):
    seed_quarter(make_incident, users, count=6)
    release(generate(mission), users)
    call_command("audit_disclosure", "--quarter", "2026Q1", "--mission", "DEMO")
    out = capsys.readouterr().out
    assert "DEMO 2026Q1 v1:month:2026-01:incidents [<5] 1..4 PASS" in out
    assert "shown <5 in DEMO 2026Q1 v1 / trend / 2026-01 / Incidents" in out
    assert "DEMO 2026Q1 (external): 6 withheld counts, 0 failing." in out


def test_the_command_fails_with_the_count_a_reader_works_out(mission, users, make_incident, gazetteer, leaky,
                                                             capsys):
    two_provinces(make_incident, gazetteer)
    report = generate(mission)
    with pytest.raises(CommandError) as failed:
        call_command("audit_disclosure", "--quarter", "2026Q1", "--report-version", str(report.version))
    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert f"DEMO 2026Q1 v{report.version}:by:admin1:TL02:incidents [<5] 3..3 FAIL" in out
