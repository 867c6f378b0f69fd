"""The mission-closure archive: every record of one mission in one encrypted file that a successor
office can read with the archive key alone, check without a database, and restore into an empty one.

What is in it: every row of the mission in every model of the project apps (crsv_mis, incidents,
mara, referrals, reporting, lifecycle), found from the installed models so that models added later
are archived too, and nothing of another mission sharing the database (lifecycle/archive_scope.py
says which rows are the mission's), plus what those rows need to make sense: auth groups and their
permissions, users' groups and permissions, django-guardian object grants and the Django admin's
change log. Content types and
permissions are written by natural key (app label, model, codename), because their ids differ from
one database to another; a restore maps them to the target's own rows.

What is left out, on purpose (LEFT_OUT): sessions and django-axes login records (short-lived
security state of the old deployment), API tokens and TOTP devices (credentials: a restored
database must not accept the old mission's tokens or second factors), auth permissions and content
types themselves (recreated by `migrate`, referred to by natural key). Password hashes are replaced
by Django's unusable-password marker: every restored account exists, with its role, stations and
history, but nobody logs in until an administrator sets a new password (and the first login then
enrols a new second factor).

Encrypted fields are written decrypted, inside the archive's own encryption: the archive must not
depend on the old FIELD_ENCRYPTION_KEYS, and a restore encrypts them again with the target's keys.

The plaintext inside the sealed container (lifecycle/archive_file.py) is JSON lines:

    {"archive": {...}}                            what, when, by whom, which mission
    {"model": "incidents.incident", "fields": [...]}
    [1, "DEMO-2026-0001", ...]                    one row: values in the order of "fields"
    {"end": "incidents.incident", "rows": 3, "sha256": "..."}
    ...                                           every model, in dependency order
    {"manifest": {...}}                           counts, checksums, audit chain head; last line

A model's checksum is the SHA-256 of its row lines (each with its newline); the manifest's
`content_sha256` covers every byte of plaintext before the manifest line.
"""

import base64
import datetime
import decimal
import getpass
import hashlib
import json
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.duration import duration_iso_string

from crsv_mis import audit, encryption
from crsv_mis.models import AuditEvent, Mission

from .archive_file import ArchiveError, Damaged, SealedWriter, plaintext_lines
from .archive_scope import MissionScope

FORMAT_VERSION = 1
PROJECT_APPS = ("crsv_mis", "incidents", "mara", "referrals", "reporting", "lifecycle")
SUPPORT_APPS = ("auth", "guardian", "admin")
LEFT_OUT = {
    "auth.permission": "recreated by migrate; rows refer to permissions by natural key",
    "crsv_mis.apitoken": "credentials of the old deployment",
    "crsv_mis.totpdevice": "credentials of the old deployment",
}
# Rows refer to these by natural key, never by id.
NATURAL_KEYED = ("contenttypes.contenttype", "auth.permission")
AUDIT_EVENTS = "crsv_mis.auditevent"
AUDIT_HEAD = "crsv_mis.auditchainhead"
BATCH = 500
# A "not empty" table is still accepted when it holds only rows the archive holds identically (a
# data migration's reference list, e.g. the forms of violence); more rows than this are refused
# outright instead of being compared.
MAX_PRESENT_ROWS = 10_000


class NotEmpty(ArchiveError):
    pass


class ArchiveInvalid(ArchiveError):
    """The archive decrypts but does not agree with its manifest (or with this code's models)."""


# ---- what is archived


