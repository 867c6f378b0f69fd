"""Field encryption at rest with MultiFernet (AES-128-CBC + HMAC-SHA256).

Keys come from FIELD_ENCRYPTION_KEYS, newest first: the first encrypts, all
decrypt, so a key can be rotated without downtime.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc:"


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet():
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text):
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(token):
    if not token.startswith(PREFIX):
        raise InvalidToken("value is not an encrypted field")
    return fernet().decrypt(token[len(PREFIX):].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; the database never sees the clear value.

    Encrypted values cannot be searched or ordered on, by design.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedBinaryField(models.BinaryField):
    """Bytes stored as a Fernet token of `fernet()` (no prefix). The code that writes and reads them
    encrypts and decrypts (reporting/disclosures.py): files are not loaded with every row. The class
    is what marks the column as protected, so that rotate_encryption_key finds it."""


def encrypt_existing(table, *columns):
    """The migration operation that encrypts the clear values already in `columns` of `table` (a
    field newly made an EncryptedTextField), and decrypts them when migrating back. Rows are read and
    written in SQL: the historical model's field would try to decrypt a clear value."""
    from django.db import migrations

    def convert(change, keep):
        def run(apps, schema_editor):
            connection = schema_editor.connection
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                for column in columns:
                    cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608 - names of the code
                    rows = [(pk, value) for pk, value in cursor.fetchall() if value and keep(value)]
                    for pk, value in rows:
                        cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                                       [change(value), pk])
        return run

    return migrations.RunPython(convert(encrypt, lambda v: not v.startswith(PREFIX)),
                                convert(decrypt, lambda v: v.startswith(PREFIX)))
