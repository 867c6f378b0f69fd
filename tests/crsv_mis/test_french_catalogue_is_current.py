"""Every string the code and templates show to people is in the French catalogue, translated: the
catalogue is collected again from the source (as `makemessages` does) into a copy, and nothing may come
out new, fuzzy or untranslated. A string added without its translation fails here."""

import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
IGNORED = [".venv", "benchmarks", "tests", "locale", "static", "docs"]


def test_every_string_of_the_source_has_a_french_translation(tmp_path, settings, monkeypatch):
    copy = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", copy)
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(ROOT)
    call_command("makemessages", locale=["fr"], ignore_patterns=IGNORED, no_obsolete=True, verbosity=0)

    collected = polib.pofile(str(copy / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in collected if not entry.translated() or "fuzzy" in entry.flags]
    assert missing == [], "run makemessages and translate these (README, Translations)"
    committed = polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert {(e.msgctxt, e.msgid) for e in collected} == {(e.msgctxt, e.msgid) for e in committed}
