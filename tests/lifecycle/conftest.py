"""A small but complete mission to archive, and helpers to read a database back in full.

Everything is made through the services a mission uses (intake, alerts, verification, referrals,
quarterly reports), so the archive sees the rows, history and audit events real work leaves."""

import datetime
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crsv_mis.models import ApiToken, AuditEvent, TOTPDevice
from incidents import alerts
from incidents.choices import CrsvFormCode
from incidents.models import AlertIndicator, FormOfViolence
from lifecycle import archive
from lifecycle.archive_file import SealedWriter, encode_key, new_key, plaintext_lines, read_header
from referrals import services as referrals
from referrals.models import Provider, ProviderService
from reporting.models import StaleMonth
from tests.conftest import sqlite_triggers_lifted, victim_data
from tests.lifecycle.handover_fixtures import meeting, new_officer, work  # noqa: F401 - fixtures
from tests.lifecycle.retention_fixtures import case, clinic  # noqa: F401 - fixtures
from tests.reporting.report_fixtures import generate, release, release_unaudited, seed_quarter

NARRATIVE = "Synthetic archive narrative Glimmerfen: fictional text, never in clear at rest."
VICTIM_NAME = "Testname Glimmerfen"
ALERT_TEXT = "Synthetic alert: armed men seen near the Quillby water point (archive test)."
REFERRAL_NOTE = "Synthetic referral note for the archive test."


@pytest.fixture
def archive_key():
    return new_key()


@pytest.fixture
def closed_mission(mission, users, stations, gazetteer, party, make_incident):
    """Incidents with victims, consents and perpetrators, verified by the MARA; an alert acknowledged
    and responded to; a referral sent to a provider with a focal point; a released quarterly
    report with its files; a group with a permission; a second factor and an API token."""
    seed_quarter(make_incident, users, count=3, verified=2)
    child = make_incident(narrative=NARRATIVE, victims=[
        victim_data(name=VICTIM_NAME, age_years=15, age_group="12-17", consent_given_by="CAREGIVER",
                    consent_decided_by="Synthetic caregiver, for the archive test"),
        victim_data(name="Testname Second", sex="MALE")])
    alerts.ensure_default_indicators(mission)
    alert = alerts.submit_alert(by=users["FIELD_REPORTER"], duty_station=stations["north"],
                                location=gazetteer["hamlet"], observed_at=timezone.now() - datetime.timedelta(hours=1),
                                description=ALERT_TEXT, urgency="URGENT", source_type="COMMUNITY_ALERT_NETWORK",
                                indicators=list(AlertIndicator.objects.filter(mission=mission)[:2]))
    alerts.acknowledge_alert(alert, by=users["WPA"])
    alerts.add_response(alert, by=users["WPA"], kind="PATROL", component="Force, north company",
                        responded_at=timezone.now())
    provider = Provider.objects.create(mission=mission, name="Ashdale Clinic", provider_type="HEALTH_FACILITY",
                                     contact="+000 555 0199")
    provider.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    provider.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    referrals.create_referral(by=users["WPA"], victim=child.victims.order_by("pk").first(), service="MEDICAL",
                              provider=provider, urgency="EMERGENCY", note=REFERRAL_NOTE, consent_given=True,
                              consent_date=timezone.localdate() - datetime.timedelta(days=1),
                              consent_given_by="CAREGIVER", consent_decided_by="Synthetic caregiver",
                              send=True)
    with release_unaudited():
        report = release(generate(mission), users)
    readers = Group.objects.create(name="Archive readers")
    readers.permissions.add(Permission.objects.get(codename="view_incident"))
    users["SWPA"].groups.add(readers)
    users["AUDITOR"].user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    TOTPDevice.objects.create(user=users["WPA"], name="phone", confirmed=True)
    ApiToken.issue(users["SWPA"], days=30)
    return {"incident": child, "alert": alert, "report": report, "users": users}


def wait_for_quiet(seconds=1.0, timeout=60):
    """Until the Celery worker has finished the recounts and e-mails the changes queued: no stale
    month left and no new audit event for `seconds`."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (StaleMonth.objects.count(), AuditEvent.objects.count())
        if now != last:
            last, since = now, time.monotonic()
        elif now[0] == 0 and time.monotonic() - since >= seconds:
            return
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def every_row():
    """Every archived model's rows as Django's serializer reads them (decrypted fields, many-to-many
    lists, content types and permissions by natural key): independent of lifecycle.archive's own
    serialization."""
    rows = {}
    for model in archive.archived_models():
        if model._meta.auto_created:
            continue  # many-to-many rows are in their owner's lists
        queryset = model._base_manager.order_by("pk")
        rows[model._meta.label_lower] = serializers.serialize(
            "python", queryset, use_natural_foreign_keys=True)
    return rows


def empty_the_database():
    """Flush every table, as a new deployment starts; then add the reference rows a migration
    writes (the forms of violence), as `migrate` on a new database would."""
    if connection.vendor == "sqlite":
        # SQLite flushes with DELETE, which the keeping triggers refuse (tests/conftest.py).
        with connection.cursor() as cursor, sqlite_triggers_lifted(cursor):
            call_command("flush", interactive=False, verbosity=0)
    else:
        call_command("flush", interactive=False, verbosity=0)
    for code in CrsvFormCode.values:
        FormOfViolence.objects.get_or_create(code=code)


@pytest.fixture
def key_file(tmp_path, archive_key):
    path = tmp_path / "archive.key"
    path.write_text(encode_key(archive_key) + "\n")
    return path


def plaintext(path, key):
    """The archive's content lines (bytes), decrypted in memory."""
    with open(path, "rb") as f:
        return list(plaintext_lines(f, key))


def reseal(path, key, lines):
    """Write `lines` back into `path` as a validly sealed archive (what someone holding the key could
    forge), keeping its archive id."""
    with open(path, "rb") as f:
        _header, archive_id = read_header(f, key)
    with open(path, "wb") as f:
        writer = SealedWriter(f, key, archive_id)
        for line in lines:
            writer.write(line + b"\n")
        writer.close()
