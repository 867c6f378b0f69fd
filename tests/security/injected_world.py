"""A mission whose every free-text field holds an attack: markup and script, a javascript: URL,
template text, a spreadsheet formula at the start, SQL quotes. For the injection tests.

The fields are discovered, not listed: every CharField and TextField (encrypted ones included)
without choices of the product's models, less IDENTIFIERS (values the product generates, never typed
by a person). The world is built through the services (records, a released report, a disclosure
sent, a referral, an alert, MARA meetings, a legal hold), then every row still holding ordinary text
in a discovered field is overwritten with its payload; tables the database keeps append-only got
theirs through the services. `test_every_free_text_field_holds_an_attack` holds it to be complete.
"""

import datetime

import pytest
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

PRODUCT_APPS = ["crsv_mis", "incidents", "mara", "referrals", "reporting", "lifecycle"]

# A spreadsheet formula first (cells), then markup (pages), template text and SQL quotes.
FORMULAS = ['=HYPERLINK("http://example.invalid","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)",
            "\t=1+1", "\r=1+1"]
MARKUP = ["<script>window.__pwned=1</script>", '"><img src=x onerror="window.__pwned=2">',
          "<a href=\"javascript:window.__pwned=3\">x</a>"]
TAIL = " {{7*7}}{% now 'Y' %} ' OR '1'='1\"--"
# What must never reach a page unescaped.
RAW_MARKUP = ["<script>window.__pwned", "<img src=x onerror", 'href="javascript:']

IDENTIFIERS = {
    "crsv_mis.Mission.code", "crsv_mis.Location.pcode", "crsv_mis.DutyStation.code", "crsv_mis.User.password",
    "crsv_mis.User.username", "crsv_mis.User.email",
    # The audit trail is written by audit.record only, append-only, with codes and ids: no typed text
    # (`reason` is kept for the events recorded before, and shown to nobody).
    "crsv_mis.AuditEvent.reason",
    "crsv_mis.AuditEvent.username", "crsv_mis.AuditEvent.role", "crsv_mis.AuditEvent.action",
    "crsv_mis.AuditEvent.object_type", "crsv_mis.AuditEvent.object_id", "crsv_mis.AuditEvent.object_ref",
    "crsv_mis.AuditEvent.identity_salt", "crsv_mis.AuditEvent.identity_digest", "crsv_mis.AuditEvent.prev_hash",
    "crsv_mis.AuditEvent.hash", "crsv_mis.AuditChainHead.last_hash", "crsv_mis.ApiToken.key_hash",
    "crsv_mis.ApiToken.prefix", "crsv_mis.Notification.url", "crsv_mis.Notification.event_key",
    "incidents.Incident.reference", "incidents.Victim.code", "incidents.IncidentImport.sha256",
    "incidents.IncidentImport.report", "incidents.IncidentImport.error", "incidents.ImportFile.content",
    "incidents.ImportFile.rows", "incidents.ImportFile.fix_file", "incidents.AlertIndicator.code",
    "incidents.Alert.reference", "mara.VerificationDecision.from_status", "mara.VerificationDecision.to_status",
    "referrals.ReferralStatusChange.from_status", "referrals.ReferralStatusChange.to_status",
    "reporting.RollupCell.status", "reporting.RollupCell.dimension", "reporting.RollupCell.key",
    "reporting.ReportFile.sha256", "reporting.ReportJob.step", "reporting.ReportJob.error",
    "reporting.DisclosedVictim.victim_code", "reporting.DisclosedVictim.reason", "reporting.DisclosureFile.sha256",
    "lifecycle.RetentionRun.trigger", "lifecycle.PlanEntry.label", "lifecycle.Anonymisation.label",
    # Coordinates are validated as "lat,lon" on every way in; the import's file name is covered by
    # tests/incidents/test_import_*.py (this world imports nothing).
    "incidents.Incident.coordinates", "incidents.IncidentImport.file_name",
    # A draft is the intake form's inputs as JSON, never shown as text: resuming puts each value back
    # into its form field, which Django's widgets escape like any other value of the form.
    "incidents.IntakeDraft.data",
    # The outbox's rows: a task's dotted name and an exception's class name, written by crsv_mis/outbox.py.
    "crsv_mis.QueuedTask.task", "crsv_mis.QueuedTask.last_error",
    # A second factor: its secret is made by the product (hex), its name is the product's own label.
    "crsv_mis.TOTPDevice.key", "crsv_mis.TOTPDevice.name",
}


