"""The one place importers are declared: kind -> dotted path, imported on first use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, ClassVar, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from maillage.imports.records import ParsedArchive
    from maillage.lib.safe_archive import Archive

IMPORTERS: dict[str, str] = {
    "linkedin": "maillage.imports.importers.linkedin.LinkedInImporter",
    "facebook": "maillage.imports.importers.facebook.FacebookImporter",
    "facebook-page": "maillage.imports.importers.facebook_page.FacebookPageImporter",
    "x": "maillage.imports.importers.x.XImporter",
    "mastodon": "maillage.imports.importers.mastodon.MastodonImporter",
    "bluesky": "maillage.imports.importers.bluesky.BlueskyImporter",
}

ProgressCallback = Callable[[int, str], None]


class Importer(Protocol):
    """An export format. See docs/adding-an-importer.md."""

    kind: ClassVar[str]
    network: ClassVar[str]
    label: ClassVar[str]
    version: ClassVar[int]

    def claims(self, names: Sequence[str]) -> float:
        """How sure (0 to 1) this importer is that an archive with these member names is its own."""
        ...

    def parse(self, archive: Archive, progress: ProgressCallback | None = None) -> ParsedArchive:
        """Read every file it knows; never touches the database."""
        ...


class UnknownImporter(LookupError):
    pass


@cache
def importer_get(kind: str) -> Importer:
    try:
        path = IMPORTERS[kind]
    except KeyError:
        raise UnknownImporter(kind) from None
    cls = import_string(path)
    instance: Importer = cls()
    return instance


def importer_kinds() -> list[str]:
    return list(IMPORTERS)
