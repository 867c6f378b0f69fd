"""Every trigger that keeps a record (the audit trail append-only, released reports and sent disclosures
unchanged) exists in the migrated database, on SQLite as on PostgreSQL. SQLite drops a table's
triggers when a later migration alters one of its columns (it copies the table): a migration that
does so without creating them again fails here."""

import importlib
import re

import pytest
from django.db import connection

KEEPING_MIGRATIONS = ("crsv_mis.migrations.0010_audit_event_mission",
                      "reporting.migrations.0003_released_reports_never_deleted",
                      "reporting.migrations.0005_disclosures_kept")


def expected_triggers():
    names = set()
    for path in KEEPING_MIGRATIONS:
        module = importlib.import_module(path)
        script = "\n".join(module.SQLITE) if connection.vendor == "sqlite" else module.POSTGRES
        names |= set(re.findall(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+)", script))
    return names


def present_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_keeping_trigger_exists_after_the_migrations():
    expected = expected_triggers()
    assert len(expected) >= 10
    assert expected - present_triggers() == set()