def archived_models():
    """Every model archived, in dependency order (a row's foreign keys point to earlier models)."""
    chosen = [
        model for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS + SUPPORT_APPS
        and model._meta.label_lower not in LEFT_OUT
        and model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    return dependency_order(chosen)


def dependency_order(models):
    """Models sorted so that each comes after the models its foreign keys point to. Foreign keys
    are deferred to the end of the transaction on PostgreSQL and SQLite, so a cycle (none today)
    would still restore; the order makes the archive read naturally and a restore fail early."""
    remaining = {m._meta.label_lower: m for m in models}
    ordered, done = [], set()

    def deps(model):
        return {f.related_model._meta.label_lower for f in model._meta.local_concrete_fields
                if f.is_relation and f.related_model is not model} & remaining.keys()

    while remaining:
        ready = sorted(label for label, m in remaining.items() if deps(m) <= done)
        if not ready:  # a cycle: take the rest in name order
            ready = sorted(remaining)
        for label in ready:
            ordered.append(remaining.pop(label))
            done.add(label)
    return ordered


def scope_problems():
    """Foreign keys from an archived model to a model that is neither archived nor natural-keyed:
    such a row could not be restored. A test keeps this empty as models are added."""
    archived = {m._meta.label_lower for m in archived_models()}
    problems = []
    for model in archived_models():
        for f in model._meta.local_concrete_fields:
            if f.is_relation:
                target = f.related_model._meta.label_lower
                if target not in archived and target not in NATURAL_KEYED:
                    problems.append(f"{model._meta.label_lower}.{f.name} points to {target}, which is not archived")
    return problems


def _fields(model):
    return list(model._meta.local_concrete_fields)


# ---- values in and out of JSON


def _natural_target(f):
    if f.is_relation and f.related_model is not None:
        label = f.related_model._meta.label_lower
        if label in NATURAL_KEYED:
            return label
    return None


class NaturalKeys:
    """Ids of content types and permissions <-> their natural keys, for one database."""

    def __init__(self, using):
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        self.using = using
        self.ContentType, self.Permission = ContentType, Permission
        types = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.using(using).all()}
        self.to_key = {
            "contenttypes.contenttype": types,
            "auth.permission": {p.pk: [p.codename, *types[p.content_type_id]]
                                for p in Permission.objects.using(using).all()},
        }
        self.to_id = {label: {tuple(key): pk for pk, key in keys.items()} for label, keys in self.to_key.items()}

    def key(self, label, pk):
        return None if pk is None else self.to_key[label][pk]

    def id(self, label, key):
        """The target's id for a natural key; a content type or permission missing (the model is
        gone from this code) is created so that rows referring to it keep their meaning."""
        if key is None:
            return None
        key = tuple(key)
        found = self.to_id[label].get(key)
        if found is None:
            if label == "contenttypes.contenttype":
                found = self.ContentType.objects.db_manager(self.using).get_or_create(
                    app_label=key[0], model=key[1])[0].pk
            else:
                content_type = self.id("contenttypes.contenttype", key[1:])
                found = self.Permission.objects.db_manager(self.using).get_or_create(
                    codename=key[0], content_type_id=content_type, defaults={"name": key[0]})[0].pk
            self.to_id[label][key] = found
        return found


def _encoder(f, natural_keys):
    target = _natural_target(f)
    if target:
        return lambda value: natural_keys.key(target, value)
    internal = f.get_internal_type()
    if internal == "BinaryField":
        return lambda value: None if value is None else base64.b64encode(bytes(value)).decode()
    if internal == "DurationField":
        return lambda value: None if value is None else duration_iso_string(value)
    if f.name == "password" and f.model is apps.get_model(settings.AUTH_USER_MODEL):
        # Credentials stay behind (see the module docstring).
        return lambda value: UNUSABLE_PASSWORD_PREFIX
    return _plain


def _plain(value):
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _decoder(f, natural_keys):
    target = _natural_target(f)
    if target:
        return lambda value: natural_keys.id(target, value)
    return lambda value: None if value is None else f.to_python(value)


def _line(values):
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()


def serialized_rows(model, using, natural_keys, chunk_size=2000, scope=None):
    """Yield each row of `model` (of the mission of `scope` only, when given) as its archive line
    (bytes), in primary-key order."""
    fields = _fields(model)
    attnames = [f.attname for f in fields]
    encoders = [_encoder(f, natural_keys) for f in fields]
    rows = scope.rows(model) if scope is not None else model._base_manager.using(using)
    transform = scope.transform(model, attnames) if scope is not None else None
    for values in rows.order_by("pk").values_list(*attnames).iterator(chunk_size=chunk_size):
        if transform:
            values = transform(values)
        yield _line([encode(value) for encode, value in zip(encoders, values, strict=True)])


