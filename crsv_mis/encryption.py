"""Field encryption at rest with MultiFernet (AES-128-CBC + HMAC-SHA256).

Keys come from FIELD_ENCRYPTION_KEYS, newest first: the first encrypts, all
decrypt, so a key can be rotated without downtime. There is no fallback key, in any settings:
without FIELD_ENCRYPTION_KEYS every encryption and decryption refuses to run (`keys`), so nothing
ever writes survivor data under a key anyone could derive.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc:"


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


MISSING_KEYS = ("FIELD_ENCRYPTION_KEYS is not set: survivor data is neither encrypted nor decrypted without "
                "the deployment's own field keys (restore them from the key backup).")


def keys():
    """The configured field keys, newest first; refuses when there are none."""
    configured = tuple(settings.FIELD_ENCRYPTION_KEYS or ())
    if not configured:
        raise ImproperlyConfigured(MISSING_KEYS)
    return configured


def fernet():
    return _fernet(keys())


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


def encrypt_existing(app_label, model_name, *names):
    """The migration operation that encrypts the clear values already in the fields `names` of a model
    (fields newly made EncryptedTextField), and decrypts them when migrating back. A value is read as
    stored (cast to plain text: the field would try to decrypt a clear value) and written back through
    the field, which encrypts it."""
    from django.db import migrations
    from django.db.models import TextField, Value
    from django.db.models.functions import Cast

    def stored(model, name):
        values = model.objects.annotate(stored=Cast(name, TextField())).values_list("pk", "stored")
        return [(pk, value) for pk, value in values.iterator() if value]

    def encrypt_all(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in names:
            for pk, value in stored(model, name):
                if not value.startswith(PREFIX):
                    model.objects.filter(pk=pk).update(**{name: value})

    def decrypt_all(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in names:
            for pk, value in stored(model, name):
                if value.startswith(PREFIX):
                    model.objects.filter(pk=pk).update(**{name: Value(decrypt(value), output_field=TextField())})

    return migrations.RunPython(encrypt_all, decrypt_all)