def free_text_fields():
    """[(model, field, "app.Model.field")] of every free-text field of the product's models."""
    found = []
    for app in PRODUCT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField) and not field.choices:
                    found.append((model, field, f"{app}.{model.__name__}.{field.name}"))
    return found


def attacked_fields():
    return [item for item in free_text_fields() if item[2] not in IDENTIFIERS]


def payload(label, max_length=None):
    """The attack typed into one field: each field gets a different formula and markup."""
    n = sum(map(ord, label))
    text = FORMULAS[n % len(FORMULAS)] + MARKUP[n % len(MARKUP)] + TAIL
    if max_length and len(text) > max_length:
        text = FORMULAS[n % len(FORMULAS)] + MARKUP[0]
    return text[:max_length] if max_length else text


def p(label):
    model_label, name = label.rsplit(".", 1)
    field = apps.get_model(model_label)._meta.get_field(name)
    return payload(label, field.max_length)


def holds_an_attack(value, label, max_length):
    # Services strip what people type: a payload starting with a tab or a return is kept without it.
    return value in (payload(label, max_length), payload(label, max_length).strip())


def overwrite_every_row():
    """Every row of every attacked field that does not hold its payload yet gets it (the append-only
    tables refuse: they were given theirs through the services)."""
    for model, field, label in attacked_fields():
        value = payload(label, field.max_length)
        for pk in model.objects.exclude(**{field.name: value}).values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    model.objects.filter(pk=pk).update(**{field.name: value})
            except Exception:  # noqa: BLE001, S110 - a database trigger refusing an append-only row
                pass