# ---- export


@dataclass
class Summary:
    """What an export wrote, or what a verification read."""

    archive_id: str = ""
    header: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)  # label -> {"rows": n, "sha256": hex}
    segments: int = 0
    audit_events: int = 0
    audit_head: str = ""
    file_sha256: str = ""
    problems: list = field(default_factory=list)

    @property
    def rows(self):
        return sum(m["rows"] for m in self.models.values())


@contextmanager
def _snapshot(using):
    """One consistent view of every table while the archive is written: a read-only repeatable-read
    transaction on PostgreSQL (a transaction already is one on SQLite)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _operator(by):
    return by.username if by is not None else f"system ({getpass.getuser()})"


def archived_mission(code=None, using=DEFAULT_DB_ALIAS):
    """The mission to archive: the one named by its code, or the only one of the database."""
    missions = Mission.objects.using(using).order_by("code")
    if code:
        found = missions.filter(code=code).first()
        if found is None:
            raise ArchiveError(f"No mission with the code {code!r}.")
        return found
    found = list(missions[:2])
    if len(found) != 1:
        raise ArchiveError("Name the mission to archive by its code: an archive holds one mission "
                           f"and this database has {missions.count()}.")
    return found[0]


def export(path, key, *, mission=None, by=None, using=DEFAULT_DB_ALIAS, progress=None):
    """Write the archive of `mission` (the database's only one when not given) to `path` (never
    overwriting a file) and return its Summary.

    The export is audited twice: `archive.export` before the snapshot, so that the archived chain
    ends with the event that made it, and `archive.written` after the file is complete (in the
    source database only), with the file's checksum."""
    path = Path(path)
    if path.exists():
        raise ArchiveError(f"{path} already exists; an archive is never overwritten.")
    mission = mission if isinstance(mission, Mission) else archived_mission(mission, using)
    archive_id = os.urandom(16)
    summary = Summary(archive_id=archive_id.hex())
    audit.record("archive.export", user=by, obj=mission, detail={"archive": summary.archive_id})
    partial = path.with_name(path.name + ".partial")
    try:
        # Created for its owner only, and never over an existing file.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            writer = SealedWriter(f, key, archive_id)
            content = hashlib.sha256()

            def put(line):
                data = line + b"\n"
                content.update(data)
                writer.write(data)

            with _snapshot(using):
                _write_content(put, summary, mission, by, using, progress)
            summary.manifest["content_sha256"] = content.hexdigest()
            writer.write(_line({"manifest": summary.manifest}) + b"\n")
            summary.segments = writer.close()
            f.flush()
            os.fsync(f.fileno())
        summary.file_sha256 = writer.file_sha256.hexdigest()
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _write_plain_summary(path, summary)
    audit.record("archive.written", user=by, detail={
        "archive": summary.archive_id, "file_sha256": summary.file_sha256, "rows": summary.rows,
        "models": len(summary.models), "audit_head": summary.audit_head,
    })
    return summary


def _write_content(put, summary, mission, by, using, progress):
    natural_keys = NaturalKeys(using)
    models = archived_models()
    scope = MissionScope(mission, models, using)
    summary.header = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "created_by": _operator(by),
        "database": connections[using].vendor,
        "missions": [{"code": mission.code, "name": mission.name}],
        "models": [m._meta.label_lower for m in models],
        "left_out": sorted(LEFT_OUT),
    }
    put(_line({"archive": summary.header}))
    chain = ChainCheck()
    for model in models:
        label = model._meta.label_lower
        fields = _fields(model)
        put(_line({"model": label, "fields": [f.attname for f in fields]}))
        digest, count = hashlib.sha256(), 0
        check = chain.checker(label, [f.attname for f in fields])
        for line in serialized_rows(model, using, natural_keys, scope=scope):
            put(line)
            digest.update(line + b"\n")
            count += 1
            if check:
                check(line)
        summary.models[label] = {"rows": count, "sha256": digest.hexdigest()}
        put(_line({"end": label, "rows": count, "sha256": digest.hexdigest()}))
        if progress:
            progress(label, count)
    summary.audit_events, summary.audit_head = chain.count, chain.head_hash
    summary.problems = chain.problems()
    summary.manifest = {
        **summary.header,
        "archive_id": summary.archive_id,
        "model_rows": summary.models,
        "audit": {"events": chain.count, "last_hash": chain.last_hash, "head_hash": chain.head_hash,
                  "chain_problems": summary.problems},
    }


