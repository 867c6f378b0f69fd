"""Signed checkpoints of the audit chain's head, written outside the database.

The HMAC chain (crsv_mis/audit.py) stops whoever controls the database from re-sealing a trail
they edited, but not from cutting off its newest events and moving the head back: what is left is a
valid chain. A checkpoint, taken on a schedule (beat) and kept where the database and its owner
cannot write (AUDIT_CHECKPOINT_DIR: another host's volume, a write-once bucket), names an event and
its hash, signed with the chain key. `problems` checks that every checkpointed event is still there
with that hash: an event removed before the newest checkpoint is caught even if the chain around
it were re-sealed. What was recorded after the newest checkpoint is only as safe as the interval.

One file per day, one JSON line per checkpoint, only ever appended to.
"""

import hashlib
import hmac
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .audit import chain_key
from .models import AuditEvent

MISSING_DIR = "AUDIT_CHECKPOINT_DIR is not set: there is nowhere outside the database to write checkpoints to."


def directory():
    """The checkpoint directory, or None when none is configured (development, tests)."""
    return Path(settings.AUDIT_CHECKPOINT_DIR) if settings.AUDIT_CHECKPOINT_DIR else None


def _signature(event_id, event_hash, written_at):
    message = f"crsv-audit-checkpoint\n{event_id}\n{event_hash}\n{written_at}".encode()
    return hmac.new(chain_key(), message, hashlib.sha256).hexdigest()


def write():
    """Append a checkpoint of the newest event to today's file; returns it (None for an empty trail)."""
    folder = directory()
    if folder is None:
        raise ImproperlyConfigured(MISSING_DIR)
    newest = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if newest is None:
        return None
    written_at = timezone.now().isoformat()
    checkpoint = {"event_id": newest["id"], "hash": newest["hash"], "written_at": written_at,
                  "signature": _signature(newest["id"], newest["hash"], written_at)}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-checkpoints-{timezone.now():%Y-%m-%d}.jsonl"
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(checkpoint, sort_keys=True) + "\n")
    return checkpoint


def read():
    """(file name, line number, checkpoint dict or None if unreadable) of every checkpoint."""
    folder = directory()
    if folder is None:
        return []
    found = []
    for path in sorted(folder.glob("audit-checkpoints-*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                checkpoint = json.loads(line)
            except ValueError:
                checkpoint = None
            found.append((path.name, number, checkpoint))
    return found


def _signed(checkpoint):
    try:
        expected = _signature(int(checkpoint["event_id"]), checkpoint["hash"], checkpoint["written_at"])
        return hmac.compare_digest(expected, str(checkpoint["signature"]))
    except (KeyError, TypeError, ValueError):
        return False


def problems():
    """What the checkpoints say is missing or changed in the database (empty when all hold)."""
    folder = directory()
    if folder is None:
        return []
    if not folder.is_dir():
        return [f"the checkpoint directory {folder} does not exist"]
    found = []
    checkpoints = read()
    ids = sorted({c["event_id"] for _, _, c in checkpoints if isinstance(c, dict) and _signed(c)})
    hashes = {}
    for start in range(0, len(ids), 500):
        hashes.update(AuditEvent.objects.filter(id__in=ids[start:start + 500]).values_list("id", "hash"))
    for name, number, checkpoint in checkpoints:
        where = f"checkpoint {name}:{number}"
        if not isinstance(checkpoint, dict) or not _signed(checkpoint):
            found.append(f"{where}: not signed with the chain key (forged or damaged)")
        elif checkpoint["event_id"] not in hashes:
            found.append(f"{where}: event {checkpoint['event_id']} is missing (the trail was cut or rewritten)")
        elif not hmac.compare_digest(hashes[checkpoint["event_id"]], checkpoint["hash"]):
            found.append(f"{where}: event {checkpoint['event_id']} has another hash (the trail was rewritten)")
    return found
