"""Give the running application's database role the rights it needs and nothing more (PostgreSQL).

Two roles: the owner, which `migrate` runs as and which owns every table, and the app role, which
web, workers and beat connect as. Only a table's owner may ALTER it, disable or drop its triggers;
the app role is granted no TRUNCATE and no TRIGGER anywhere, and on the audit trail no DELETE:
SELECT and INSERT, and the UPDATE retention's erasure needs (the trigger lets nothing else through).
Run it as the owner after every `migrate` (new tables get no rights until it runs):

    DATABASE_URL=postgres://crsv_owner:...@db/crsv manage.py grant_app_role crsv_app

Operator commands that change the schema or lift triggers (migrate, rotate_encryption_key,
restore_database, restore_archive, seed_demo) run as the owner too.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from crsv_mis.models import AuditChainHead, AuditEvent

# Tables the app may add to but never delete from.
APPEND_ONLY = (AuditEvent._meta.db_table, AuditChainHead._meta.db_table)


def grant_statements(role):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
    role = quote(role)
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        *(f"REVOKE DELETE ON {quote(table)} FROM {role}" for table in APPEND_ONLY),
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]


class Command(BaseCommand):
    help = ("PostgreSQL: grant the app's database role SELECT/INSERT/UPDATE/DELETE on the tables (no DELETE on the "
            "audit trail), no TRUNCATE, TRIGGER or DDL. Run as the owner role after migrate.")

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role web, workers and beat connect as (not the owner).")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL deployments.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            current, superuser = cursor.fetchone()
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No role {role}: create it first (README, Database roles).")
            cursor.execute("SELECT pg_has_role(%s, current_user, 'MEMBER')", [role])
            inherits_ownership = cursor.fetchone()[0]
        if role == current or inherits_ownership:
            raise CommandError("The app role must not be (nor be a member of) the owner that runs migrations.")
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in grant_statements(role):
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(
            f"{role}: data rights only (no DDL, TRUNCATE or TRIGGER; no DELETE on the audit trail)."))
        if superuser:
            self.stdout.write(self.style.WARNING(
                f"You ran this as the superuser {current}: the tables should belong to a separate owner role."))
