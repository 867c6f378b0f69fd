"""`apply_retention --dry-run` says what a pass would do and changes nothing: no record, no plan
entry, no audit event erased; only its own run is recorded (and audited)."""

import io

import pytest
from django.core.management import call_command

from crsv_mis.models import AuditEvent
from incidents.models import Incident
from lifecycle.models import PlanEntry, RetentionRun
from tests.lifecycle.retention_fixtures import NARRATIVE, NOTICE_LATER, later, run_on

pytestmark = pytest.mark.django_db


def test_the_dry_run_command_lists_what_is_past_retention_and_changes_nothing(case, mission):
    events_before = list(AuditEvent.objects.values_list("id", "username", "detail"))
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "DEMO: dry run" in text
    # Today nothing of the case is past retention yet.
    assert "incidents: past retention 0" in text
    assert not PlanEntry.objects.exists()
    run = RetentionRun.objects.get()
    assert run.dry_run and run.state == "DONE"
    assert AuditEvent.objects.filter(action="retention.dry_run", object_id=str(run.pk)).exists()
    assert list(AuditEvent.objects.filter(id__in=[e[0] for e in events_before]).values_list(
        "id", "username", "detail")) == events_before


def test_a_dry_run_years_later_counts_the_case_but_lists_and_destroys_nothing(case, mission):
    run_on(mission, later())
    listed = list(PlanEntry.objects.values_list("record_class", "object_id", "listed_at"))

    dry = run_on(mission, later(NOTICE_LATER), dry_run=True)

    assert dry.counts["incidents"]["due"] == 1 and dry.counts["incidents"]["ready"] == 1
    assert dry.counts["incidents"]["anonymised"] == 0
    assert dry.counts["audit"]["ready"] > 0 and dry.counts["audit"]["anonymised"] == 0
    assert list(PlanEntry.objects.values_list("record_class", "object_id", "listed_at")) == listed
    assert Incident.objects.get(pk=case["incident"].pk).narrative == NARRATIVE
    assert not AuditEvent.objects.filter(anonymised_at__isnull=False).exists()


def test_the_past_runs_page_shows_a_dry_run_as_one(case, mission, users, login):
    run_on(mission, later(), dry_run=True)

    page = login(users["SWPA"]).get("/retention/runs/").content.decode()

    assert "Dry run (nothing changed)" in page and "would be 0" in page
