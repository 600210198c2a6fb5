"""Nightly: end the imports a stopped worker left running, and those nobody chose a network for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from maillage.imports.services import import_runs_interrupted_fail, import_runs_unchosen_expire


class Command(BaseCommand):
    help = _("Mark as failed the imports left running by a worker that stopped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours", type=float, default=2.0, help=_("Running for longer than this (hours).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = import_runs_interrupted_fail(timedelta(hours=options["hours"]))
        self.stdout.write(_("Interrupted imports marked as failed: %(count)d") % {"count": count})
        expired = import_runs_unchosen_expire()
        self.stdout.write(
            _("Imports still waiting for a network after a week, removed: %(count)d")
            % {"count": expired}
        )
