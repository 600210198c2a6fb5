"""The one place importers are declared: kind -> dotted path, imported on first use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
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


class ArchiveView(Protocol):
    """What an importer needs of `maillage.lib.safe_archive.Archive` (tests pass simpler ones)."""

    source_name: str

    def names(self) -> list[str]: ...
    def read(self, name: str) -> bytes: ...
    def modified(self, name: str) -> datetime | None: ...


def newest_member_date(archive: ArchiveView, names: Sequence[str]) -> date | None:
    """The day the newest member was written: an export's date when its name does not say."""
    moments = [m for m in (archive.modified(name) for name in names) if m is not None]
    return max(moments).date() if moments else None


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


# The kind of a run whose format is found from the archive itself (web upload's default).
AUTO = "auto"
# Claims closer than this are a tie: the user is asked rather than a guess being made.
TIE_MARGIN = 0.05


def importer_scores(names: Sequence[str]) -> list[tuple[str, float]]:
    """Every importer's claim on an archive with these member names, best first, zeros left out."""
    scores = [(kind, importer_get(kind).claims(names)) for kind in IMPORTERS]
    return sorted(((kind, score) for kind, score in scores if score > 0), key=lambda item: -item[1])


def importer_detect(names: Sequence[str]) -> list[str]:
    """The kinds that could own this archive: one when the best claim wins, several on a tie,
    none when no importer recognises it."""
    scores = importer_scores(names)
    if not scores:
        return []
    best = scores[0][1]
    return [kind for kind, score in scores if best - score < TIE_MARGIN]
