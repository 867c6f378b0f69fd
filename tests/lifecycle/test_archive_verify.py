"""verify_archive reads the whole archive in memory, checks every segment, count and checksum
against the manifest and the audit chain inside, writes nothing to any database, and exits
non-zero on any problem."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from crsv_mis import audit
from crsv_mis.models import AuditEvent
from lifecycle import archive, archive_file
from lifecycle.archive_file import Damaged, WrongKey, encode_key, new_key
from tests.lifecycle.conftest import every_row, plaintext, reseal


@pytest.fixture
def exported(make_incident, archive_key, tmp_path):
    make_incident()
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    return path


def test_it_reports_an_intact_archive_without_touching_the_database(
        closed_mission, archive_key, tmp_path, key_file, capsys, django_assert_num_queries):
    exported = tmp_path / "mission.crsvarc"
    archive.export(exported, archive_key)
    before = every_row()
    with django_assert_num_queries(0):
        summary = archive.verify(exported, archive_file.load_key(key_file))
    assert summary.problems == [] and summary.audit_events == AuditEvent.objects.count() - 1
    call_command("verify_archive", str(exported), key_file=str(key_file))
    out = capsys.readouterr().out
    assert "Archive intact" in out and "DEMO (Test mission)" in out and f"{summary.audit_events} events" in out
    assert every_row() == before


def test_a_changed_byte_anywhere_is_found(exported, archive_key):
    data = bytearray(exported.read_bytes())
    for position in (len(data) // 2, len(data) - 3):
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        exported.write_bytes(tampered)
        with pytest.raises(Damaged, match="damaged"):
            archive.verify(exported, archive_key)


def test_a_changed_byte_fails_the_command(exported, key_file):
    data = bytearray(exported.read_bytes())
    data[len(data) // 2] ^= 0x80
    exported.write_bytes(data)
    with pytest.raises(CommandError, match="segment 1 fails its authentication"):
        call_command("verify_archive", str(exported), key_file=str(key_file))


def test_a_wrong_key_is_told_apart_from_damage(exported, tmp_path):
    wrong = tmp_path / "wrong.key"
    wrong.write_text(encode_key(new_key()))
    with pytest.raises(WrongKey):
        archive.verify(exported, new_key())
    with pytest.raises(CommandError, match="Wrong archive key"):
        call_command("verify_archive", str(exported), key_file=str(wrong))


def test_it_asks_for_a_key_in_plain_words(exported, monkeypatch, tmp_path):
    monkeypatch.delenv("ARCHIVE_KEY", raising=False)
    with pytest.raises(CommandError, match="No archive key: set ARCHIVE_KEY"):
        call_command("verify_archive", str(exported))
    monkeypatch.setenv("ARCHIVE_KEY", "not a key")
    with pytest.raises(CommandError, match="not base64"):
        call_command("verify_archive", str(exported))


def test_it_reads_the_key_from_the_environment(exported, archive_key, monkeypatch, capsys):
    monkeypatch.setenv("ARCHIVE_KEY", encode_key(archive_key))
    call_command("verify_archive", str(exported))
    assert "Archive intact" in capsys.readouterr().out


def test_a_truncated_archive_is_found(exported, archive_key):
    data = exported.read_bytes()
    exported.write_bytes(data[:-100])
    with pytest.raises(Damaged, match="cut short"):
        archive.verify(exported, archive_key)


def segments(data):
    position, parts = archive_file.HEADER_BYTES, []
    while position < len(data):
        size = int.from_bytes(data[position:position + 4], "big")
        parts.append(data[position:position + 4 + size])
        position += 4 + size
    return data[:archive_file.HEADER_BYTES], parts


@pytest.fixture
def many_segments(make_incident, archive_key, tmp_path, monkeypatch):
    make_incident()
    monkeypatch.setattr(archive_file, "SEGMENT_BYTES", 1024)
    path = tmp_path / "segmented.crsvarc"
    archive.export(path, archive_key)
    header, parts = segments(path.read_bytes())
    assert len(parts) > 3
    return path, header, parts


def test_segments_swapped_dropped_or_the_last_one_removed_are_found(many_segments, archive_key):
    path, header, parts = many_segments
    assert archive.verify(path, archive_key).problems == []
    swapped = [parts[0], parts[2], parts[1], *parts[3:]]
    dropped = [parts[0], *parts[2:]]
    for arrangement, message in ((swapped, "segment 2 fails"), (dropped, "segment 2 fails"),
                                 (parts[:-1], "without its last segment"),
                                 ([*parts[:-1], parts[1], parts[-1]], "fails its authentication")):
        path.write_bytes(header + b"".join(arrangement))
        with pytest.raises(Damaged, match=message):
            archive.verify(path, archive_key)


def test_a_row_removed_by_someone_with_the_key_is_found(exported, archive_key):
    lines = plaintext(exported, archive_key)
    start = lines.index(next(line for line in lines if line.startswith(b'{"fields"') and b'"incidents.victim"' in line))
    del lines[start + 1]
    reseal(exported, archive_key, lines)
    problems = archive.verify(exported, archive_key).problems
    assert "incidents.victim: the rows read do not match the section's count and checksum" in problems
    assert "the overall checksum does not match the manifest" in problems


def test_an_edited_audit_event_is_found_even_with_every_checksum_redone(exported, archive_key):
    lines = plaintext(exported, archive_key)
    section = next(i for i, line in enumerate(lines) if line.startswith(b'{"fields"')
                   and b'"crsv_mis.auditevent"' in line)
    fields = json.loads(lines[section])["fields"]
    row = json.loads(lines[section + 2])
    row[fields.index("reason")] = "edited afterwards"
    lines[section + 2] = archive._line(row)
    # Redo the section's checksum, the manifest's and the overall one, as a careful forger would.
    end = next(i for i in range(section, len(lines)) if lines[i].startswith(b'{"end"'))
    digest = hashlib.sha256(b"".join(line + b"\n" for line in lines[section + 1:end])).hexdigest()
    closing = json.loads(lines[end])
    closing["sha256"] = digest
    lines[end] = archive._line(closing)
    manifest = json.loads(lines[-1])["manifest"]
    manifest["model_rows"]["crsv_mis.auditevent"]["sha256"] = digest
    manifest["content_sha256"] = hashlib.sha256(b"".join(line + b"\n" for line in lines[:-1])).hexdigest()
    lines[-1] = archive._line({"manifest": manifest})
    reseal(exported, archive_key, lines)
    # (A resealed file is not the one its plain note names either: that is checked elsewhere.)
    problems = archive.verify(exported, archive_key, check_plain_summary=False).problems
    assert len(problems) == 1 and "content does not match its hash" in problems[0]


def test_audit_events_erased_by_retention_still_verify_in_the_archive(make_incident, archive_key, tmp_path):
    make_incident()
    erased = AuditEvent.objects.order_by("id")[:1]
    assert audit.anonymise(AuditEvent.objects.filter(pk__in=list(erased.values_list("pk", flat=True)))) == 1
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    assert archive.verify(path, archive_key).problems == []