def _write_plain_summary(path, summary):
    """A readable note beside the archive, for whoever stores it: what is needed to tell which file
    it is and check that it is whole, nothing more. Counts of records would tell how many
    survivors, incidents or referrals the mission held to anyone without the key; they are in the
    authenticated manifest inside the archive."""
    plain = {
        "archive_id": summary.archive_id, "format": FORMAT_VERSION, "created_at": summary.header["created_at"],
        "file_sha256": summary.file_sha256,
        "read_with": "manage.py verify_archive / restore_archive and the archive key",
    }
    plain_path = summary_path(path)
    with open(plain_path, "w") as f:
        json.dump(plain, f, indent=2, sort_keys=True)
        f.write("\n")


def summary_path(path):
    path = Path(path)
    return path.with_name(path.name + ".summary.json")


# ---- the audit chain inside an archive


class ChainCheck:
    """Recomputes the audit hash chain from archived rows, as crsv_mis.audit.verify_chain does on
    the database (same audit.content_intact)."""

    def __init__(self):
        self.prev = audit.GENESIS
        self.last_hash = audit.GENESIS
        self.head_hash = None
        self.count = 0
        self.breaks = []

    def checker(self, label, attnames):
        if label == AUDIT_EVENTS:
            by_attname = {f.attname: f for f in AuditEvent._meta.concrete_fields}
            decoders = [_decoder(by_attname[name], None) for name in attnames]

            def check(line):
                values = json.loads(line)
                event = AuditEvent(**{name: decode(v) for name, decode, v in zip(attnames, decoders, values,
                                                                                   strict=True)})
                self.count += 1
                if event.prev_hash != self.prev:
                    self.breaks.append(f"audit event {event.id}: previous-hash link broken")
                if not audit.content_intact(event):
                    self.breaks.append(f"audit event {event.id}: content does not match its hash")
                self.prev = self.last_hash = event.hash
            return check
        if label == AUDIT_HEAD:
            def head(line):
                values = dict(zip(attnames, json.loads(line), strict=True))
                if values.get("id") == 1:
                    self.head_hash = values["last_hash"]
            return head
        return None

    def problems(self):
        problems = list(self.breaks)
        if self.head_hash is not None and self.head_hash != self.last_hash:
            problems.append("the audit chain head does not match the last archived event")
        return problems


# ---- reading and verifying


def verify(path, key, *, present=None, progress=None, check_plain_summary=True):
    """Read the whole archive (streaming, in memory only) and return its Summary with every
    problem found. Nothing is written anywhere.

    `present` ({label: {pk line: row line}}, for restore) holds rows the target database already
    has; each must be in the archive identically, else it is reported as a conflict."""
    summary = Summary()
    stats = {}
    path = Path(path)
    try:
        f = open(path, "rb")
    except OSError as error:
        raise ArchiveError(f"Cannot open {path}: {error.strerror}.") from None
    with f:
        try:
            _read(plaintext_lines(f, key, stats), summary, present, progress)
        finally:
            summary.archive_id = stats.get("archive_id", summary.archive_id)
            summary.segments = stats.get("segments", 0)
    if check_plain_summary:
        _check_plain_summary(path, summary)
    return summary


