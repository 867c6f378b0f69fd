"""Text typed into reasons, outcomes and the MARA's notes is encrypted at rest, like the narrative: a
name or a village typed into a referral's status change, a follow-up, an alert response, a meeting's
agenda or decisions, an action point, a verification rationale, the reopening of an analysis or the
return of a report to draft is never in a dump of the database (the audit trail included, which
records these steps by ids only). Rows written before the fields were encrypted are encrypted by the
migrations."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from crsv_mis.encryption import encrypt_existing
from incidents import alerts
from mara.models import ActionPoint, Meeting
from mara.services import analysis, meetings, verification
from referrals import services as referrals
from referrals.models import FollowUp, Provider, ProviderService
from reporting import services as reports
from tests.reporting.report_fixtures import write_key_messages

pytestmark = pytest.mark.django_db

TYPED = {
    "status reason": "Cipherwort status: moved in with her uncle Kofi at Ashdale",
    "follow-up outcome": "Cipherwort follow-up: seen by nurse Ama at Ashdale clinic",
    "response outcome": "Cipherwort response: patrol met chief Yaw at Ashdale well",
    "agenda": "Cipherwort agenda: the Ashdale water point case",
    "decisions": "Cipherwort decisions: ask Yaw's brother again",
    "action point": "Cipherwort action: visit the Mensah family",
    "rationale": "Cipherwort rationale: the teacher Efua confirmed it",
    "reopen reason": "Cipherwort reopen: the Ashdale numbers changed",
    "return reason": "Cipherwort return: name the Ashdale camp",
}


def _referral(users, make_incident):
    incident = make_incident()
    provider = Provider.objects.create(mission=incident.mission, name="Clinic (synthetic)",
                                       provider_type="HEALTH_FACILITY")
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    return referrals.create_referral(
        by=users["WPA"], victim=incident.victims.first(), service="MEDICAL", provider=provider,
        urgency="EMERGENCY", send=True, consent_given=True, consent_date=timezone.localdate(),
        consent_given_by="SURVIVOR")


def _everything_typed(users, make_incident, stations, gazetteer, mission):
    referral = _referral(users, make_incident)
    referrals.add_follow_up(referral, by=users["WPA"], date=timezone.localdate(),
                            outcome=TYPED["follow-up outcome"])
    referrals.change_status(referral, by=users["WPA"], to="LOST_TO_FOLLOW_UP", reason=TYPED["status reason"])
    alert = alerts.submit_alert(
        by=users["FIELD_REPORTER"], duty_station=stations["north"], location=gazetteer["hamlet"],
        observed_at=timezone.now() - datetime.timedelta(minutes=5), urgency="URGENT", description="x",
        source_type="COMMUNITY_ALERT_NETWORK")
    alerts.add_response(alert, by=users["SWPA"], kind="PATROL", component="Force", responded_at=timezone.now(),
                        outcome=TYPED["response outcome"])
    today = timezone.localdate()
    meetings.create_meeting(
        by=users["MARA_CHAIR"], fields={"date": today, "format": "IN_PERSON", "agenda": TYPED["agenda"],
                                        "decisions": TYPED["decisions"]},
        attendees=[{"user": users["MARA_CHAIR"], "organisation": "Test mission", "sex": "FEMALE"}],
        action_points=[{"description": TYPED["action point"], "owner": "SWPA", "forum": "",
                        "due_date": today + datetime.timedelta(days=3)}])
    verification.decide_verification(make_incident(), by=users["MARA_CHAIR"], decision="VERIFIED",
                                     rationale=TYPED["rationale"])
    month = today.replace(day=1)
    draft = analysis.save_draft(by=users["MARA_MEMBER"], month=month, expected_version=0, fields={"patterns": "x"})
    endorsed = analysis.endorse(draft, by=users["MARA_CHAIR"], expected_version=draft.version)
    analysis.reopen(endorsed, by=users["MARA_CHAIR"], reason=TYPED["reopen reason"])
    report = reports.run_job(reports.start_job(mission=mission, year=today.year, quarter=(today.month - 1) // 3 + 1,
                                               by=users["SWPA"]).pk)
    report = write_key_messages(report, users["SWPA"])
    reports.return_to_draft(reports.approve(report, by=users["MARA_CHAIR"]), by=users["SWPA"],
                            reason=TYPED["return reason"])


def _dump():
    """Every row of every table, as a backup holds it."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names of the schema
            for row in cursor.fetchall():
                yield table, " ".join(str(value) for value in row)


def test_no_table_holds_a_typed_reason_outcome_or_meeting_note_in_clear(users, make_incident, stations, gazetteer,
                                                                         mission):
    _everything_typed(users, make_incident, stations, gazetteer, mission)

    found = sorted({(what, table) for table, text in _dump() for what, typed in TYPED.items() if typed in text})

    assert found == []


def test_the_application_reads_them_back(users, make_incident, stations, gazetteer, mission):
    _everything_typed(users, make_incident, stations, gazetteer, mission)

    assert FollowUp.objects.get().outcome == TYPED["follow-up outcome"]
    assert {(m.agenda, m.decisions) for m in Meeting.objects.all()} == {(TYPED["agenda"], TYPED["decisions"])}
    assert ActionPoint.objects.get().description == TYPED["action point"]


def test_the_migration_encrypts_the_rows_written_in_clear_before(users, make_incident):
    referral = _referral(users, make_incident)
    follow_up = referrals.add_follow_up(referral, by=users["WPA"], date=timezone.localdate(), outcome="x")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE referrals_followup SET outcome = %s WHERE id = %s",
                       [TYPED["follow-up outcome"], follow_up.pk])

    # The migration's own operation, run on the test database with the current models.
    encrypt_existing("referrals", "FollowUp", "outcome").code(django_apps, None)

    assert [text for _table, text in _dump() if TYPED["follow-up outcome"] in text] == []
    assert FollowUp.objects.get(pk=follow_up.pk).outcome == TYPED["follow-up outcome"]