def build(users, stations, gazetteer, party, mission, make_incident):
    """The world; returns the objects the tests visit."""
    from incidents import alerts
    from incidents import services as incident_services
    from incidents.alerts import ensure_default_indicators
    from lifecycle import retention
    from mara.models import (
        ActionPoint,
        Commitment,
        CommitmentReview,
        Meeting,
        MeetingAttendee,
        MonthlyAnalysis,
        Recommendation,
    )
    from mara.services.verification import decide_verification
    from referrals import services as referrals
    from referrals.models import Provider, ProviderService
    from reporting import disclosures, services
    from tests.conftest import victim_data
    from tests.reporting.report_fixtures import release_unaudited

    ensure_default_indicators(mission)
    today = timezone.localdate()
    victims = [victim_data(name=p("incidents.Victim.name"), contact=p("incidents.Victim.contact"),
                           previously_interviewed_by=p("incidents.Victim.previously_interviewed_by"),
                           consent_kinds=["RECORD", "SHARE_MARA", "SHARE_JUSTICE", "REFER", "FOLLOW_UP"]),
               victim_data(age_years=15, age_group="12-17", consent_given_by="CAREGIVER",
                           consent_decided_by=p("incidents.Consent.decided_by"),
                           consent_kinds=["RECORD", "SHARE_MARA", "SHARE_JUSTICE", "REFER", "FOLLOW_UP"])]
    recent = make_incident(summary=p("incidents.Incident.summary"), narrative=p("incidents.Incident.narrative"),
                           victims=victims)
    quarter = [make_incident(incident_date=datetime.date(2026, 1 + i, 10), reported_date=datetime.date(2026, 1 + i, 20),
                             summary=p("incidents.Incident.summary"), victims=victims) for i in range(3)]
    for incident in quarter:
        decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED",
                            standard=p("mara.VerificationDecision.standard"),
                            rationale=p("mara.VerificationDecision.rationale"))

    clinic = Provider.objects.create(mission=mission, name="Clinic", provider_type="HEALTH_FACILITY",
                                     contact=p("referrals.Provider.contact"))
    clinic.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=clinic, service="MEDICAL", active=True)
    referral = referrals.create_referral(
        by=users["WPA"], victim=recent.victims.first(), service="MEDICAL", provider=clinic, urgency="EMERGENCY",
        note=p("referrals.Referral.note"), send=True, consent_given=True, consent_date=today,
        consent_given_by="SURVIVOR")
    referrals.add_follow_up(referral, by=users["WPA"], date=today, outcome=p("referrals.FollowUp.outcome"),
                            note=p("referrals.FollowUp.note"))
    referrals.change_status(referral, by=users["WPA"], to="ACCEPTED", reason=p("referrals.ReferralStatusChange.reason"))

    alert = alerts.submit_alert(
        by=users["WPA"], duty_station=stations["north"], location=gazetteer["hamlet"],
        observed_at=timezone.now() - datetime.timedelta(hours=1), description=p("incidents.Alert.description"),
        urgency="URGENT", source_type="COMMUNITY_ALERT_NETWORK", indicators=[])
    alerts.add_response(alert, by=users["WPA"], kind="PATROL", component=p("incidents.AlertResponse.component"),
                        responded_at=timezone.now(), outcome=p("incidents.AlertResponse.outcome"))

    meeting = Meeting.objects.create(mission=mission, date=today, format="IN_PERSON", created_by=users["MARA_CHAIR"],
                                     agenda="a", decisions="d")
    MeetingAttendee.objects.create(meeting=meeting, organisation="o", sex="FEMALE")
    ActionPoint.objects.create(meeting=meeting, description="a", owner="o", due_date=today)
    MonthlyAnalysis.objects.create(mission=mission, month=today.replace(day=1) - datetime.timedelta(days=31),
                                   created_by=users["MARA_CHAIR"])
    Recommendation.objects.create(mission=mission, text="t", owner="o", created_by=users["MARA_CHAIR"])
    commitment = Commitment.objects.create(party=party, kind="ACTION_PLAN", title="t", created_by=users["SWPA"])
    CommitmentReview.objects.create(commitment=commitment, date=today, note="n", reviewed_by=users["SWPA"])
    retention.set_hold(recent, by=users["SWPA"], reason=p("lifecycle.LegalHold.reason"))

    # Names of places, parties, offices and people, and the rollup's labels, before the report is built.
    for name in ("north", "south", "north_a", "south_b", "hamlet"):
        gazetteer[name].name = p("crsv_mis.Location.name")
        gazetteer[name].save()
    overwrite_every_row()

    report = services.run_job(services.start_job(mission=mission, year=2026, quarter=1).pk)
    report = services.edit_narrative(report, by=users["SWPA"], expected_edit_version=report.edit_version,
                                     key_messages=p("reporting.QuarterlyReport.key_messages"),
                                     analysis=p("reporting.QuarterlyReport.analysis"),
                                     response=p("reporting.QuarterlyReport.response"))
    report = services.return_to_draft(services.approve(report, by=users["MARA_CHAIR"]), by=users["SWPA"],
                                      reason=p("reporting.QuarterlyReport.return_reason"))
    with release_unaudited():
        report = services.release(services.approve(report, by=users["MARA_CHAIR"]), by=users["MARA_CHAIR"])

    disclosure = disclosures.request_disclosure(
        by=users["WPA"], items=["SUMMARY", "DATES_PLACE", "PERPETRATORS", "NARRATIVE", "VICTIM_PROFILE",
                                "VICTIM_IDENTITY"],
        references=[i.reference for i in quarter], recipient=p("reporting.Disclosure.recipient"),
        recipient_reference=p("reporting.Disclosure.recipient_reference"),
        legal_basis=p("reporting.Disclosure.legal_basis"), purpose=p("reporting.Disclosure.purpose"))
    disclosure = disclosures.approve(disclosure, by=users["SWPA"], expected_version=disclosure.version,
                                     note=p("reporting.Disclosure.decision_reason"))
    disclosure = disclosures.send(disclosure, by=users["WPA"], expected_version=disclosure.version, sent_on=today,
                                  channel="SECURE_TRANSFER", note=p("reporting.Disclosure.sent_note"))
    for end in (disclosures.refuse, disclosures.cancel):
        other = disclosures.request_disclosure(
            by=users["WPA"], items=["SUMMARY"], references=[quarter[0].reference], recipient="r",
            recipient_reference="r", legal_basis="b", purpose="p")
        reason = p("reporting.Disclosure.decision_reason" if end is disclosures.refuse
                   else "reporting.Disclosure.cancel_reason")
        end(other, by=users["SWPA"] if end is disclosures.refuse else users["WPA"], expected_version=other.version,
            reason=reason)
    archived = make_incident(summary=p("incidents.Incident.summary"))
    incident_services.archive_incident(archived, by=users["SWPA"], reason=p("incidents.Incident.archive_reason"))
    incident_services.request_archive(quarter[0], by=users["ADMIN"], reason=p("incidents.ArchiveRequest.reason"))
    overwrite_every_row()
    return {"incident": recent, "quarter": quarter, "report": report, "disclosure": disclosure,
            "referral": referral, "alert": alert}


@pytest.fixture
def world(users, stations, gazetteer, party, mission, make_incident):
    """The injected world (import this fixture where it is wanted)."""
    return build(users, stations, gazetteer, party, mission, make_incident)
