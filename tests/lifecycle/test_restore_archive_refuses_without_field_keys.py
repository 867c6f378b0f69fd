"""A restore run without FIELD_ENCRYPTION_KEYS refuses in plain words and writes nothing: there is no
fallback key (once derived from SECRET_KEY) for survivor data to be encrypted under."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from crsv_mis import encryption
from crsv_mis.models import AuditEvent
from incidents.models import Incident
from lifecycle import archive
from tests.lifecycle.conftest import empty_the_database, wait_for_quiet
from tests.servers import app_environment


def environment_without_field_keys():
    """The environment of an operator's shell on this test database, with no field keys set."""
    if connection.vendor == "postgresql":
        env = app_environment(connection.settings_dict["NAME"])
    else:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{connection.settings_dict['NAME']}",
                   DJANGO_SETTINGS_MODULE="crsv_mis.settings")
    env.pop("FIELD_ENCRYPTION_KEYS", None)
    return env


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_an_archive_without_field_keys_and_writes_nothing(
        celery_worker, make_incident, archive_key, key_file, tmp_path):
    make_incident()
    wait_for_quiet()
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    empty_the_database()

    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", "restore_archive", str(path), "--key-file", str(key_file)],
        env=environment_without_field_keys(), cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300)

    assert result.returncode != 0, result.stdout
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not Incident.objects.exists() and not AuditEvent.objects.exists()


def test_it_neither_encrypts_nor_decrypts_without_field_keys(settings):
    token = encryption.encrypt("Synthetic narrative, fictional.")
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
        encryption.encrypt("Synthetic narrative, fictional.")
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
        encryption.decrypt(token)
