"""Nightly job: rewrite every user's weekly Presence Index history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maillage.accounts.models import User
from maillage.presence.services import presence_recompute, presence_recompute_all


class Command(BaseCommand):
    help = "Recompute the weekly Presence Index of every active user (or of the e-mails given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("emails", nargs="*", help="only these users")

    def handle(self, *args: Any, **options: Any) -> None:
        emails: list[str] = options["emails"]
        if not emails:
            count = presence_recompute_all()
        else:
            users = list(User.objects.filter(email__in=[e.lower() for e in emails]))
            missing = sorted({e.lower() for e in emails} - {u.email for u in users})
            if missing:
                self.stderr.write(f"No user with these e-mails: {', '.join(missing)}")
            for user in users:
                presence_recompute(user)
            count = len(users)
        self.stdout.write(f"Presence Index recomputed for {count} user(s).")
