"""Refresh the fr and en catalogs from the sources (docs/i18n.md).

Msgids are English, so the en catalog is filled with msgstr = msgid; the fr catalog keeps its
translations and lists what is missing, which the catalog test then refuses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "maillage"
LOCALE = PACKAGE / "locale"
MAILLAGE = ROOT / ".venv" / "bin" / "maillage"
HEADER_EN = {
    "Project-Id-Version": "Maillage",
    "PO-Revision-Date": "2026-11-29 00:00-0500",
    "Last-Translator": "Maillage <maillage@localhost>",
    "Language-Team": "English (Canada)",
    "Language": "en",
}


def makemessages() -> None:
    # The en catalog is rebuilt from scratch: merging would carry fuzzy guesses into it.
    (LOCALE / "en" / "LC_MESSAGES" / "django.po").unlink(missing_ok=True)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="maillage.settings")
    subprocess.run(
        [str(MAILLAGE), "makemessages", "-l", "fr", "-l", "en", "--no-obsolete", "--no-wrap"],
        cwd=PACKAGE,
        env=env,
        check=True,
    )


def fill_english() -> None:
    """msgids are English: the en catalog is the identity (gettext's msgen)."""
    path = str(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    subprocess.run(["msgen", "--no-wrap", "-o", path, path], check=True)
    text = Path(path).read_text(encoding="utf-8")
    header, rest = text.split("\n\n", 1)
    header = "\n".join(
        line
        for line in header.splitlines()
        if line != "#, fuzzy" and not line.startswith(("# SOME", "# Copyright (C) YEAR", "# FIRST"))
    )
    for field, value in HEADER_EN.items():
        header = re.sub(rf'"{field}: .*\\n"', f'"{field}: {value}\\\\n"', header)
    Path(path).write_text(f"{header}\n\n{rest}", encoding="utf-8")


def missing_french() -> list[str]:
    """msgids of the fr catalog that are untranslated or fuzzy."""
    catalog = str(LOCALE / "fr" / "LC_MESSAGES" / "django.po")
    missing: list[str] = []
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", flag, "--no-wrap", catalog], capture_output=True, text=True, check=True
        )
        missing += [m for m in re.findall(r'(?m)^msgid "(.*)"$', result.stdout) if m]
    return missing


def main() -> int:
    makemessages()
    fill_english()
    missing = missing_french()
    for msgid in missing:
        print(f"fr missing: {msgid}")
    print(f"fr: {len(missing)} entries to translate")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
