"""`maillage` console command: Django's management commands under a short name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "maillage"
    # `maillage import linkedin PATH` reads better than `maillage import_archive linkedin PATH`.
    aliases = {"import": "import_archive", "export-user": "export_user"}
    if len(args) > 1 and args[1] in aliases:
        args[1] = aliases[args[1]]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
