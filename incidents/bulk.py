"""Writing many rows at once: COPY on PostgreSQL, executemany elsewhere.

seed_demo and the incident import write incidents and their children as plain tuples rather than
model instances and bulk_create, several times faster; so they do what save(), field defaults and
get_prep_value would otherwise do. Table() checks the column list against the model, so that when a
model gains a field the writer stops with a message instead of writing bad rows.
"""

from django.db import connection

# Every column of each table, in the order of the tuples the writers build.
INCIDENT_FIELDS = (
    "id", "mission", "duty_station", "reference", "version", "created_by", "created_at", "updated_at",
    "incident_date", "incident_date_precision", "incident_date_end", "reported_date", "location", "admin1",
    "admin2", "coordinates", "site_type", "conflict_nexus", "source_type", "source_sex", "source_reliability",
    "source_credibility", "shared_under_isp", "narrative", "summary", "status", "mara_shareable",
    "victim_count", "archived_at", "archived_by", "archive_reason", "source_import", "source_row",
    "anonymised_at", "assigned_to",
)
VICTIM_FIELDS = ("id", "incident", "code", "sex", "age_years", "age_group", "victim_group", "displacement",
                 "disability", "name", "contact", "previously_interviewed_by")
CONSENT_FIELDS = ("victim", "kind", "given", "given_by", "decided_by", "date", "taken_by", "withdrawn_at")
PERPETRATOR_FIELDS = ("incident", "party", "party_type", "number", "sex")
THROUGH_FIELDS = ("incident", "formofviolence")


class TableChanged(Exception):
    """The model's fields are not the ones the writer lists."""


class Table:
    """Raw rows for one model's table: checks the column list, allocates ids, inserts."""

    def __init__(self, model, names):
        meta = model._meta
        concrete = {f.name for f in meta.concrete_fields if not f.primary_key or f.name in names}
        if concrete != set(names):
            raise TableChanged(
                f"{meta.label} is written as raw rows and its fields changed "
                f"({sorted(concrete ^ set(names))}): update the field list of the writer."
            )
        self.table = meta.db_table
        self.pk_column = meta.pk.column
        self.columns = [meta.get_field(name).column for name in names]

    def allocate_ids(self, count):
        """Primary keys for `count` new rows, taken from the table's own sequence on PostgreSQL."""
        if not count:
            return []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [self.table, self.pk_column, count])
                return [row[0] for row in cursor.fetchall()]
            # Elsewhere (SQLite) the caller holds a write transaction: continue after the largest id.
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quote(self.pk_column)}) FROM {quote(self.table)}")  # noqa: S608  # nosec B608  # names from the models
            first = (cursor.fetchone()[0] or 0) + 1
        return list(range(first, first + count))

    def insert(self, rows):
        """Insert tuples of database-ready values, in the order of the field list."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                from psycopg import sql as pg_sql

                statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                    pg_sql.Identifier(self.table), pg_sql.SQL(", ").join(map(pg_sql.Identifier, self.columns)))
                with cursor.cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                # Table and column names come from the models, never from input.
                quote = connection.ops.quote_name
                target = f"{quote(self.table)} ({', '.join(map(quote, self.columns))})"
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {target} VALUES ({placeholders})", rows)  # noqa: S608  # nosec B608  # names from the models
