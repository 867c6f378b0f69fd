"""Database triggers written per vendor, for the migrations that make rows append-only or
immutable (the audit trail, released quarterly reports)."""


def per_vendor(postgres, sqlite):
    """A RunPython function that runs `postgres` (one script) on PostgreSQL or `sqlite` (a list of
    statements: SQLite runs one at a time) on SQLite, and nothing elsewhere."""

    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(postgres)
        elif vendor == "sqlite":
            for statement in sqlite:
                schema_editor.execute(statement)

    return run


def trigger_operation(postgres, postgres_reverse, sqlite, sqlite_reverse):
    """The RunPython operation that creates the triggers, and drops them when migrating back."""
    from django.db import migrations

    return migrations.RunPython(per_vendor(postgres, sqlite), per_vendor(postgres_reverse, sqlite_reverse))
