"""`maillage rotate_tokens`: re-encrypt stored tokens with the first key (docs/publishing.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maillage.publishing.crypto import TokenKeyError, token_key_generate
from maillage.publishing.services import tokens_rotate


class Command(BaseCommand):
    help = _("Re-encrypt every stored token with the first key of MAILLAGE_TOKEN_KEYS.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help=_("Only print a new key to put first in MAILLAGE_TOKEN_KEYS."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(token_key_generate())
            return
        try:
            count = tokens_rotate()
        except TokenKeyError as exc:
            raise CommandError(
                _(
                    "A stored token opens with none of the keys in MAILLAGE_TOKEN_KEYS: "
                    "keep the old key in the list until rotation is done."
                )
            ) from exc
        self.stdout.write(_("Tokens re-encrypted with the first key: %(count)d") % {"count": count})
