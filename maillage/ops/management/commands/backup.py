"""`maillage backup FOLDER`: the database, the posts' images and the secret key, while running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maillage.ops.services import BackupRefused, backup_write


class Command(BaseCommand):
    help = "Back up this Maillage (SQLite) into a new folder under FOLDER."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="Where to write the backup folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup_write(Path(options["folder"]))
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(_("Backup written to %(path)s") % {"path": folder})
