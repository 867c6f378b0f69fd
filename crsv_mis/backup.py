"""Backups of the database (pg_dump, custom format) and their restore into an empty database.

A backup is two files: `crsv-YYYYmmdd-HHMMSS.dump` (pg_dump -Fc) and, beside it, `<dump>.json`, its
manifest: the dump's SHA-256, the row count of every table and the audit chain's head, all taken in
the very snapshot pg_dump reads (pg_export_snapshot), and the fingerprints of the field keys the data
was encrypted with. The manifest holds no record content.

What a backup does NOT hold: FIELD_ENCRYPTION_KEYS (and SECRET_KEY, the archive key). The encrypted
fields in the dump are unreadable without the keys, which are backed up separately, by whoever holds
the keys (README, "Backup and restore"); the manifest names the keys needed by fingerprint only.

A restore refuses a database that already holds tables, checks the dump against its manifest, restores
it in one transaction, then checks that every table has the manifest's row count, that the configured
keys read every encrypted value, and the audit chain (crsv_mis.audit.verify_chain).
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess  # nosec B404 - runs pg_dump/pg_restore with arguments built here, never a shell
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from psycopg import sql

from . import audit
from .keyrotation import key_fingerprint, unreadable_values


class BackupError(Exception):
    pass


def _params(database=None):
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("Backups are made of a PostgreSQL database (DATABASE_URL).")
    params = {"host": db.get("HOST") or "127.0.0.1", "port": str(db.get("PORT") or 5432), "user": db.get("USER"),
              "password": db.get("PASSWORD"), "dbname": database or db["NAME"]}
    return {k: v for k, v in params.items() if v}


def _tool(name):
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _tool_env(params):
    # The password goes through the environment, never on a command line others can read.
    env = dict(os.environ)
    for key, variable in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if key in params:
            env[variable] = params[key]
    return env


def _table_counts(cursor):
    cursor.execute("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(dump):
    return Path(f"{dump}.json")


def backup(directory, *, now=None):
    """Write a dump and its manifest into `directory`; return the dump's path."""
    params = _params()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d-%H%M%S")
    dump = directory / f"crsv-{stamp}.dump"
    if dump.exists():
        raise BackupError(f"{dump} exists already.")
    # Recorded first, so that the backup holds the record of its own making.
    audit.record("database.backup", detail={"file": dump.name})
    with psycopg.connect(**params) as snapshot_holder:
        snapshot_holder.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot_holder.read_only = True
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _table_counts(cursor)
            cursor.execute("SELECT last_hash FROM crsv_mis_auditchainhead WHERE id = 1")
            head = cursor.fetchone()
            # The dump reads the same snapshot as the counts above: while this transaction stays open.
            old_umask = os.umask(0o077)  # the dump holds everything: readable by its owner only
            try:
                result = subprocess.run(  # noqa: S603  # nosec B603 - our own arguments, no shell
                    [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--file", str(dump),
                     "--dbname", params["dbname"]],
                    env=_tool_env(params), capture_output=True, text=True)
            finally:
                os.umask(old_umask)
    if result.returncode:
        dump.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    manifest = {
        "format": 1, "file": dump.name, "sha256": _sha256(dump), "size": dump.stat().st_size,
        "made_at": datetime.datetime.now(datetime.UTC).isoformat(), "database": params["dbname"],
        "tables": counts, "audit_head": head[0] if head else None,
        "field_key_fingerprints": [key_fingerprint(k) for k in settings.FIELD_ENCRYPTION_KEYS],
        "migrations": _applied_leaves(),
    }
    manifest_path(dump).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.chmod(manifest_path(dump), 0o600)
    return dump


def _applied_leaves():
    executor = MigrationExecutor(connection)
    applied = executor.loader.applied_migrations
    latest = {}
    for app, name in sorted(applied):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def read_manifest(dump):
    path = manifest_path(dump)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _tables_in(params):
    with psycopg.connect(**params) as conn:
        return conn.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = current_schema()").fetchone()[0]


def _create_if_missing(params):
    admin = {**params, "dbname": "postgres"}
    with psycopg.connect(autocommit=True, **admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
            return True
    return False


def restore(dump, *, log=print):
    """Restore `dump` into DATABASE_URL's database (created if missing, refused unless empty), then
    check it. Returns the list of problems found after the restore (empty: all checks passed)."""
    dump = Path(dump)
    if not dump.is_file():
        raise BackupError(f"No backup file at {dump}.")
    params = _params()
    manifest = read_manifest(dump)
    if manifest is None:
        log(f"No manifest beside {dump.name}: the row counts cannot be checked.")
    elif manifest["sha256"] != _sha256(dump):
        raise BackupError(f"{dump.name} does not match the checksum in its manifest: it is damaged or not that backup.")
    if _create_if_missing(params):
        log(f"Created database {params['dbname']}.")
    elif _tables_in(params):
        raise BackupError(f"Database {params['dbname']} is not empty: restore into an empty database only "
                          "(create a new one and point DATABASE_URL at it).")
    result = subprocess.run(  # noqa: S603  # nosec B603 - our own arguments, no shell
        [_tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
         "--dbname", params["dbname"], str(dump)],
        env=_tool_env(params), capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
    log(f"Restored {dump.name} into {params['dbname']}.")
    connection.close()  # a connection opened before the restore would not see the new tables' types
    return check_restored(manifest, log=log)


def check_restored(manifest, *, log=print):
    problems = []
    with psycopg.connect(**_params()) as conn, conn.cursor() as cursor:
        counts = _table_counts(cursor)
    if manifest is not None:
        for table, expected in sorted(manifest["tables"].items()):
            if counts.get(table) != expected:
                problems.append(f"table {table}: {counts.get(table)} rows, the backup had {expected}")
        log(f"Row counts: {len(manifest['tables'])} tables checked against the manifest.")
    unreadable = unreadable_values()
    if unreadable:
        needed = ", ".join(manifest["field_key_fingerprints"]) if manifest else "the keys of the backup"
        problems.append(f"{len(unreadable)} encrypted value(s) readable by no key in FIELD_ENCRYPTION_KEYS: "
                        f"set the keys from the key backup (fingerprints {needed})")
    else:
        log("Encrypted fields: every value reads with FIELD_ENCRYPTION_KEYS.")
    chain = audit.verify_chain(checkpoints=False)  # the checkpoints may be newer than the backup
    problems.extend(f"audit chain: {p}" for p in chain)
    if manifest is not None and manifest.get("audit_head"):
        from .models import AuditChainHead

        head = AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
        if head != manifest["audit_head"]:
            problems.append("audit chain head differs from the backup's")
    if not chain:
        log("Audit chain intact.")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        log(f"{len(pending)} migration(s) of this code are not applied yet: run manage.py migrate.")
    if not problems:
        audit.record("database.restore", detail={"file": manifest["file"] if manifest else "",
                                                 "sha256": manifest["sha256"] if manifest else ""})
    return problems