def _read(lines, summary, present, progress):  # noqa: C901 - one state machine, read top to bottom
    content = hashlib.sha256()
    chain = ChainCheck()
    current = None
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            raise Damaged("The archive content is not valid (a line is not JSON).") from None
        if isinstance(item, list):
            if current is None:
                raise ArchiveInvalid("A row appears outside a model section.")
            if len(item) != len(current["fields"]):
                raise ArchiveInvalid(f"A row of {current['label']} has {len(item)} values for "
                                     f"{len(current['fields'])} fields.")
            current["rows"] += 1
            current["digest"].update(line + b"\n")
            if current["check"]:
                current["check"](line)
            if current["present"] is not None:
                _match_present(current, item, line)
            content.update(line + b"\n")
            continue
        if not isinstance(item, dict) or len(item) == 0:
            raise ArchiveInvalid("The archive content has an unknown line.")
        if "manifest" in item:
            if current is not None:
                raise ArchiveInvalid(f"The section of {current['label']} is not closed.")
            _check_manifest(item["manifest"], content.hexdigest(), summary, chain)
            summary.manifest = item["manifest"]
            break
        content.update(line + b"\n")
        if "archive" in item:
            summary.header = item["archive"]
            if summary.header.get("format") != FORMAT_VERSION:
                raise ArchiveInvalid(f"Archive content format {summary.header.get('format')} is not known.")
        elif "model" in item:
            label = item["model"]
            current = {"label": label, "fields": item["fields"], "rows": 0, "digest": hashlib.sha256(),
                       "check": chain.checker(label, item["fields"]),
                       "present": (present or {}).get(label), "matched": set()}
            if current["present"] is not None:
                current["pk"] = _pk_index(label, item["fields"])
        elif "end" in item:
            if current is None or item["end"] != current["label"]:
                raise ArchiveInvalid("A model section ends that was not opened.")
            digest = current["digest"].hexdigest()
            if item.get("rows") != current["rows"] or item.get("sha256") != digest:
                summary.problems.append(f"{current['label']}: the rows read do not match the section's count "
                                        "and checksum")
            if current["present"] is not None:
                unmatched = len(current["present"]) - len(current["matched"])
                if unmatched:
                    summary.problems.append(f"the database is not empty: {current['label']} holds {unmatched} "
                                            "row(s) that are not in the archive")
            summary.models[current["label"]] = {"rows": current["rows"], "sha256": digest,
                                                "fields": current["fields"]}
            if progress:
                progress(current["label"], current["rows"])
            current = None
        else:
            raise ArchiveInvalid("The archive content has an unknown line.")
    else:
        raise ArchiveInvalid("The archive has no manifest.")
    for extra in lines:
        if extra:
            raise ArchiveInvalid("The archive has content after its manifest.")


def _pk_index(label, attnames):
    model = apps.get_model(label)
    return attnames.index(model._meta.pk.attname)


def _match_present(current, row, line):
    pk = _line(row[current["pk"]])
    existing = current["present"].get(pk)
    if existing is None:
        return
    if existing != line:
        raise NotEmpty(f"The database is not empty: {current['label']} already holds row {pk.decode()} with "
                       "different values. Restore only into an empty database.")
    current["matched"].add(pk)


