"""Facebook "Download your information" archives in JSON (zip, folder or single file) -> records.

Files, keys and quirks are described in docs/import-facebook.md. Never touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import ClassVar

from django.utils.translation import gettext as _

from maillage.imports.importers.facebook import readers as r
from maillage.imports.records import AccountRecord, ParsedArchive, ParsedFile, RowError
from maillage.imports.registry import ArchiveView, ProgressCallback, newest_member_date
from maillage.lib.text import name_normalise

# `facebook-jeannetremblay-2026-11-29-AbCdEf12.zip`: the day the archive was produced.
EXPORT_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# Browsers add ` (1)` to a file downloaded twice.
COPY_SUFFIX = re.compile(r"\s*\(\d+\)(?=\.\w+$)")
# `your_posts_1.json` (older) and `your_posts__check_ins__photos_and_videos_1.json` (current).
POSTS_NAME = re.compile(r"^your_posts(?:__check_ins__photos_and_videos)?(?:_(\d+))?\.(json|html)$")
# `likes_and_reactions_1.json` ... `_N.json`; the unnumbered one is a fallback (see `parse`).
REACTIONS_NAME = re.compile(r"^likes_and_reactions(?:_(\d+))?\.(json|html)$")
# Files whose name is too common to trust without the folder Facebook puts them in, except
# when uploaded alone: name -> folders it sits in.
FOLDERED: dict[str, tuple[str, frozenset[str]]] = {
    "comments": ("comments", frozenset({"comments", "comments_and_reactions"})),
    "posts_and_comments": ("reactions", frozenset({"likes_and_reactions"})),
    "friends": ("friends", frozenset({"friends"})),
    "your_friends": ("friends", frozenset({"friends"})),
    "profile_information": ("profile", frozenset({"profile_information"})),
}
# Read first: the owner's profile; reactions in their numbered order (see readers).
ORDER = {"profile": 0, "posts": 1, "comments": 2, "reactions": 3, "friends": 4}


@dataclass(frozen=True, slots=True)
class Found:
    """What a member name says: its kind, its part number, and whether it is the HTML export."""

    kind: str
    number: int = 0
    html: bool = False
    # The unnumbered `likes_and_reactions.json`, read only when no numbered file is there.
    fallback: bool = False


def kind_of(name: str, alone: bool = False) -> Found | None:
    """The kind of a member from its path (any top folder, any case); None when unknown.

    `alone`: the member is the whole upload, so common names need not sit in their folder.
    """
    parts = PurePosixPath(name.replace("\\", "/").lower()).parts
    if not parts:
        return None
    base = COPY_SUFFIX.sub("", parts[-1])
    folder = parts[-2] if len(parts) > 1 else ""
    match = POSTS_NAME.match(base)
    if match is not None:
        return Found("posts", int(match.group(1) or 0), match.group(2) == "html")
    match = REACTIONS_NAME.match(base)
    if match is not None:
        number = match.group(1)
        html = match.group(2) == "html"
        return Found("reactions", int(number or 0), html, fallback=number is None)
    stem, dot, extension = base.rpartition(".")
    if not dot or extension not in ("json", "html"):
        return None
    known = FOLDERED.get(stem)
    if known is None:
        return None
    kind, folders = known
    if folder in folders or alone:
        return Found(kind, 0, extension == "html")
    return None


def export_date(source_name: str) -> date | None:
    match = EXPORT_DATE.search(PurePosixPath(source_name.replace("\\", "/")).name)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _html_export() -> str:
    return _(
        "This is the HTML version of Facebook's export, which Maillage cannot read. In "
        "Facebook's “Download your information”, choose the JSON format, then upload the new "
        "archive."
    )


class FacebookImporter:
    kind: ClassVar[str] = "facebook"
    network: ClassVar[str] = "facebook"
    label: ClassVar[str] = "Facebook"
    version: ClassVar[int] = 1

    def claims(self, names: Sequence[str]) -> float:
        alone = len(names) == 1
        kinds = {found.kind for found in (kind_of(n, alone) for n in names) if found is not None}
        if not kinds:
            return 0.0
        return min(1.0, 0.55 + 0.15 * (len(kinds) - 1))

    def parse(
        self, archive: ArchiveView, progress: ProgressCallback | None = None
    ) -> ParsedArchive:
        names = archive.names()
        alone = len(names) == 1
        found = {name: kind_of(name, alone) for name in names}
        results = {
            name: ParsedFile(
                name=name,
                status="ignored",
                unit="item" if name.lower().endswith(".json") else "line",
            )
            for name in names
        }
        numbered = any(
            f is not None and f.kind == "reactions" and not f.fallback for f in found.values()
        )
        todo: list[tuple[str, Found | None]] = []
        for name in names:
            kind = found[name]
            if kind is None:
                if alone and name.lower().endswith(".json"):
                    todo.append((name, None))  # recognised by its shape once read
                continue
            if kind.fallback and numbered:
                continue  # the same reactions as the numbered files, in a less precise shape
            todo.append((name, kind))
        todo.sort(key=lambda pair: self._order(*pair))
        state = r.State()
        profile_file: ParsedFile | None = None
        for done, (name, kind) in enumerate(todo):
            result = results[name]
            read = self._read(archive, name, kind, result, state)
            if read == "profile":
                profile_file = result
            if progress is not None:
                progress(int((done + 1) * 100 / len(todo)), PurePosixPath(name).name)
        if profile_file is not None and state.profile is not None:
            account = self._account(state.profile)
            if account is not None:
                profile_file.records.append(account)
        return ParsedArchive(
            network=self.network,
            files=[results[name] for name in names],
            as_of=self._as_of(archive, names),
        )

    @staticmethod
    def _order(name: str, kind: Found | None) -> tuple[int, int, str]:
        if kind is None:
            return (9, 0, name)
        return (ORDER[kind.kind], kind.number, name)

    @staticmethod
    def _read(
        archive: ArchiveView, name: str, kind: Found | None, result: ParsedFile, state: r.State
    ) -> str | None:
        """Fill `result` from one file; returns the kind read (found from the shape if need be)."""
        if kind is not None and kind.html:
            _reject(result, r.FileProblem(_html_export()))
            return None
        try:
            data = archive.read(name)
            if kind is not None and kind.kind == "posts" and r.read_posts_typed(data, result):
                result.status = "parsed"
                return "posts"
            document = r.load(data)
            chosen = kind.kind if kind is not None else r.sniff(document)
            if chosen is None:
                return None  # a lone JSON file of something else stays ignored
            result.status = "parsed"
            r.READERS[chosen](document, result, state)
        except r.FileProblem as problem:
            _reject(result, problem)
            return None
        return chosen

    @staticmethod
    def _account(profile: dict[str, str]) -> AccountRecord | None:
        name = profile["name"]
        handle = profile["uri"].rstrip("/")
        if handle.startswith("http://"):
            handle = "https://" + handle[len("http://") :]
        if not handle and profile["username"]:
            handle = "https://www.facebook.com/" + profile["username"]
        if not handle and name:
            handle = "facebook:" + name_normalise(name)
        if not handle:
            return None
        return AccountRecord(
            handle=handle,
            display_name=name,
            location=profile["location"],
            websites=profile["websites"],
        )

    @staticmethod
    def _as_of(archive: ArchiveView, names: Sequence[str]) -> date | None:
        found = export_date(archive.source_name)
        if found is not None:
            return found
        return newest_member_date(archive, names)


def _reject(result: ParsedFile, problem: r.FileProblem) -> None:
    result.status = "rejected"
    result.records.clear()
    # A whole-file problem is about the file's text, not one of its items.
    result.unit = "line"
    result.errors[:] = [RowError(problem.line, str(problem))]
