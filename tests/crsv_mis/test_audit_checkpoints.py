"""Checkpoints of the audit chain's head, signed with the chain key and kept outside the database:
`verify_audit_chain` checks every one, and nothing records or verifies without the key."""

import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from crsv_mis import audit, audit_checkpoints
from crsv_mis.models import AuditChainHead, AuditEvent
from crsv_mis.tasks import write_audit_checkpoint
from tests.crsv_mis.test_verify_audit_chain_command import TriggersOff

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints"


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_chain", stdout=out, stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, out.getvalue()


def test_it_writes_a_signed_checkpoint_that_verify_checks(checkpoint_dir):
    events = [audit.record("test.read", detail={"n": i}) for i in range(3)]
    assert write_audit_checkpoint.apply().get() == events[-1].id  # as a worker runs it
    (path,) = checkpoint_dir.iterdir()
    assert json.loads(path.read_text())["hash"] == events[-1].hash
    ok, out = verify()
    assert ok and "Checkpoints outside the database: 1 checked" in out


def test_it_reports_a_checkpoint_not_signed_with_the_chain_key(checkpoint_dir):
    audit.record("test.read")
    audit_checkpoints.write()
    (path,) = checkpoint_dir.iterdir()
    forged = json.loads(path.read_text())
    forged["event_id"] += 1000
    path.write_text(path.read_text() + json.dumps(forged) + "\n")
    ok, err = verify()
    assert not ok and ":2: not signed with the chain key" in err


def test_it_reports_the_newest_events_cut_off_and_the_head_moved_back(checkpoint_dir):
    events = [audit.record("test.read", detail={"n": i}) for i in range(4)]
    audit_checkpoints.write()
    with TriggersOff():
        AuditEvent.objects.filter(id__gte=events[2].id).delete()
        AuditChainHead.objects.update(last_hash=events[1].hash)
    assert audit.verify_chain(checkpoints=False) == []
    ok, err = verify()
    assert not ok and f"event {events[-1].id} is missing" in err


def test_nothing_records_or_verifies_without_the_chain_key(settings):
    audit.record("test.read")
    settings.AUDIT_CHAIN_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY is not set"):
        audit.record("test.read")
    with pytest.raises(CommandError, match="AUDIT_CHAIN_KEY is not set"):
        call_command("verify_audit_chain", stdout=io.StringIO())


def test_another_chain_key_does_not_verify_the_chain(settings):
    audit.record("test.read")
    settings.AUDIT_CHAIN_KEY = "another-key-entirely"
    assert any("does not match its hash" in p for p in audit.verify_chain())
