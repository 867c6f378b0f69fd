"""export_archive, verify_archive and restore_archive as an operator runs them: a new key written to
a file of its own and never printed, files never overwritten, the export audited, a plain summary
beside the archive without survivor data."""

import json
import stat

import pytest
from django.core.management import CommandError, call_command

from crsv_mis.models import AuditEvent
from lifecycle import archive
from lifecycle.archive_file import load_key
from tests.lifecycle.conftest import NARRATIVE, VICTIM_NAME


@pytest.fixture
def recorded(make_incident):
    return make_incident(narrative=NARRATIVE, victims=None)


def test_export_with_a_new_key_writes_the_key_apart_and_never_prints_it(recorded, users, tmp_path, capsys):
    path, key_path = tmp_path / "mission.crsvarc", tmp_path / "archive.key"
    call_command("export_archive", str(path), new_key=str(key_path), by="swpa")
    out = capsys.readouterr()
    key_text = key_path.read_text().strip()
    assert f"New archive key written to {key_path}" in out.out and "written to" in out.out
    assert key_text not in out.out + out.err
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600 and stat.S_IMODE(path.stat().st_mode) == 0o600
    call_command("verify_archive", str(path), key_file=str(key_path))
    assert "Archive intact" in capsys.readouterr().out

    started, written = AuditEvent.objects.filter(action__startswith="archive.").order_by("id")
    assert (started.action, written.action, written.username) == ("archive.export", "archive.written", "swpa")
    summary = archive.verify(path, load_key(key_path))
    assert written.detail["archive"] == started.detail["archive"] == summary.archive_id
    assert summary.manifest["created_by"] == "swpa" and summary.manifest["missions"] == [
        {"code": "DEMO", "name": "Test mission"}]


def test_the_plain_summary_identifies_the_file_and_holds_no_survivor_data(recorded, archive_key, tmp_path):
    path = tmp_path / "mission.crsvarc"
    exported = archive.export(path, archive_key)
    text = archive.summary_path(path).read_text()
    plain = json.loads(text)
    assert set(plain) == {"archive_id", "format", "created_at", "file_sha256", "read_with"}
    assert plain["archive_id"] == exported.archive_id and plain["file_sha256"] == exported.file_sha256
    assert NARRATIVE not in text and VICTIM_NAME not in text and "Testname" not in text


def test_no_file_is_ever_overwritten(recorded, key_file, tmp_path):
    path = tmp_path / "mission.crsvarc"
    path.write_bytes(b"an earlier archive")
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("export_archive", str(path), key_file=str(key_file))
    assert path.read_bytes() == b"an earlier archive"
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_archive", str(tmp_path / "other.crsvarc"), new_key=str(key_file))
    assert not (tmp_path / "other.crsvarc").exists()


def test_a_file_that_is_not_an_archive_is_named_so(db, key_file, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("meeting notes")
    with pytest.raises(CommandError, match="not a CRSV MIS archive"):
        call_command("verify_archive", str(path), key_file=str(key_file))


def test_a_plain_summary_that_does_not_match_is_reported(recorded, archive_key, key_file, tmp_path):
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    plain_path = archive.summary_path(path)
    plain = json.loads(plain_path.read_text())
    plain["file_sha256"] = "0" * 64
    plain_path.write_text(json.dumps(plain))
    with pytest.raises(CommandError, match="NOT valid"):
        call_command("verify_archive", str(path), key_file=str(key_file))
    assert archive.verify(path, archive_key).problems == [
        "mission.crsvarc.summary.json does not describe this archive (the archive itself is fine)"]
    assert archive.verify(path, archive_key, check_plain_summary=False).problems == []