def _check_manifest(manifest, content_sha256, summary, chain):
    problems = summary.problems
    if manifest.get("content_sha256") != content_sha256:
        problems.append("the overall checksum does not match the manifest")
    expected = manifest.get("model_rows", {})
    for label in sorted(set(expected) | set(summary.models)):
        want, got = expected.get(label), summary.models.get(label)
        if want is None or got is None:
            problems.append(f"{label}: in the {'archive' if want is None else 'manifest'} only")
        elif want["rows"] != got["rows"]:
            problems.append(f"{label}: {got['rows']} rows read, the manifest says {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"{label}: checksum differs from the manifest")
    audit_manifest = manifest.get("audit", {})
    summary.audit_events, summary.audit_head = chain.count, chain.head_hash or ""
    if audit_manifest.get("events") != chain.count:
        problems.append(f"audit trail: {chain.count} events read, the manifest says {audit_manifest.get('events')}")
    if audit_manifest.get("last_hash") != chain.last_hash or audit_manifest.get("head_hash") != chain.head_hash:
        problems.append("audit trail: the chain head differs from the manifest")
    problems.extend(chain.problems())


def _check_plain_summary(path, summary):
    plain_path = summary_path(path)
    if not plain_path.exists() or not summary.manifest:
        return
    try:
        plain = json.loads(plain_path.read_text())
    except ValueError:
        summary.problems.append(f"{plain_path.name} is not valid JSON")
        return
    if plain.get("archive_id") != summary.archive_id or plain.get("file_sha256") != _file_sha256(path):
        summary.problems.append(f"{plain_path.name} does not describe this archive (the archive itself is fine)")


def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- restore


@dataclass
class Restored:
    summary: Summary
    inserted: int
    kept: int


def restore(path, key, *, by_username="", using=DEFAULT_DB_ALIAS, progress=None):
    """Restore the archive into an empty database: same primary keys, encrypted fields encrypted
    again with this database's keys, sequences moved past the restored ids.

    The archive is verified completely first (nothing is written if anything is wrong); then every
    row is inserted in one transaction, each table is read back and its checksum compared with the
    manifest and the audit chain is verified; only then is the restore itself recorded in the
    restored chain and the transaction committed. Without this database's field keys nothing is
    read or written (the identifying fields would have no key to be encrypted with)."""
    encryption.keys()
    models = {m._meta.label_lower: m for m in archived_models()}
    present = _present_rows(models, using)
    # The plain summary beside the file is not authenticated: a restore does not depend on it.
    summary = verify(path, key, present=present, check_plain_summary=False)
    if summary.problems:
        conflicts = [p for p in summary.problems if p.startswith("the database is not empty")]
        if conflicts:
            raise NotEmpty(conflicts[0] + ". Restore only into an empty database.")
        raise ArchiveInvalid("The archive did not verify: " + "; ".join(summary.problems[:5]))
    _check_schema(summary, models)
    inserted = 0
    with transaction.atomic(using=using):
        _migrate_made_users(using).delete()
        natural_keys = NaturalKeys(using)
        with open(path, "rb") as f:
            inserted = _insert_all(plaintext_lines(f, key), models, present, natural_keys, using, progress)
        _reset_sequences(models.values(), using)
        _check_restored(summary, models, using)
        by = None
        if by_username:
            by = apps.get_model(settings.AUTH_USER_MODEL)._default_manager.using(using).filter(
                username=by_username).first()
        audit.record("archive.restore", user=by, detail={
            "archive": summary.archive_id, "rows": inserted, "models": len(summary.models),
            "source_created_at": summary.header.get("created_at"), "operator": by_username or getpass.getuser(),
        })
    kept = sum(len(rows) for rows in present.values())
    return Restored(summary=summary, inserted=inserted, kept=kept)


def _migrate_made_users(using):
    """The users `migrate` itself makes in an empty database: django-guardian's anonymous user. A
    restore replaces it with the archived one (same id as in the source)."""
    from guardian.conf import settings as guardian_settings

    users = apps.get_model(settings.AUTH_USER_MODEL)._base_manager.using(using)
    return users.filter(username=guardian_settings.ANONYMOUS_USER_NAME)


def _present_rows(models, using):
    """Rows already in the target, per table, as archive lines keyed by their primary key."""
    natural_keys = None
    present = {}
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for label, model in models.items():
        count = model._base_manager.using(using).count()
        if model is user_model:
            count -= _migrate_made_users(using).count()
        if not count:
            continue
        if count > MAX_PRESENT_ROWS or label in (AUDIT_EVENTS, AUDIT_HEAD) or model is user_model:
            raise NotEmpty(f"The database is not empty: {label} holds {count} row(s). "
                           "Restore only into an empty database.")
        natural_keys = natural_keys or NaturalKeys(using)
        pk_index = [f.attname for f in _fields(model)].index(model._meta.pk.attname)
        present[label] = {_line(json.loads(line)[pk_index]): line
                          for line in serialized_rows(model, using, natural_keys)}
    return present


def _check_schema(summary, models):
    for label, section in summary.models.items():
        model = models.get(label)
        if model is None:
            raise ArchiveInvalid(f"The archive holds {label}, which this version of CRSV MIS does not have.")
        fields = [f.attname for f in _fields(model)]
        if section["fields"] != fields:
            raise ArchiveInvalid(f"The archive's {label} has other fields than this version of CRSV MIS "
                                 "(restore with the version that wrote it, or migrate it first).")


class _Inserts:
    """Rows of one table inserted as they are: same primary keys, no save(), no signals (raw)."""

    def __init__(self, model, using):
        self.model, self.using, self.fields, self.batch = model, using, _fields(model), []

    def add(self, values):
        self.batch.append(self.model(**{f.attname: value for f, value in zip(self.fields, values, strict=True)}))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self):
        if self.batch:
            self.model._base_manager.using(self.using)._insert(self.batch, fields=self.fields, raw=True,
                                                               using=self.using)
            self.batch = []

    def close(self, error=None):
        if error is None:
            self.flush()


