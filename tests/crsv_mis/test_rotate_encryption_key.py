"""rotate_encryption_key re-encrypts every protected value with the newest key: afterwards the new key
alone reads everything; while it runs (rows half done) the old and the new key both read; a run cut
short goes on where it stopped; a sent disclosure and its file, which the database otherwise never
lets change, are re-encrypted too, their checksum still matching."""

import hashlib

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from crsv_mis import encryption
from crsv_mis.audit import verify_chain
from crsv_mis.encryption import EncryptedBinaryField
from crsv_mis.keyrotation import protected_tables
from crsv_mis.models import AuditEvent
from incidents.models import Victim
from reporting.models import DisclosureFile
from tests.reporting.disclosure_fixtures import approve, ask, consenting, send, sent_file

VICTIMS = 2000
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def old_key(settings):
    return settings.FIELD_ENCRYPTION_KEYS[0]


@pytest.fixture
def records(users, make_incident, old_key):
    """A sent disclosure (with its file) and a few thousand victims, all under the old key."""
    incident = make_incident(victims=[consenting(name="Testname Kept", contact="+000 555 0333")])
    disclosure = send(approve(ask(users["WPA"], [incident]), users["SWPA"]), users["WPA"])
    Victim.objects.bulk_create(
        [Victim(incident=incident, sex="FEMALE", age_group="25-39", victim_group="WOMEN", name=f"Testname {i}",
                contact=f"+000 555 {i:04d}", previously_interviewed_by="Synthetic clinic" if i % 3 else "")
         for i in range(VICTIMS)], batch_size=1000)
    return disclosure


def clear_values():
    """Every protected value as the application reads it, keyed by table, row and column."""
    values = {}
    for protected in protected_tables():
        names = [f.name for f in protected.fields]
        for pk, *row in protected.model.objects.order_by("pk").values_list("pk", *names):
            for protected_field, value in zip(protected.fields, row, strict=True):
                if isinstance(protected_field, EncryptedBinaryField):
                    value = encryption.fernet().decrypt(bytes(value))
                values[(protected.table, pk, protected_field.column)] = value
    return values


def stored_tokens():
    """Every non-empty stored token, as the database holds it."""
    tokens = {}
    with connection.cursor() as cursor:
        for protected in protected_tables():
            for protected_field in protected.fields:
                cursor.execute(f"SELECT {protected.model._meta.pk.column}, {protected_field.column} "  # noqa: S608
                               f"FROM {protected.table}")
                for pk, stored in cursor.fetchall():
                    if isinstance(protected_field, EncryptedBinaryField):
                        tokens[(protected.table, pk, protected_field.column)] = bytes(stored)
                    elif stored:
                        assert stored.startswith(encryption.PREFIX)
                        tokens[(protected.table, pk, protected_field.column)] = stored[len(encryption.PREFIX):].encode()
    return tokens


def under(key, token):
    try:
        Fernet(key).decrypt(token)
    except InvalidToken:
        return False
    return True


@pytest.mark.django_db
def test_it_re_encrypts_every_protected_value_so_that_the_new_key_alone_reads_them(records, settings, old_key):
    before = clear_values()
    tokens_before = stored_tokens()
    assert len(tokens_before) > 2 * VICTIMS
    assert all(under(old_key, t) and not under(NEW_KEY, t) for t in tokens_before.values())
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]

    call_command("rotate_encryption_key", batch_size=700, verbosity=0)

    tokens_after = stored_tokens()
    assert tokens_after.keys() == tokens_before.keys()
    assert all(under(NEW_KEY, t) and not under(old_key, t) for t in tokens_after.values())
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert clear_values() == before
    data = sent_file(records)  # the file as sent, checksum checked again
    assert hashlib.sha256(data).hexdigest() == DisclosureFile.objects.get(disclosure=records).sha256
    event = AuditEvent.objects.filter(action="encryption.rotate").get()
    assert event.detail["complete"] is True and event.detail["values"] == len(tokens_before)
    assert event.detail["key"] == hashlib.sha256(NEW_KEY.encode()).hexdigest()[:12]
    assert verify_chain() == []


@pytest.mark.django_db
def test_both_keys_read_while_the_rotation_is_half_done_and_a_second_run_finishes_it(records, settings, old_key):
    before = clear_values()
    total = len(stored_tokens())
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]

    call_command("rotate_encryption_key", batch_size=250, max_values=total // 2, verbosity=0)

    half = stored_tokens()
    on_new = sum(under(NEW_KEY, t) for t in half.values())
    on_old = sum(under(old_key, t) for t in half.values())
    assert on_new + on_old == total and on_new >= total // 2 and on_old > 0
    assert clear_values() == before  # the application reads both kinds
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(InvalidToken):
        clear_values()  # the old key is still needed
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]

    call_command("rotate_encryption_key", verbosity=0)

    done = stored_tokens()
    assert all(under(NEW_KEY, t) for t in done.values())
    # What the first run re-encrypted was left as it was: nothing is encrypted twice.
    assert all(done[k] == t for k, t in half.items() if under(NEW_KEY, t))
    finished = AuditEvent.objects.filter(action="encryption.rotate").order_by("id")
    assert [e.detail["complete"] for e in finished] == [False, True]
    assert sum(e.detail["values"] for e in finished) == total
    call_command("rotate_encryption_key", verbosity=0)
    assert stored_tokens() == done
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert clear_values() == before


@pytest.mark.django_db
def test_a_dry_run_counts_and_changes_nothing(records, settings, old_key, capsys):
    tokens = stored_tokens()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]

    call_command("rotate_encryption_key", dry_run=True)

    assert stored_tokens() == tokens
    assert f"would re-encrypt {len(tokens)} value(s)" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(action__startswith="encryption.").exists()


@pytest.mark.django_db
def test_a_value_no_key_reads_stops_the_command_and_is_named_by_row_not_content(records, settings, old_key, capsys):
    victim = Victim.objects.order_by("pk").last()
    stranger = Fernet(Fernet.generate_key())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_victim SET contact = %s WHERE id = %s",
                       [encryption.PREFIX + stranger.encrypt(b"+000 555 9999").decode(), victim.pk])
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]

    with pytest.raises(CommandError, match="1 value"):
        call_command("rotate_encryption_key", verbosity=0)

    err = capsys.readouterr().err
    assert f"row {victim.pk} column contact" in err and "555" not in err
    assert AuditEvent.objects.filter(action="encryption.rotate").get().detail["unreadable"] == 1
