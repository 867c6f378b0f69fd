"""The authenticator secrets are stored encrypted: whoever reads the database, or a dump of it, does not
get every person's second factor. Read here with raw SQL from whatever table holds the device the
product enrolled, the stored key is a Fernet token, and key rotation re-encrypts it."""

import base64
import importlib
from types import SimpleNamespace

import pytest
from axes.utils import reset as axes_reset
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp import devices_for_user

from crsv_mis.models import TOTPDevice
from tests.crsv_mis.test_login import enrol

pytestmark = pytest.mark.django_db
moving = importlib.import_module("crsv_mis.migrations.0011_totp_devices_with_encrypted_secrets")


@pytest.fixture(autouse=True)
def clean_axes(db):
    axes_reset()
    yield
    axes_reset()


def stored_key(device):
    """The key column of the device's row, as the database holds it."""
    quoted = connection.ops.quote_name
    meta = device._meta
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted(meta.get_field('key').column)} FROM {quoted(meta.db_table)} "  # noqa: S608
                       f"WHERE {quoted(meta.pk.column)} = %s", [device.pk])
        return cursor.fetchone()[0]


def forms_of(secret):
    return {secret.hex(), secret.hex().upper(), base64.b32encode(secret).decode().rstrip("=")}


def test_it_stores_the_enrolled_secret_encrypted(users):
    secret, _response = enrol(Client(), users["WPA"])
    (device,) = devices_for_user(users["WPA"])

    stored = stored_key(device)

    assert stored.startswith("enc:gAAAA")
    assert not any(form in stored for form in forms_of(secret))
    assert device.bin_key == secret


def test_it_re_encrypts_the_secrets_with_a_new_key(users, settings):
    secret, _response = enrol(Client(), users["HRO"])
    device = TOTPDevice.objects.get(user=users["HRO"])
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]

    call_command("rotate_encryption_key", verbosity=0)

    Fernet(new_key).decrypt(stored_key(device)[len("enc:"):].encode())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert TOTPDevice.objects.get(pk=device.pk).bin_key == secret


def test_the_migration_moves_clear_secrets_into_the_encrypted_table_and_deletes_them(users):
    clear_key = "3132333435363738393031323334353637383930"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {moving.CLEAR_TABLE} (id integer PRIMARY KEY, user_id integer, name varchar(64), "
            "confirmed boolean, key varchar(80), step integer, t0 bigint, digits integer, tolerance integer, "
            "drift integer, last_t bigint, throttling_failure_timestamp timestamp NULL, "
            "throttling_failure_count integer, created_at timestamp NULL, last_used_at timestamp NULL)")
        cursor.execute(f"INSERT INTO {moving.CLEAR_TABLE} VALUES (7, %s, 'phone', %s, %s, 30, 0, 6, 1, 0, 41, NULL, "  # noqa: S608
                       "0, NULL, NULL)", [users["SWPA"].pk, True, clear_key])

    # The function reads only the editor's connection; SQLite opens no schema editor inside a test's transaction.
    moving.move_devices_into_the_encrypted_table(apps, SimpleNamespace(connection=connection))

    device = TOTPDevice.objects.get(user=users["SWPA"])
    assert device.key == clear_key and device.confirmed and device.last_t == 41
    assert stored_key(device).startswith("enc:") and clear_key not in stored_key(device)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {moving.CLEAR_TABLE}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
