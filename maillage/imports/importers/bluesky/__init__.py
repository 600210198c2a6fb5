"""Bluesky "Export my data" (`repo.car`, alone or in a zip or folder) -> typed records.

One repository file holds every record of the account; it becomes one ParsedFile whose
positions count records in the tree's key order (unit "record"). What is read and what is left
aside is listed in docs/import-bluesky.md. Never touches the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.imports.importers.bluesky.readers import (
    PROFILE,
    PROFILE_RKEY,
    READERS,
    Owner,
    RecordProblem,
    tid_moment,
)
from maillage.imports.importers.bluesky.repo import (
    MISSING,
    TAMPERED,
    BlockProblem,
    Commit,
    Repository,
    RepoUnreadable,
)
from maillage.imports.records import ParsedArchive, ParsedFile, RowError
from maillage.imports.registry import ArchiveView, ProgressCallback

SUFFIX = ".car"
# Records between two progress reports inside one repository (a big one takes seconds).
PROGRESS_EVERY = 20_000


def is_repository_name(name: str) -> bool:
    return name.lower().endswith(SUFFIX)


def _block_message(key: str, reason: str) -> str:
    if reason == MISSING:
        message = _(
            "The record %(key)s is listed in the repository but its content is not in the "
            "file: it was not imported."
        )
    elif reason == TAMPERED:
        message = _(
            "The content of the record %(key)s is damaged (it does not match its checksum): it "
            "was not imported."
        )
    else:
        message = _(
            "The content of the record %(key)s is damaged (it cannot be decoded): it was not "
            "imported."
        )
    return message % {"key": key}


def _ignored_note(ignored: Counter[str]) -> str:
    total = sum(ignored.values())
    listed = ", ".join(f"{name} ({count})" for name, count in sorted(ignored.items()))
    return ngettext(
        "%(count)d record of collections Maillage does not import was left aside: %(collections)s.",
        "%(count)d records of collections Maillage does not import were left aside: "
        "%(collections)s.",
        total,
    ) % {"count": total, "collections": listed}


class BlueskyImporter:
    kind: ClassVar[str] = "bluesky"
    network: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    version: ClassVar[int] = 1

    def claims(self, names: Sequence[str]) -> float:
        return 0.95 if any(is_repository_name(name) for name in names) else 0.0

    def parse(
        self, archive: ArchiveView, progress: ProgressCallback | None = None
    ) -> ParsedArchive:
        names = archive.names()
        results = {name: ParsedFile(name=name, status="ignored") for name in names}
        todo = [name for name in names if is_repository_name(name)]
        if not todo and len(names) == 1:
            # A lone upload renamed by a browser or a phone ("repo", "repo.car.download") only
            # reaches this importer when Bluesky was chosen by hand: the CAR header decides.
            todo = names
        moments: list[datetime] = []
        for done, name in enumerate(todo):
            result = results[name]
            result.status, result.unit = "parsed", "record"

            def report(share: float, done: int = done, name: str = name) -> None:
                if progress is not None:
                    progress(int((done + share) * 100 / len(todo)), PurePosixPath(name).name)

            commit = self._read(archive.read(name), result, report)
            moment = tid_moment(commit.rev) if commit is not None else None
            if moment is None:
                moment = archive.modified(name)
            if moment is not None and result.status == "parsed":
                moments.append(moment)
            report(1.0)
        return ParsedArchive(
            network=self.network,
            files=[results[name] for name in names],
            as_of=self._as_of(moments),
        )

    def _read(
        self, data: bytes, result: ParsedFile, report: Callable[[float], None]
    ) -> Commit | None:
        """Fill `result` from one repository; returns its commit (None if the file is refused)."""
        position = 0
        try:
            repository = Repository(data)
            commit = repository.commit
            owner = Owner(did=commit.did)
            ignored: Counter[str] = Counter()
            records, errors = result.records, result.errors
            block, blocks = repository.block, max(1, repository.blocks)
            for key, cid in repository.walk():
                position += 1
                if position % PROGRESS_EVERY == 0:
                    report(min(0.99, position / blocks))
                collection, _slash, rkey = key.partition("/")
                reader = READERS.get(collection)
                if reader is None or (collection == PROFILE and rkey != PROFILE_RKEY):
                    # Other apps' records (blogs, link aggregators, chat settings) and Bluesky
                    # features without a place in Maillage (blocks, lists): counted, not read.
                    ignored[collection] += 1
                    continue
                result.read += 1
                try:
                    record = reader(owner, key, rkey, block(cid))
                except BlockProblem as problem:
                    errors.append(RowError(position, _block_message(key, problem.reason)))
                except RecordProblem as problem:
                    errors.append(RowError(position, problem.message))
                else:
                    if record is not None:
                        records.append(record)
        except RepoUnreadable as refused:
            result.status = "rejected"
            result.records.clear()
            # Where the reading stopped: the first record it could not reach.
            result.errors = [RowError(position + 1, refused.message)]
            return None
        records.append(owner.account())
        if ignored:
            result.notes.append(_ignored_note(ignored))
        if not result.read and not ignored:
            result.notes.append(_("This Bluesky repository holds no records yet."))
        return commit

    @staticmethod
    def _as_of(moments: Sequence[datetime]) -> date | None:
        # The commit's revision says when the export was made; the newest repository wins.
        return max(moments).date() if moments else None
