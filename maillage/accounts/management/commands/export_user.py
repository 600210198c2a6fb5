"""`maillage export-user EMAIL`: everything stored about a user, as JSON on stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from maillage.accounts.models import User
from maillage.accounts.services import user_data_export


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
        data = user_data_export(user)
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
