"""Re-encrypting every protected value with the newest field key (FIELD_ENCRYPTION_KEYS[0]).

The protected columns are found by field class, on every installed model: EncryptedTextField
("enc:" + a Fernet token) and EncryptedBinaryField (a bare Fernet token). A new encrypted field is
covered without touching this module.

Each table is walked in primary-key order, one batch per transaction, its rows locked (FOR UPDATE)
between reading the old token and writing the new one, so that an edit made meanwhile is never
overwritten with a re-encrypted older value. A token already under the newest key is left as it is
(its signature checks with that key alone), so a run cut short, or run twice, just goes on: no state
is kept besides the data itself. Every key in FIELD_ENCRYPTION_KEYS decrypts throughout, so the
application reads rows of both kinds while a rotation runs.

Tables whose rows the database keeps unchanged (sent disclosures and their files: reporting
migration 0005) refuse any UPDATE through their triggers. Re-encrypting does not change what they
say, so for the batch's own transaction those update triggers are lifted (PostgreSQL: ALTER TABLE ...
DISABLE TRIGGER, which also takes the table's ACCESS EXCLUSIVE lock, so that no other session can
write to it while they are off) and set again before the commit.
"""

import hashlib
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import connection, transaction

from . import encryption
from .encryption import EncryptedBinaryField, EncryptedTextField

PROTECTED_FIELD_CLASSES = (EncryptedTextField, EncryptedBinaryField)


@dataclass
class ProtectedTable:
    model: type
    fields: list

    @property
    def label(self):
        return f"{self.model._meta.label}({', '.join(f.name for f in self.fields)})"

    @property
    def table(self):
        return self.model._meta.db_table


@dataclass
class Progress:
    table: ProtectedTable
    rows_seen: int = 0
    rows_total: int = 0
    rotated: int = 0
    already_new: int = 0
    unreadable: list = field(default_factory=list)  # (pk, column): no key decrypts it


def protected_tables():
    """Every model with at least one encrypted column, with those columns."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, PROTECTED_FIELD_CLASSES)]
        if fields:
            found.append(ProtectedTable(model, fields))
    return sorted(found, key=lambda t: t.model._meta.label)


def key_fingerprint(key):
    """A short digest naming a key in the audit trail and the output, never the key itself."""
    return hashlib.sha256(key.encode() if isinstance(key, str) else key).hexdigest()[:12]


def _newest():
    key = encryption.keys()[0]
    return Fernet(key.encode() if isinstance(key, str) else key)


def _token(field, stored):
    """The Fernet token in a stored value, or None for an empty value."""
    if stored is None:
        return None
    if isinstance(field, EncryptedBinaryField):
        token = bytes(stored)
        return token or None
    if stored == "":
        return None
    if not stored.startswith(encryption.PREFIX):
        raise InvalidToken("value is not an encrypted field")
    return stored[len(encryption.PREFIX):].encode()


def _stored(field, token):
    if isinstance(field, EncryptedBinaryField):
        return token
    return encryption.PREFIX + token.decode()


def _under(key, token):
    try:
        key.extract_timestamp(token)  # checks the signature only: nothing is decrypted
    except InvalidToken:
        return False
    return True


def _update_triggers(cursor, table):
    """The table's own triggers that fire on UPDATE (PostgreSQL: names; SQLite: name and SQL)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'"
            " AND (tgtype & 16) <> 0", [table])  # 16: TRIGGER_TYPE_UPDATE
        return [row[0] for row in cursor.fetchall()]
    if connection.vendor == "sqlite":
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return [(name, sql) for name, sql in cursor.fetchall() if " UPDATE " in sql.upper().replace("\n", " ")]
    return []


def _lift(cursor, table, triggers):
    quoted = connection.ops.quote_name
    if triggers and connection.vendor == "postgresql":
        # ALTER TABLE refuses to run beside foreign-key checks still deferred in the transaction
        # (when called inside a caller's transaction): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for trigger in triggers:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {quoted(table)} DISABLE TRIGGER {quoted(trigger)}")
        else:
            cursor.execute(f"DROP TRIGGER {quoted(trigger[0])}")


def _set_again(cursor, table, triggers):
    quoted = connection.ops.quote_name
    for trigger in triggers:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {quoted(table)} ENABLE TRIGGER {quoted(trigger)}")
        else:
            cursor.execute(trigger[1])


