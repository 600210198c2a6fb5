"""French is the default language and both catalogs are complete and current."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "maillage" / "locale"


def _msgids(po_file: Path) -> set[str]:
    """Every msgid (joined across continuation lines) of a catalog, without the header."""
    text = po_file.read_text(encoding="utf-8")
    ids = set()
    for match in re.finditer(r'(?m)^msgid ((?:".*"\n?)+)', text):
        parts = re.findall(r'"(.*)"', match.group(1))
        joined = "".join(parts)
        if joined:
            ids.add(joined)
    return ids


def _untranslated_or_fuzzy(po_file: Path) -> list[str]:
    found: list[str] = []
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", flag, "--no-wrap", str(po_file)],
            capture_output=True,
            text=True,
            check=True,
        )
        found += [m for m in re.findall(r'(?m)^msgid "(.*)"$', result.stdout) if m]
    return found


def test_the_french_catalog_has_no_untranslated_or_fuzzy_entry():
    assert _untranslated_or_fuzzy(LOCALE / "fr" / "LC_MESSAGES" / "django.po") == []


def test_the_english_catalog_has_no_untranslated_or_fuzzy_entry():
    assert _untranslated_or_fuzzy(LOCALE / "en" / "LC_MESSAGES" / "django.po") == []


def test_the_catalogs_hold_every_string_of_the_sources(tmp_path):
    """A string added without refreshing the catalogs (scripts/messages.py) fails here."""
    copy = tmp_path / "maillage"
    shutil.copytree(
        ROOT / "maillage",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "static", "locale", "*.mo"),
    )
    (copy / "locale").mkdir()
    cwd = Path.cwd()
    try:
        os.chdir(copy)
        call_command("makemessages", locale=["fr"], no_wrap=True, verbosity=0)
    finally:
        os.chdir(cwd)
    in_sources = _msgids(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    for language in ("fr", "en"):
        in_catalog = _msgids(LOCALE / language / "LC_MESSAGES" / "django.po")
        assert sorted(in_sources - in_catalog) == [], f"{language} catalog is missing strings"


def test_french_is_the_default_language(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="fr-CA"' in response.content.decode()