class _Copy:
    """The same on PostgreSQL through COPY, several times faster than INSERTs for a large mission.
    Values are prepared by each field as an INSERT would (encryption with this database's keys,
    JSON, binary)."""

    def __init__(self, model, using):
        self.connection = connections[using]
        self.fields = _fields(model)
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        self.cursor = self.connection.cursor()
        self.copying = self.cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN")
        self.copy = self.copying.__enter__()

    def add(self, values):
        self.copy.write_row([f.get_db_prep_save(value, self.connection)
                             for f, value in zip(self.fields, values, strict=True)])

    def close(self, error=None):
        # With an error, psycopg ends the COPY with CopyFail so that the transaction can roll back.
        self.copying.__exit__(type(error) if error else None, error, error.__traceback__ if error else None)
        self.cursor.close()


def _insert_all(lines, models, present, natural_keys, using, progress):
    state = {}
    writer = _Copy if connections[using].vendor == "postgresql" else _Inserts
    try:
        inserted = _write_tables(lines, models, present, natural_keys, using, progress, writer, state)
    except BaseException as error:
        if state.get("open"):
            state["open"].close(error)
        raise
    return inserted


def _write_tables(lines, models, present, natural_keys, using, progress, writer, state):
    inserted = 0
    table = decoders = None
    skip, pk_index = {}, 0
    for line in lines:
        item = json.loads(line)
        if isinstance(item, list):
            if skip and _line(item[pk_index]) in skip:
                continue
            table.add([decode(value) for decode, value in zip(decoders, item, strict=True)])
            inserted += 1
        elif "model" in item:
            model = models[item["model"]]
            fields = _fields(model)
            decoders = [_decoder(f, natural_keys) for f in fields]
            pk_index = [f.attname for f in fields].index(model._meta.pk.attname)
            skip = present.get(item["model"], {})
            table = state["open"] = writer(model, using)
        elif "end" in item:
            state["open"] = None
            table.close()
            if progress:
                progress(item["end"], item["rows"])
        elif "manifest" in item:
            break
    return inserted


def _reset_sequences(models, using):
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _check_restored(summary, models, using):
    """Read every restored table back (decrypting with this database's keys) and compare it with the
    manifest, then verify the audit chain: a restore that does not reproduce the archive is
    rolled back."""
    natural_keys = NaturalKeys(using)
    for label, section in summary.models.items():
        digest, count = hashlib.sha256(), 0
        for line in serialized_rows(models[label], using, natural_keys):
            digest.update(line + b"\n")
            count += 1
        if count != section["rows"] or digest.hexdigest() != section["sha256"]:
            raise ArchiveInvalid(f"Restoring {label} did not reproduce the archived rows; nothing was restored.")
    problems = audit.verify_chain(checkpoints=False)  # the checkpoints are the source deployment's
    if problems:
        raise ArchiveInvalid("The restored audit chain does not verify (" + problems[0] + "); nothing was restored.")