def _write(cursor, protected, updates):
    """Write the re-encrypted values of a batch: one UPDATE ... FROM (VALUES ...) on PostgreSQL (a
    column left NULL there keeps its value), one UPDATE per row elsewhere."""
    quoted = connection.ops.quote_name
    table, pk = quoted(protected.table), quoted(protected.model._meta.pk.column)
    if connection.vendor == "postgresql":
        kinds = [protected.model._meta.pk.rel_db_type(connection),
                 *("bytea" if isinstance(f, EncryptedBinaryField) else "text" for f in protected.fields)]
        row = "(" + ", ".join(f"%s::{kind}" for kind in kinds) + ")"
        names = ", ".join(quoted(f"v_{f.column}") for f in protected.fields)
        assignments = ", ".join(f"{quoted(f.column)} = COALESCE(v.{quoted('v_' + f.column)}, t.{quoted(f.column)})"
                                for f in protected.fields)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM (VALUES {', '.join([row] * len(updates))}) "  # noqa: S608  # nosec B608 - table and column names from the models, values bound
            f"AS v(v_pk, {names}) WHERE t.{pk} = v.v_pk",
            [value for row_pk, changed in updates for value in (row_pk, *(changed.get(f.column)
                                                                         for f in protected.fields))])
        return
    for row_pk, changed in updates:
        assignments = ", ".join(f"{quoted(c)} = %s" for c in changed)
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [*changed.values(), row_pk])  # noqa: S608  # nosec B608 - table and column names from the models, values bound


def rotate_table(protected, *, batch_size=500, dry_run=False, max_rotated=None, on_batch=None):
    """Re-encrypt the table's tokens that are not under the newest key; returns its Progress.
    `max_rotated` stops after about that many values (a rotation in stages)."""
    newest, every_key = _newest(), encryption.fernet()
    quoted = connection.ops.quote_name
    pk = protected.model._meta.pk.column
    columns = [f.column for f in protected.fields]
    table = protected.table
    progress = Progress(protected)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quoted(table)}")  # noqa: S608  # nosec B608 - table and column names from the models, values bound
        progress.rows_total = cursor.fetchone()[0]
    lock = " FOR UPDATE" if connection.features.has_select_for_update and not dry_run else ""
    head = f"SELECT {quoted(pk)}, {', '.join(quoted(c) for c in columns)} FROM {quoted(table)}"  # noqa: S608  # nosec B608 - table and column names from the models, values bound
    tail = f" ORDER BY {quoted(pk)} LIMIT %s{lock}"
    last = None
    while max_rotated is None or progress.rotated < max_rotated:
        with transaction.atomic(), connection.cursor() as cursor:
            triggers = [] if dry_run else _update_triggers(cursor, table)
            _lift(cursor, table, triggers)
            if last is None:
                cursor.execute(head + tail, [batch_size])
            else:
                cursor.execute(f"{head} WHERE {quoted(pk)} > %s{tail}", [last, batch_size])
            rows = cursor.fetchall()
            updates = []
            for row in rows:
                changed = {}
                for field_, stored in zip(protected.fields, row[1:], strict=True):
                    try:
                        token = _token(field_, stored)
                        if token is None:
                            continue
                        if _under(newest, token):
                            progress.already_new += 1
                            continue
                        rotated = every_key.rotate(token)  # decrypts with any key, encrypts with the newest
                    except InvalidToken:
                        progress.unreadable.append((row[0], field_.column))
                        continue
                    changed[field_.column] = _stored(field_, rotated)
                if changed:
                    updates.append((row[0], changed))
            if updates and not dry_run:
                _write(cursor, protected, updates)
            progress.rotated += sum(len(changed) for _, changed in updates)
            _set_again(cursor, table, triggers)
        if not rows:
            break
        progress.rows_seen += len(rows)
        last = rows[-1][0]
        if on_batch:
            on_batch(progress)
    return progress



def unreadable_values(batch_size=2000):
    """(model label, pk, column) of every stored value that no configured key reads (after a restore,
    before a key is removed). Signatures are checked only: nothing is decrypted."""
    keys = [Fernet(k.encode() if isinstance(k, str) else k) for k in encryption.keys()]
    quoted = connection.ops.quote_name
    found = []
    for protected in protected_tables():
        pk = protected.model._meta.pk.column
        head = (f"SELECT {quoted(pk)}, {', '.join(quoted(f.column) for f in protected.fields)} "  # noqa: S608  # nosec B608 - table and column names from the models, values bound
                f"FROM {quoted(protected.table)}")
        last = None
        while True:
            with connection.cursor() as cursor:
                if last is None:
                    cursor.execute(f"{head} ORDER BY {quoted(pk)} LIMIT %s", [batch_size])
                else:
                    cursor.execute(f"{head} WHERE {quoted(pk)} > %s ORDER BY {quoted(pk)} LIMIT %s", [last, batch_size])
                rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                for field_, stored in zip(protected.fields, row[1:], strict=True):
                    try:
                        token = _token(field_, stored)
                    except InvalidToken:
                        found.append((protected.model._meta.label, row[0], field_.column))
                        continue
                    if token is not None and not any(_under(key, token) for key in keys):
                        found.append((protected.model._meta.label, row[0], field_.column))
            last = rows[-1][0]
    return found
