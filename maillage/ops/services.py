"""Backups: everything a Maillage needs to come back, in one folder, taken while it runs."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

RESTORE = """Maillage backup, {when}

maillage.sqlite3   the database, copied with SQLite's online backup (consistent while running)
media/publishing/  the images of planned posts
secret_key         the secret key, which also encrypts the networks' access tokens{key_note}

To restore: stop the services, put maillage.sqlite3 in MAILLAGE_VAR_DIR (and delete any
maillage.sqlite3-wal and -shm beside it), media/ in MAILLAGE_VAR_DIR/media/, secret_key in
MAILLAGE_VAR_DIR/ (mode 600), run `maillage migrate`, start the services. docs/deployment.md.
"""


class BackupRefused(Exception):
    """The backup cannot be taken here; the message says why and what to do."""


def backup_write(destination: Path) -> Path:
    """Write a backup folder under `destination` and return it."""
    if connection.vendor != "sqlite":
        raise BackupRefused(
            _(
                "This Maillage runs on PostgreSQL: back its database up with pg_dump "
                "(docs/deployment.md), and MAILLAGE_VAR_DIR/media/ with it."
            )
        )
    if not destination.is_dir():
        raise BackupRefused(
            _("%(path)s is not a folder. Create it, or give another one.") % {"path": destination}
        )
    when = timezone.now()
    folder = destination / f"maillage-{when:%Y%m%d-%H%M%S}"
    try:
        folder.mkdir()
    except FileExistsError:
        raise BackupRefused(
            _("%(path)s exists already: wait a second and run the backup again.") % {"path": folder}
        ) from None
    connection.ensure_connection()
    target = sqlite3.connect(folder / "maillage.sqlite3")
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    media = Path(settings.MEDIA_ROOT) / "publishing"
    if media.is_dir():
        shutil.copytree(media, folder / "media" / "publishing")
    key_file = Path(settings.VAR_DIR) / "secret_key"
    key_note = ""
    if key_file.exists():
        shutil.copyfile(key_file, folder / "secret_key")
        (folder / "secret_key").chmod(0o600)
    else:
        key_note = " (not here: it comes from MAILLAGE_SECRET_KEY; keep that value too)"
    (folder / "README.txt").write_text(
        RESTORE.format(when=when.isoformat(timespec="seconds"), key_note=key_note),
        encoding="utf-8",
    )
    return folder
