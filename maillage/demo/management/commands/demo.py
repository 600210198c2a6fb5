"""`maillage demo`: build the reproducible fictional demo circle, or print its logins."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.demo.plan import ANIMATOR_EMAIL, MEMBER_EMAIL, PASSWORD
from maillage.demo.services import (
    DemoError,
    DemoResult,
    demo_circle_build,
    demo_circle_delete,
    demo_logins_exist,
)
from maillage.presence.networks import Network


class Command(BaseCommand):
    help = (
        "Build the fictional demo circle (25 members, 12 months of activity on LinkedIn, and on "
        "Facebook, X, Mastodon or Bluesky for some of them)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help=_("Same seed, same circle."))
        parser.add_argument(
            "--if-empty", action="store_true", help=_("Build only when no user exists yet.")
        )
        parser.add_argument(
            "--logins", action="store_true", help=_("Only print the demo logins and password.")
        )
        parser.add_argument(
            "--address",
            default="",
            help=_("With --logins: the web server's address, printed first (make run)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Delete and rebuild the demo circle and demo users (nobody else is touched)."),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_("Shrink every network (tests, slow machines)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            if options["address"]:
                message = _("Maillage runs at %(url)s (Ctrl-C stops the server and the workers).")
                self.stdout.write(message % {"url": f"http://{options['address']}/"})
            self._logins()
            return
        if options["scale"] <= 0 or options["scale"] > 1:
            raise CommandError(_("--scale must be greater than 0 and at most 1."))
        if User.objects.exists():
            if options["if_empty"]:
                self.stdout.write(_("Users already exist: the demo circle is not built."))
                return
            if not options["force"]:
                raise CommandError(
                    _(
                        "The database already has users, so the demo was not built. Run "
                        "`maillage demo --force` to delete and rebuild only the demo circle and "
                        "its demo users, or `maillage demo --if-empty` to skip when not empty."
                    )
                )
            deleted = demo_circle_delete()
            message = _("Deleted %(count)d demo users and their data.")
            self.stdout.write(message % {"count": deleted})
        message = _("Building the demo circle (seed %(seed)d)…")
        self.stdout.write(message % {"seed": options["seed"]})
        try:
            result = demo_circle_build(options["seed"], scale=options["scale"])
        except DemoError as error:
            raise CommandError(str(error)) from error
        self._summary(result)

    def _logins(self) -> None:
        # Printed on every `make run`; silent when the demo was never built.
        if not demo_logins_exist():
            return
        self.stdout.write(_("Animator login: %(email)s") % {"email": ANIMATOR_EMAIL})
        self.stdout.write(_("Member login: %(email)s") % {"email": MEMBER_EMAIL})
        self.stdout.write(_("Password (for the demo only): %(password)s") % {"password": PASSWORD})

    def _summary(self, result: DemoResult) -> None:
        self.stdout.write(
            _("Demo circle ready: %(name)s, %(count)d members (%(seconds).0f s).")
            % {"name": result.circle.name, "count": result.members, "seconds": result.seconds}
        )
        message = _(
            "This week: %(active)d%% active, %(occasional)d%% occasional, %(inactive)d%% inactive."
        )
        self.stdout.write(
            message
            % {
                "active": result.share("active"),
                "occasional": result.share("occasional"),
                "inactive": result.share("inactive"),
            }
        )
        if result.networks:
            counts = ", ".join(
                f"{Network(network).label} {count}" for network, count in result.networks.items()
            )
            self.stdout.write(_("Members per network: %(networks)s.") % {"networks": counts})
        for line in result.row_errors[:10]:
            self.stderr.write(_("Row not imported: %(line)s") % {"line": line})
        self._logins()
