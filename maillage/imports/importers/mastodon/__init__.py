"""Mastodon archives (zip, or tar.gz before 4.1, or their files) and CSV exports -> records.

Files, keys and quirks are described in docs/import-mastodon.md. Never touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import PurePosixPath
from typing import ClassVar

from maillage.imports.importers.mastodon.collection import (
    FileUnusable,
    collection_load,
    json_load,
)
from maillage.imports.importers.mastodon.outbox import Owner, read_outbox
from maillage.imports.importers.mastodon.readers import (
    ignored_note,
    read_actor,
    read_following,
    read_likes,
)
from maillage.imports.records import ParsedArchive, ParsedFile, RowError
from maillage.imports.registry import ArchiveView, ProgressCallback, newest_member_date

ACTOR, OUTBOX, LIKES, FOLLOWING = (
    "actor.json",
    "outbox.json",
    "likes.json",
    "following_accounts.csv",
)
# The order files are read in: the actor says who the owner is before the outbox needs it.
ORDER = {ACTOR: 0, OUTBOX: 1, LIKES: 2, FOLLOWING: 3}


def base_name(name: str) -> str:
    """A member's file name, lower-cased, without a browser's ` (1)` copy suffix."""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    stem, dot, extension = base.rpartition(".")
    if dot and stem.endswith(")") and " (" in stem:
        head, _open, number = stem.rpartition(" (")
        if number[:-1].isdigit():
            return f"{head}.{extension}"
    return base


def export_date(source_name: str) -> date | None:
    """The date in `archive-YYYYMMDDHHMMSS-<hex>.zip` (or `.tar.gz`), Mastodon's archive name."""
    base = PurePosixPath(source_name.replace("\\", "/")).name
    stamp = base[8:22]
    if not (base.startswith("archive-") and stamp.isdigit() and base[22:23] == "-"):
        return None
    try:
        return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
    except ValueError:
        return None


class MastodonImporter:
    kind: ClassVar[str] = "mastodon"
    network: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    version: ClassVar[int] = 1

    def claims(self, names: Sequence[str]) -> float:
        bases = {base_name(name) for name in names}
        if OUTBOX in bases:
            return 1.0 if ACTOR in bases else 0.8
        if FOLLOWING in bases:
            return 0.7
        return 0.0

    def parse(
        self, archive: ArchiveView, progress: ProgressCallback | None = None
    ) -> ParsedArchive:
        names = archive.names()
        bases = {name: base_name(name) for name in names}
        results = {name: ParsedFile(name=name, status="ignored") for name in names}
        todo = sorted((n for n in names if bases[n] in ORDER), key=lambda n: (ORDER[bases[n]], n))
        owner = Owner()
        for done, name in enumerate(todo):
            result = results[name]
            result.status = "parsed"
            try:
                self._read(bases[name], archive.read(name), result, owner)
            except FileUnusable as problem:
                result.status = "rejected"
                result.records.clear()
                result.errors.append(RowError(problem.line, problem.message))
            if progress is not None:
                progress(int((done + 1) * 100 / len(todo)), PurePosixPath(name).name)
        for name in names:
            note = ignored_note(bases[name]) if results[name].status == "ignored" else ""
            if note:
                results[name].notes.append(note)
        if owner.account is not None:
            # One account per archive: actor.json's, with the counter outbox.json states.
            owner.account.posts_count = owner.posts_count
        return ParsedArchive(
            network=self.network,
            files=[results[name] for name in names],
            as_of=self._as_of(archive, names),
        )

    @staticmethod
    def _read(base: str, data: bytes, result: ParsedFile, owner: Owner) -> None:
        if base == ACTOR:
            read_actor(json_load(data, ACTOR), result, owner)
        elif base == OUTBOX:
            read_outbox(collection_load(data, OUTBOX), result, owner)
        elif base == LIKES:
            read_likes(collection_load(data, LIKES), result)
        else:
            read_following(data, result)

    @staticmethod
    def _as_of(archive: ArchiveView, names: Sequence[str]) -> date | None:
        found = export_date(archive.source_name)
        if found is not None:
            return found
        return newest_member_date(archive, names)
