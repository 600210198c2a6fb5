"""X (Twitter) archives (`twitter-YYYY-MM-DD-<hash>.zip`, its `data` folder, or its files).

Files, keys and quirks are described in docs/import-x.md. Never touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.imports.importers.x import files as f
from maillage.imports.importers.x.tweets import TweetsContext, edits_resolve, read_tweets
from maillage.imports.records import (
    AccountRecord,
    ParsedArchive,
    ParsedFile,
    PostRecord,
    RowError,
)
from maillage.imports.registry import ArchiveView, ProgressCallback, newest_member_date

MANIFEST, ACCOUNT, PROFILE, TWEETS, NOTES, LIKES, FOLLOWERS, FOLLOWING, DELETED = (
    "manifest",
    "account",
    "profile",
    "tweets",
    "notes",
    "likes",
    "followers",
    "following",
    "deleted",
)
# File names (without `.js` and `-part<N>`), the manifest's data types and the names after
# `window.YTD.`, each -> the kind of file. `tweet` is the name before late 2022.
BY_STEM = {
    "manifest": MANIFEST,
    "account": ACCOUNT,
    "profile": PROFILE,
    "tweets": TWEETS,
    "tweet": TWEETS,
    "note-tweet": NOTES,
    "like": LIKES,
    "follower": FOLLOWERS,
    "following": FOLLOWING,
    "deleted-tweets": DELETED,
    "deleted-tweet": DELETED,
}
BY_DATA_TYPE = {
    "account": ACCOUNT,
    "profile": PROFILE,
    "tweets": TWEETS,
    "tweet": TWEETS,
    "noteTweet": NOTES,
    "like": LIKES,
    "follower": FOLLOWERS,
    "following": FOLLOWING,
    "deletedTweets": DELETED,
    "deletedTweet": DELETED,
}
BY_GLOBAL = {
    "account": ACCOUNT,
    "profile": PROFILE,
    "tweets": TWEETS,
    "tweet": TWEETS,
    "note_tweet": NOTES,
    "like": LIKES,
    "follower": FOLLOWERS,
    "following": FOLLOWING,
    "deleted_tweets": DELETED,
}
# The order files are read in: the owner's handle and id first (posts' addresses, replies to
# oneself), the posts before the long posts completing them.
ORDER = {ACCOUNT: 0, PROFILE: 1, TWEETS: 2, NOTES: 3, LIKES: 4, FOLLOWERS: 5, FOLLOWING: 6}
LABELS = {
    ACCOUNT: "account.js",
    PROFILE: "profile.js",
    TWEETS: "tweets.js",
    NOTES: "note-tweet.js",
    LIKES: "like.js",
    FOLLOWERS: "follower.js",
    FOLLOWING: "following.js",
}
Reader = Callable[[list[Any], ParsedFile, f.Owner], None]
READERS: dict[str, Reader] = {
    ACCOUNT: f.read_account,
    PROFILE: f.read_profile,
    LIKES: f.read_likes,
    FOLLOWERS: f.read_followers,
    FOLLOWING: f.read_following,
}


@dataclass(slots=True)
class Member:
    """A file to read: its kind, its part number, and the count the manifest announces."""

    kind: str
    part: int = 0
    expected: int | None = None


def base_name(name: str) -> str:
    """A member's file name, lower-cased, without a browser's ` (1)` copy suffix."""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    stem, dot, extension = base.rpartition(".")
    if dot and stem.endswith(")") and " (" in stem:
        head, _open, number = stem.rpartition(" (")
        if number[:-1].isdigit():
            return f"{head}.{extension}"
    return base


def member_of(name: str) -> Member | None:
    """What a member is from its name alone: `tweets.js`, `tweets-part1.js`, any folder."""
    base = base_name(name)
    if not base.endswith(".js"):
        return None
    stem, part = base[:-3], 0
    head, marker, number = stem.rpartition("-part")
    if marker and number.isdigit():
        stem, part = head, int(number)
    kind = BY_STEM.get(stem)
    return Member(kind, part) if kind is not None else None


def export_date(source_name: str) -> date | None:
    """The date in `twitter-YYYY-MM-DD-<hash>.zip`, X's archive name."""
    base = PurePosixPath(source_name.replace("\\", "/")).name.lower()
    if not base.startswith("twitter-"):
        return None
    stamp = base[8:18]
    if len(stamp) != 10 or stamp[4] != "-" or stamp[7] != "-":
        return None
    try:
        return date(int(stamp[:4]), int(stamp[5:7]), int(stamp[8:10]))
    except ValueError:
        return None


