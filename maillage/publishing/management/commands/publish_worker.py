"""`maillage publish_worker`: claim due deliveries and publish them, many calls in flight."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from maillage.publishing.worker import PublishWorker, WorkerOptions


class Command(BaseCommand):
    help = _("Publish due posts until stopped (SIGTERM lets the calls in flight finish).")
    # Django's system checks look at the web side (URLs, templates, admin) and run with
    # `migrate` and the web server; here they only delayed each start by a fifth of a second,
    # which a worker restarted after a crash should spend publishing.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.PUBLISHING_WORKER_THREADS,
            help=_("Calls to the networks in flight at once."),
        )
        parser.add_argument(
            "--poll", type=float, default=0.2, help=_("Seconds to wait when nothing is due.")
        )
        parser.add_argument(
            "--exit-when-idle",
            action="store_true",
            help=_("Stop once no delivery is left to publish or to check."),
        )
        parser.add_argument(
            "--max-seconds", type=float, default=None, help=_("Stop after this many seconds.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Each thread keeps its database connection for the worker's life: reconnecting for
        # every delivery (Django's default for requests) cost a third of the worker's CPU.
        # A broken connection is still closed and reopened by close_old_connections().
        for alias in connections:
            connections.settings[alias]["CONN_MAX_AGE"] = None
        worker = PublishWorker(
            WorkerOptions(
                threads=max(1, options["threads"]),
                poll=options["poll"],
                exit_when_idle=options["exit_when_idle"],
                max_seconds=options["max_seconds"],
            )
        )
        self.stdout.write(_("Publish worker %(id)s started.") % {"id": worker.worker_id})
        stats = worker.run()
        outcomes = ", ".join(f"{name} {count}" for name, count in sorted(stats.outcomes.items()))
        self.stdout.write(
            _("Publish worker stopped: %(claimed)d claimed (%(outcomes)s), %(checked)d checked.")
            % {"claimed": stats.claimed, "outcomes": outcomes or "-", "checked": stats.reconciled}
        )
