"""Backup and restore: `make backup` dumps the database with a manifest, `make restore FILE=...` puts it
into an empty database and checks it; every table has its rows, every encrypted field (the files too)
reads the same with the keys kept apart from the dump, and the audit chain verifies. A restore refuses
a database that holds data, a damaged dump, and says which keys it needs when they are missing.

Real make, pg_dump and pg_restore, in subprocesses with DATABASE_URL as an operator would set it.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from psycopg import sql

from crsv_mis import audit, encryption
from crsv_mis.encryption import EncryptedBinaryField
from crsv_mis.keyrotation import protected_tables
from tests.reporting.disclosure_fixtures import approve, ask, consenting, send
from tests.servers import app_environment

ROOT = Path(__file__).resolve().parents[2]


def application_view():
    """Every protected value as the application reads it (files by checksum), and the row count of
    every model: in this process for the source, in a process of the restored database for it."""
    values = {}
    for protected in protected_tables():
        names = [f.name for f in protected.fields]
        for pk, *row in protected.model.objects.order_by("pk").values_list("pk", *names):
            for protected_field, value in zip(protected.fields, row, strict=True):
                if isinstance(protected_field, EncryptedBinaryField):
                    value = hashlib.sha256(encryption.fernet().decrypt(bytes(value))).hexdigest()
                values[f"{protected.table}/{pk}/{protected_field.column}"] = value
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models(include_auto_created=True)}
    return {"values": values, "counts": counts}


READ_BACK = ("import json; from tests.faults.test_backup_restore_round_trip import application_view; "
             "print(json.dumps(application_view()))")


def admin_connection():
    db = connection.settings_dict
    return psycopg.connect(dbname="postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                           user=db["USER"], password=db["PASSWORD"] or None, autocommit=True)


@pytest.fixture
def fresh_database():
    """The name of a database that does not exist yet (restore creates it); dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    with admin_connection() as admin:
        for made in (name, f"{name}_2"):
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(made)))


def make(target, env, **variables):
    return subprocess.run(  # noqa: S603 - our own arguments
        [shutil.which("make"), "--no-print-directory", target, f"PY={sys.executable}",
         *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def read_back(env):
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", READ_BACK],  # noqa: S603
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def keys(settings):
    """The environment's key list for the app processes: the key the test's records are under."""
    return ",".join(settings.FIELD_ENCRYPTION_KEYS)


@pytest.fixture
def records(users, make_incident):
    """Incidents with victims (names, contacts, narratives encrypted), a sent disclosure with its
    encrypted file, and audit events."""
    incidents = [make_incident(victims=[consenting(name=f"Testname {n}", contact=f"+000 555 01{n:02d}")])
                 for n in range(3)]
    disclosure = send(approve(ask(users["WPA"], incidents[:1]), users["SWPA"]), users["WPA"])
    for incident in incidents:
        audit.record("incident.view", user=users["HRO"], obj=incident)
    return disclosure


@pytest.fixture
def backup(records, tmp_path, keys):
    source = app_environment(connection.settings_dict["NAME"], FIELD_ENCRYPTION_KEYS=keys)
    result = make("backup", source, BACKUP_DIR=tmp_path / "backups")
    assert result.returncode == 0, result.stderr
    dump, = (tmp_path / "backups").glob("crsv-*.dump")
    return dump, source


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_row_and_encrypted_value(backup, fresh_database, keys):
    dump, _source = backup
    assert dump.name[len("crsv-"):-len(".dump")].replace("-", "").isdigit()
    manifest = json.loads(Path(f"{dump}.json").read_text())
    assert manifest["sha256"] and manifest["tables"]["incidents_victim"] == 3
    assert oct(dump.stat().st_mode & 0o777) == "0o600"
    for key in keys.split(","):
        assert key.encode() not in dump.read_bytes()  # the keys are kept apart from the dump
    restored = app_environment(fresh_database, FIELD_ENCRYPTION_KEYS=keys)

    result = make("restore", restored, FILE=dump)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restore complete and checked." in result.stdout and "Audit chain intact." in result.stdout
    before, after = application_view(), read_back(restored)
    assert after["values"] == before["values"]
    assert len(after["values"]) > 15 and "Testname 2" in after["values"].values()
    # The restore adds its own audit event; every other table has what the source has.
    assert after["counts"].pop("crsv_mis.AuditEvent") == before["counts"].pop("crsv_mis.AuditEvent") + 1
    assert after["counts"] == before["counts"]
    verify = subprocess.run([sys.executable, "manage.py", "verify_audit_chain"],  # noqa: S603
                            cwd=ROOT, env=restored, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and "Audit chain intact" in verify.stdout


@pytest.mark.django_db(transaction=True)
def test_the_restore_refuses_a_database_with_tables_a_damaged_dump_and_missing_keys(backup, fresh_database, keys):
    dump, _source = backup
    manifest = json.loads(Path(f"{dump}.json").read_text())

    into_the_source = make("restore", app_environment(connection.settings_dict["NAME"], FIELD_ENCRYPTION_KEYS=keys),
                           FILE=dump)
    other_key = Fernet.generate_key().decode()
    without_the_keys = make("restore", app_environment(fresh_database, FIELD_ENCRYPTION_KEYS=other_key), FILE=dump)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = dump.with_name("crsv-damaged.dump")
    damaged.write_bytes(bytes(data))
    Path(f"{damaged}.json").write_text(Path(f"{dump}.json").read_text())
    from_a_damaged_dump = make("restore", app_environment(f"{fresh_database}_2", FIELD_ENCRYPTION_KEYS=keys),
                               FILE=damaged)

    assert into_the_source.returncode != 0 and "is not empty" in into_the_source.stderr
    # Restored, but not to be used: it says so, and names the keys it needs (by fingerprint only).
    assert without_the_keys.returncode != 0 and "readable by no key" in without_the_keys.stderr
    assert manifest["field_key_fingerprints"][0] in without_the_keys.stderr
    assert keys not in without_the_keys.stdout + without_the_keys.stderr
    assert from_a_damaged_dump.returncode != 0 and "does not match the checksum" in from_a_damaged_dump.stderr
    with admin_connection() as admin:
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        assert not admin.execute(exists, [f"{fresh_database}_2"]).fetchone()  # nothing made of it