class XImporter:
    kind: ClassVar[str] = "x"
    network: ClassVar[str] = "x"
    label: ClassVar[str] = "X (Twitter)"
    version: ClassVar[int] = 1

    def claims(self, names: Sequence[str]) -> float:
        found = [(name, member_of(name)) for name in names]
        known = [(name, m) for name, m in found if m is not None]
        if not known:
            return 0.0
        for name, member in known:
            folder = PurePosixPath(name.replace("\\", "/")).parent.name.lower()
            if folder == "data" and member.kind in (MANIFEST, TWEETS):
                return 0.95
        return 0.8

    def parse(
        self, archive: ArchiveView, progress: ProgressCallback | None = None
    ) -> ParsedArchive:
        names = archive.names()
        results = {name: ParsedFile(name=name, status="ignored", unit="item") for name in names}
        members = {name: m for name, m in ((n, member_of(n)) for n in names) if m is not None}
        owner = f.Owner()
        manifest = self._manifest(archive, names, members, results, owner)
        if manifest is not None:
            members.update(manifest)
        if len(names) == 1 and not members and names[0].lower().endswith(".js"):
            members[names[0]] = Member("")  # a lone file, known by its `window.YTD.` name
        for name, member in members.items():
            if member.kind == DELETED:
                results[name].notes.append(_deleted_note())
        todo = sorted(
            (name for name, m in members.items() if m.kind not in (MANIFEST, DELETED)),
            key=lambda n: (ORDER.get(members[n].kind, 9), members[n].part, n),
        )
        context: TweetsContext | None = None
        tweet_files: list[ParsedFile] = []
        account_file: ParsedFile | None = None
        for done, name in enumerate(todo):
            member, result = members[name], results[name]
            loaded = self._read(archive.read(name), name, member, result)
            if loaded is not None:
                kind, items = loaded
                if kind == TWEETS:
                    if context is None:
                        context = TweetsContext(owner.username, owner.account_id)
                    read_tweets(items, result, context)
                    result.read = len(items)
                    tweet_files.append(result)
                elif kind == NOTES:
                    if context is not None:
                        edits_resolve(context)
                    f.read_notes(items, result, _posts(tweet_files))
                else:
                    READERS[kind](items, result, owner)
                    if kind == ACCOUNT and owner.has_account:
                        account_file = result
                self._count_check(member, result)
                del loaded, items  # the file's JSON is freed before the next one is read
            if progress is not None:
                progress(int((done + 1) * 100 / len(todo)), PurePosixPath(name).name)
        if context is not None:
            edits_resolve(context)
        self._account(owner, account_file, results, members)
        return ParsedArchive(
            network=self.network,
            files=[results[name] for name in names],
            as_of=self._as_of(archive, names),
        )

    # --- one file ---------------------------------------------------------------------------

    @staticmethod
    def _read(
        data: bytes, name: str, member: Member, result: ParsedFile
    ) -> tuple[str, list[Any]] | None:
        """(the kind a file is read as, its items), or None when it is rejected or not read.

        The kind is the file's `window.YTD.` name when X's name is known (which also recognises
        a renamed file), else what its name or the manifest says.
        """
        label = PurePosixPath(name).name
        try:
            global_name, document = f.load(data, label)
            kind = BY_GLOBAL.get(global_name, member.kind)
            if kind not in ORDER:
                if kind == DELETED:
                    result.notes.append(_deleted_note())
                return None  # a lone file of another kind of X data stays ignored
            items = f.items_of(document, label)
        except f.FileProblem as problem:
            result.status = "rejected"
            # A whole-file problem is about the file's text, not one of its items.
            result.unit = "line"
            result.errors[:] = [RowError(problem.line, str(problem))]
            return None
        result.status = "parsed"
        return kind, items

    @staticmethod
    def _count_check(member: Member, result: ParsedFile) -> None:
        if member.expected is None or member.expected == result.read:
            return
        result.notes.append(
            _(
                "X's manifest announces %(expected)d items in this file, but %(found)d were "
                "found. The archive may be incomplete: download it again from X if items are "
                "missing."
            )
            % {"expected": member.expected, "found": result.read}
        )

    # --- data/manifest.js -------------------------------------------------------------------

    @staticmethod
    def _manifest(
        archive: ArchiveView,
        names: Sequence[str],
        members: dict[str, Member],
        results: dict[str, ParsedFile],
        owner: f.Owner,
    ) -> dict[str, Member] | None:
        """The parts the manifest lists, by member name; None without a usable manifest."""
        found = [n for n, m in members.items() if m.kind == MANIFEST]
        if not found:
            return None
        # An archive re-zipped twice over holds two: the one in a `data` folder is X's.
        name = min(found, key=lambda n: (PurePosixPath(n).parent.name.lower() != "data", n))
        result = results[name]
        result.unit = "line"
        try:
            _global, config = f.load(archive.read(name), "manifest.js", head=f.MANIFEST)
            data_types = config.get("dataTypes") if isinstance(config, dict) else None
            if not isinstance(data_types, dict):
                raise f.wrong_shape("manifest.js", "“dataTypes”")
        except f.FileProblem as problem:
            result.status = "rejected"
            result.errors.append(RowError(problem.line, str(problem)))
            return None
        result.status = "parsed"
        _owner_from_manifest(config, owner)
        # `fileName` is relative to the archive's top, where the `data` folder sits; files
        # uploaded without their folder sit next to the manifest.
        folder = PurePosixPath(name).parent
        tops = [str(folder.parent), str(folder)]
        prefixes = ["" if top == "." else top + "/" for top in tops]
        by_lower = {n.lower(): n for n in names}
        listed: dict[str, Member] = {}
        missing: list[str] = []
        for data_type, entry in data_types.items():
            kind = BY_DATA_TYPE.get(data_type)
            parts = entry.get("files") if isinstance(entry, dict) else None
            if kind is None or not isinstance(parts, list):
                continue
            for number, part in enumerate(parts):
                file_name = part.get("fileName") if isinstance(part, dict) else None
                if not isinstance(file_name, str):
                    continue
                expected = _count(part.get("count"))
                member = by_lower.get((prefixes[0] + file_name).lower()) or by_lower.get(
                    (prefixes[1] + PurePosixPath(file_name).name).lower()
                )
                if member is None:
                    if expected != 0 and kind != DELETED:
                        missing.append(file_name)
                    continue
                listed[member] = Member(kind, number, expected)
        result.read = len(listed)
        if missing:
            result.notes.append(
                ngettext(
                    "X's manifest lists %(files)s, which is not in the upload: what it holds was "
                    "not imported. Upload the whole archive X sent you.",
                    "X's manifest lists %(files)s, which are not in the upload: what they hold "
                    "was not imported. Upload the whole archive X sent you.",
                    len(missing),
                )
                % {"files": ", ".join(missing)}
            )
        return listed

    # --- the owner's account ------------------------------------------------------------------

    @staticmethod
    def _account(
        owner: f.Owner,
        account_file: ParsedFile | None,
        results: dict[str, ParsedFile],
        members: dict[str, Member],
    ) -> None:
        """One AccountRecord, in account.js's records, with the profile and follow counts."""
        if account_file is None:
            for name, member in members.items():
                if member.kind in (FOLLOWERS, FOLLOWING) and results[name].status == "parsed":
                    results[name].notes.append(
                        _(
                            "The number of accounts is not kept without account.js, which says "
                            "whose account this is: upload the whole archive to keep it."
                        )
                    )
            return
        handle = (
            "https://x.com/" + owner.username
            if owner.username
            else "https://x.com/i/user/" + owner.account_id
        )
        account_file.records.append(
            AccountRecord(
                handle=handle,
                display_name=owner.display_name,
                summary=owner.bio,
                location=owner.location,
                websites=owner.website,
                followers_count=owner.followers,
                following_count=owner.following,
            )
        )

    @staticmethod
    def _as_of(archive: ArchiveView, names: Sequence[str]) -> date | None:
        found = export_date(archive.source_name)
        if found is not None:
            return found
        return newest_member_date(archive, names)


def _posts(files: Sequence[ParsedFile]) -> list[PostRecord]:
    return [r for result in files for r in result.records if isinstance(r, PostRecord)]


def _owner_from_manifest(config: dict[str, Any], owner: f.Owner) -> None:
    """The manifest's `userInfo`: the owner's handle and id when account.js is not uploaded."""
    info = config.get("userInfo")
    if isinstance(info, dict):
        owner.username = f.text_of(info.get("userName"))
        owner.account_id = f.text_of(info.get("accountId"))
        owner.display_name = f.text_of(info.get("displayName"))


def _count(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _deleted_note() -> str:
    return _(
        "Deleted posts are not imported: you removed them from X, so they are left out of "
        "your presence too."
    )
