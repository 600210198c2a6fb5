"""`maillage import KIND PATH --user EMAIL`: import an export from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.imports.models import ImportRun
from maillage.imports.registry import AUTO, importer_kinds
from maillage.imports.services import archive_import


class Command(BaseCommand):
    help = "Import a data export (a zip, a folder or a single CSV file) for one user, right away."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", help=f"export format: {', '.join(importer_kinds())}, or {AUTO} to detect it"
        )
        parser.add_argument("path", help="the zip, the unzipped folder or one CSV file")
        parser.add_argument("--user", required=True, help="e-mail of the user who owns the data")
        parser.add_argument("--json", action="store_true", help="print one JSON object only")

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        path = Path(options["path"]).expanduser()
        if kind not in [*importer_kinds(), AUTO]:
            raise CommandError(
                _("Unknown export format “%(kind)s”. Use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join([*importer_kinds(), AUTO])}
            )
        if not path.exists():
            raise CommandError(
                _("%(path)s does not exist. Give the path of the zip, folder or CSV file.")
                % {"path": path}
            )
        email = str(options["user"]).strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(
                _("No user has the e-mail %(email)s. Create the account first, then import.")
                % {"email": email}
            )
        run = archive_import(user, path, kind)
        files: dict[str, dict[str, Any]] = (run.summary or {}).get("files", {})
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "run": str(run.pk),
                        "status": run.status,
                        "error": run.error,
                        "as_of": (run.summary or {}).get("as_of"),
                        "files": files,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self._print(run, files)
        rejected = sorted(name for name, data in files.items() if data.get("status") == "rejected")
        if run.status == ImportRun.Status.CHOOSE:
            ImportRun.objects.filter(pk=run.pk).delete()
            raise CommandError(
                _(
                    "This archive could come from several networks (%(kinds)s): run the command "
                    "again with one of them instead of %(auto)s."
                )
                % {"kinds": ", ".join(run.candidates), "auto": AUTO}
            )
        if run.status != ImportRun.Status.SUCCEEDED:
            raise CommandError(run.error or run.get_status_display())
        if rejected:
            raise CommandError(
                _("These files were rejected: %(names)s. The other files were imported.")
                % {"names": ", ".join(rejected)}
            )

    def _print(self, run: ImportRun, files: dict[str, dict[str, Any]]) -> None:
        for name, data in files.items():
            status = data.get("status", "imported")
            if status == "ignored":
                self.stdout.write(_("%(name)s: ignored (not used by Maillage)") % {"name": name})
                continue
            self.stdout.write(
                # Labels, not a sentence, so "1 read" needs no plural agreement in French.
                _(
                    "%(name)s — read: %(read)s, created: %(created)s, updated: %(updated)s, "
                    "skipped: %(skipped)s"
                )
                % {"name": name, **{k: data.get(k, 0) for k in COUNTS}}
                + (f" [{status}]" if status != "imported" else "")
            )
            for note in data.get("notes", []):
                self.stdout.write("  " + str(note))
            unit = data.get("unit", "line")
            for row in data.get("skipped_rows", []):
                self.stdout.write("  " + _("%(where)s skipped: %(reason)s") % _line(row, unit))
            if data.get("duplicates"):
                self.stdout.write(
                    "  " + _("duplicate rows skipped: %(count)s") % {"count": data["duplicates"]}
                )
            for row in data.get("errors", []):
                self.stderr.write("  " + _("%(where)s: %(reason)s") % _line(row, unit))
        if run.status == ImportRun.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(_("Import finished.")))


COUNTS = ("read", "created", "updated", "skipped")


def _line(row: dict[str, Any], unit: str) -> dict[str, Any]:
    """Where a row is, in the file's own terms: a line of text, an item of a list, a record."""
    number = row.get("line", "?")
    if unit == "item":
        where = _("item %(number)s") % {"number": number}
    elif unit == "record":
        where = _("record %(number)s") % {"number": number}
    else:
        where = _("line %(number)s") % {"number": number}
    return {"where": where, "reason": row.get("reason", "")}
