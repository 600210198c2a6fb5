"""`maillage export-user EMAIL`: everything stored about a user, as JSON on stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maillage.accounts.models import User
from maillage.accounts.services import user_data_export_chunks


class Command(BaseCommand):
    help = "Write everything stored about a user (found by e-mail) as JSON to stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The e-mail address the user signs in with.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(
                f"No user with the e-mail address {email}. Check the spelling; "
                "`maillage shell` can list users."
            )
        for chunk in user_data_export_chunks(user):
            self.stdout.write(chunk, ending="")
