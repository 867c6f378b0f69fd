"""Mission closure: the archive written from a mission, checked, and restored into an empty database
reproduces every record (decrypted values equal), with a valid audit chain that records the export
and the restore, encrypted fields under the new database's key, and no usable password."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.contrib.auth.hashers import is_password_usable
from django.core.management import call_command
from django.db import connection

from crsv_mis import audit
from crsv_mis.encryption import PREFIX
from crsv_mis.models import AuditEvent, Location, LocationLevel, User
from incidents.choices import CrsvFormCode
from incidents.models import Incident, Victim
from lifecycle import archive
from reporting.models import ReportFile
from tests.lifecycle.conftest import NARRATIVE, VICTIM_NAME, empty_the_database, every_row, wait_for_quiet

EXPECTED_NON_EMPTY = {
    "incidents.incident", "incidents.victim", "incidents.consent", "incidents.perpetrator", "incidents.alert",
    "incidents.alertresponse", "mara.verificationdecision", "referrals.referral", "referrals.referralstatuschange",
    "reporting.quarterlyreport", "reporting.reportfile", "auth.group",
    "crsv_mis.auditevent", "crsv_mis.notification",
}


def comparable(rows, *, last_event):
    """Rows as they must agree: passwords are not archived, nor the old deployment's task outbox,
    and each side has one audit event the other lacks (the source's `archive.written`, recorded
    after the file was closed; the restored database's `archive.restore`), so the chain heads
    differ too."""
    users = [dict(row, fields={k: v for k, v in row["fields"].items() if k != "password"})
             for row in rows["crsv_mis.user"]]
    events = rows["crsv_mis.auditevent"]
    assert events[-1]["fields"]["action"] == last_event
    rest = {k: v for k, v in rows.items() if k not in ("crsv_mis.auditchainhead", "crsv_mis.queuedtask")}
    return {**rest, "crsv_mis.user": users, "crsv_mis.auditevent": events[:-1]}


@pytest.mark.django_db(transaction=True)
def test_an_archive_restored_into_an_empty_database_reproduces_every_record(
        celery_worker, closed_mission, archive_key, key_file, tmp_path, settings, capsys):
    wait_for_quiet()
    path = tmp_path / "mission.crsvarc"
    exported = archive.export(path, archive_key, by=closed_mission["users"]["SWPA"])
    source = every_row()
    source_files = {(f.report_id, f.edition, f.format): bytes(f.content) for f in ReportFile.objects.all()}
    assert source_files and exported.problems == []
    assert archive.verify(path, archive_key).problems == []

    empty_the_database()
    assert not Incident.objects.exists() and not AuditEvent.objects.exists()
    target_key = Fernet.generate_key().decode()
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [target_key]  # the successor's database has its own key
    call_command("restore_archive", str(path), key_file=str(key_file), by="swpa")
    assert f"Restored archive {exported.archive_id}: {exported.rows - len(CrsvFormCode.values)} rows" \
        in capsys.readouterr().out
    restored_rows = every_row()
    assert comparable(restored_rows, last_event="archive.restore") == comparable(source, last_event="archive.written")
    assert all(rows for label, rows in source.items() if label in EXPECTED_NON_EMPTY)
    assert {(f.report_id, f.edition, f.format): bytes(f.content) for f in ReportFile.objects.all()} == source_files
    assert not any(is_password_usable(p) for p in User.objects.values_list("password", flat=True))

    # The chain is valid, holds the export, and the restore is its newest link.
    assert audit.verify_chain() == []
    call_command("verify_audit_chain")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["archive.export", "archive.restore"]
    assert AuditEvent.objects.order_by("id").last().username == "swpa"

    # At rest the identifying fields are ciphertext under the new key, not clear text or the old key.
    incident = Incident.objects.get(pk=closed_mission["incident"].pk)
    assert incident.narrative == NARRATIVE
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM incidents_incident WHERE id = %s", [incident.pk])
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT name FROM incidents_victim WHERE incident_id = %s", [incident.pk])
        raw_names = [row[0] for row in cursor.fetchall()]
    assert raw.startswith(PREFIX) and NARRATIVE not in raw
    assert Fernet(target_key.encode()).decrypt(raw[len(PREFIX):].encode()).decode() == NARRATIVE
    with pytest.raises(InvalidToken):
        Fernet(old_keys[0].encode()).decrypt(raw[len(PREFIX):].encode())
    assert all(name.startswith(PREFIX) and VICTIM_NAME not in name for name in raw_names)
    assert VICTIM_NAME in set(Victim.objects.filter(incident=incident).values_list("name", flat=True))

    # Sequences moved past the restored ids: new rows get new ids.
    place = Location.objects.create(level=LocationLevel.COUNTRY, name="Newland", pcode="NL")
    assert place.pk > max(row["pk"] for row in source["crsv_mis.location"])
