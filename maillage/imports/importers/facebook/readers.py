"""One reader per Facebook file: the JSON shape it expects and how its items become records.

Readers never raise for a bad item: they add a `RowError` (1-based item number, reason) and go
on. A file whose whole shape is wrong raises `FileProblem`, and the importer rejects it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import msgspec
from django.utils.translation import gettext as _

from maillage.imports.records import (
    ConnectionRecord,
    InteractionRecord,
    ParsedFile,
    PersonRef,
    PostRecord,
    RowError,
)
from maillage.lib.text import (
    collapse_spaces,
    digest,
    json_document,
    json_without_nul,
    key_fit,
    person_key,
)

# Facebook opened in February 2004: an earlier timestamp (0, 1...) is a placeholder, not a date.
FIRST_TIMESTAMP = 1_075_852_800
# Reaction codes Facebook writes whatever the interface language (the newer `label_values`
# items give no field name to rely on, so the code is recognised by its value).
REACTION_TYPES = frozenset(
    {"LIKE", "LOVE", "HAHA", "WOW", "SAD", "ANGRY", "CARE", "SUPPORT", "PRIDE", "THANKFUL"}
)
# How many items of a list are looked at to recognise a file by its shape alone.
SNIFF_ITEMS = 50


class FileProblem(ValueError):
    """The whole file is unusable; `line` is where in its text, its message what to do."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


class ItemProblem(ValueError):
    """One item cannot be read; its message is shown to the user."""


@dataclass
class State:
    """What the archive tells across files: the owner's profile, reactions seen so far."""

    profile: dict[str, str] | None = None
    # Reactions per (timestamp, type) already numbered, across every reactions file.
    reactions_seen: dict[tuple[int, str], int] = field(default_factory=dict)


# --- text ----------------------------------------------------------------------------------


def _repaired(text: str) -> str:
    try:
        # Facebook writes each UTF-8 byte as its own `\u00XX` escape: encoding the string back
        # to Latin-1 gives those bytes, which are then read as UTF-8. It is the exact inverse of
        # the damage and 80 times cheaper than ftfy, which gives the same result on such text.
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        # Text that was not damaged this way (already correct, or damaged only in part): ftfy
        # repairs what is damaged and leaves correct text as it is. Imported here, when first
        # needed: loading it (its character tables and codecs) takes 50 ms, longer than
        # reading 3,000 posts, and most exports never need it.
        import ftfy

        return ftfy.fix_encoding(text)


# Names and groups come back again and again: short strings are repaired once each.
_repaired_short = lru_cache(maxsize=65_536)(_repaired)
SHORT = 80


def repair(value: object) -> str:
    """A string of the export with its mojibake undone; "" for anything else."""
    if type(value) is not str:
        return ""
    if value.isascii():
        return value  # nothing to repair: kept fast
    return _repaired_short(value) if len(value) <= SHORT else _repaired(value)


# --- loading and shapes ---------------------------------------------------------------------


def load(data: bytes) -> Any:
    """The JSON document of a file, or FileProblem when it is damaged or cut short."""
    try:
        return json_document(data)
    except json.JSONDecodeError as problem:
        raise damaged(problem.lineno) from None
    except (ValueError, RecursionError):
        raise damaged(1) from None


def damaged(line: int) -> FileProblem:
    return FileProblem(
        _(
            "This file is damaged or incomplete (it is not valid JSON, perhaps cut short during "
            "the download). Download your information from Facebook again, in JSON format, and "
            "upload the archive unchanged."
        ),
        line,
    )


def wrong_shape(label: str, expected: str) -> FileProblem:
    return FileProblem(
        _(
            "%(file)s does not have the structure Facebook gives it (%(expected)s was expected). "
            "Upload the file as it came in the archive of “Download your information” in JSON "
            "format, without editing it."
        )
        % {"file": label, "expected": expected}
    )


def items_of(document: Any, keys: tuple[str, ...], label: str) -> list[Any]:
    """The items of a file: the document itself when `keys` is empty (a list), else the list
    under the first of `keys` the object holds (older and newer exports name it differently)."""
    if keys:
        if not isinstance(document, dict):
            raise wrong_shape(label, _("an object holding “%(key)s”") % {"key": keys[0]})
        found = next((document[key] for key in keys if key in document), None)
        if found is None:
            raise wrong_shape(label, _("an object holding “%(key)s”") % {"key": keys[0]})
        document = found
    if not isinstance(document, list):
        raise wrong_shape(label, _("a list of items"))
    if document and not any(isinstance(item, dict) for item in document):
        raise wrong_shape(label, _("a list of items with fields, not of bare values"))
    return document


def entries(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects of a list field (`data`, `attachments`...), skipping anything else."""
    found = parent.get(key)
    if type(found) is not list:
        return []
    return [entry for entry in found if type(entry) is dict]


def timestamp_of(value: object) -> int | None:
    """Epoch seconds of an item; None when absent or not a number."""
    if type(value) is int:
        return value  # nearly always: checked first, without building any message
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _bad_moment(seconds: int) -> ItemProblem:
    return ItemProblem(
        _("The date %(value)s cannot be read (not a time Facebook writes).") % {"value": seconds}
    )


def moment(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise _bad_moment(seconds) from None


def not_an_item(result: ParsedFile, position: int) -> None:
    result.errors.append(
        RowError(position, _("This item is not a Facebook record (an object was expected)."))
    )


def sniff(document: Any) -> str | None:
    """The kind of a lone file with an unfamiliar name, from its JSON shape; None if unknown."""
    if isinstance(document, dict):
        for kind, keys in SHAPE_KEYS.items():
            if any(key in document for key in keys):
                return kind
        return None
    if not isinstance(document, list):
        return None
    for item in document[:SNIFF_ITEMS]:
        if not isinstance(item, dict):
            continue
        if "label_values" in item:
            return "reactions"
        for entry in entries(item, "data"):
            if "reaction" in entry:
                return "reactions"
            if "post" in entry:
                return "posts"
        if "attachments" in item and "timestamp" in item:
            return "posts"
    return None


# --- posts -----------------------------------------------------------------------------------


def read_posts(document: Any, result: ParsedFile, state: State) -> None:
    append = result.records.append
    errors = result.errors
    fromtimestamp = datetime.fromtimestamp
    # The hot loop of a 20,000-post export: lookups are bound once and the usual shapes
    # (an int timestamp, lists of objects) are read inline; anything else takes the slow path.
    for position, item in enumerate(items_of(document, (), "your_posts_1.json"), 1):
        if type(item) is not dict:
            not_an_item(result, position)
            continue
        seconds = item.get("timestamp")
        if type(seconds) is not int or seconds < FIRST_TIMESTAMP:
            try:
                seconds = timestamp_of(seconds)
                if seconds is None:
                    raise ItemProblem(_("This post has no date."))
                if seconds < FIRST_TIMESTAMP:
                    raise ItemProblem(_("This post has no usable date."))
                published = moment(seconds)
            except ItemProblem as problem:
                errors.append(RowError(position, str(problem)))
                continue
        else:
            try:
                published = fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                errors.append(RowError(position, str(_bad_moment(seconds))))
                continue
        # The text: every `post` entry of `data`, the non-empty ones joined by a blank line.
        text = ""
        data = item.get("data")
        if type(data) is list:
            for entry in data:
                if type(entry) is dict and "post" in entry:
                    piece = repair(entry["post"]).strip()
                    if piece:
                        text = text + "\n\n" + piece if text else piece
        shared = media = ""
        attachments = item.get("attachments")
        if type(attachments) is list:
            for attachment in attachments:
                inner = attachment.get("data") if type(attachment) is dict else None
                if type(inner) is not list:
                    continue
                for entry in inner:
                    if type(entry) is not dict:
                        continue
                    context, picture = entry.get("external_context"), entry.get("media")
                    if not shared and isinstance(context, dict):
                        shared = repair(context.get("url")).strip()
                    if not media and isinstance(picture, dict):
                        media = repair(picture.get("uri")).strip()
        append(_post(seconds, published, text, shared, media))
    result.read += len(document) if isinstance(document, list) else 0


def _post(seconds: int, published: datetime, text: str, shared: str, media: str) -> PostRecord:
    """The record of a post, by both readers. Never keyed from `title` (interface language) nor
    the position in the list: the moment and what the post holds are the same in every export.
    Positional arguments (key, published_at, text, url, shared_url, media_url): a tenth of the
    loop's time."""
    return PostRecord(
        f"post:{seconds}:" + digest(text, shared, media), published, text, "", shared, media
    )


# The usual shape of a posts file, for `read_posts_typed`: only the fields read, so msgspec
# builds no object for the rest (`title`, `update_timestamp`, a photo's metadata...).
class _Link(msgspec.Struct):
    url: str | None = None


class _Media(msgspec.Struct):
    uri: str | None = None


class _Entry(msgspec.Struct):
    post: str | None = None
    external_context: _Link | None = None
    media: _Media | None = None


class _Attachment(msgspec.Struct):
    data: list[_Entry] = []


class _Post(msgspec.Struct):
    timestamp: int
    data: list[_Entry] = []
    attachments: list[_Attachment] = []


_POSTS = msgspec.json.Decoder(list[_Post])


def read_posts_typed(data: bytes, result: ParsedFile) -> bool:
    """`read_posts` for a file of the usual shape, decoded straight into the fields it needs
    (a fifth faster for 20,000 posts, and less to free). False, with nothing added, as soon as
    anything strays from that shape (a value of another type, a date before 2004): the file is
    then read by `read_posts`, which reports each item it cannot read. Both give the same
    records (tests/test_facebook_parser.py)."""
    try:
        posts = _POSTS.decode(json_without_nul(data))
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return False
    records: list[PostRecord] = []
    append = records.append
    fromtimestamp = datetime.fromtimestamp
    for post in posts:
        seconds = post.timestamp
        if seconds < FIRST_TIMESTAMP:
            return False
        try:
            published = fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return False
        text = ""
        for entry in post.data:
            if entry.post is not None:
                piece = repair(entry.post).strip()
                if piece:
                    text = text + "\n\n" + piece if text else piece
        shared = media = ""
        for attachment in post.attachments:
            for entry in attachment.data:
                if not shared and entry.external_context is not None:
                    shared = repair(entry.external_context.url).strip()
                if not media and entry.media is not None:
                    media = repair(entry.media.uri).strip()
        append(_post(seconds, published, text, shared, media))
    result.records.extend(records)
    result.read += len(posts)
    return True


# --- comments --------------------------------------------------------------------------------


def read_comments(document: Any, result: ParsedFile, state: State) -> None:
    items = items_of(document, SHAPE_KEYS["comments"], "comments.json")
    append = result.records.append
    for position, item in enumerate(items, 1):
        result.read += 1
        if not isinstance(item, dict):
            not_an_item(result, position)
            continue
        comment: dict[str, Any] = next(
            (e["comment"] for e in entries(item, "data") if isinstance(e.get("comment"), dict)),
            {},
        )
        try:
            seconds = timestamp_of(comment.get("timestamp", item.get("timestamp")))
            if seconds is None:
                raise ItemProblem(_("This comment has no date."))
            if seconds < FIRST_TIMESTAMP:
                raise ItemProblem(_("This comment has no usable date."))
            occurred = moment(seconds)
        except ItemProblem as problem:
            result.errors.append(RowError(position, str(problem)))
            continue
        text = repair(comment.get("comment")).strip()
        append(
            InteractionRecord(
                key=f"comment:{seconds}:" + digest(text),
                kind="comment",
                occurred_at=occurred,
                counterpart=collapse_spaces(repair(comment.get("group"))),
                text=text,
            )
        )


# --- reactions -------------------------------------------------------------------------------


def _reaction(item: dict[str, Any]) -> tuple[str, str]:
    """(reaction code, target URL) of an item in either shape Facebook writes."""
    data = item.get("data")
    if type(data) is list and data and type(data[0]) is dict:
        # Nearly every item: `data` holds one `{"reaction": {"reaction": "LIKE", ...}}`.
        found = data[0].get("reaction")
        if type(found) is dict and type(found.get("reaction")) is str:
            return found["reaction"].strip().upper(), ""
    for entry in entries(item, "data"):
        found = entry.get("reaction")
        if isinstance(found, dict) and isinstance(found.get("reaction"), str):
            return found["reaction"].strip().upper(), ""
    code = url = ""
    # Newer `likes_and_reactions.json`: `label_values` whose labels are in the interface
    # language; the code and the URL are told apart by their values instead.
    for entry in entries(item, "label_values"):
        value = entry.get("value")
        if not isinstance(value, str):
            continue
        value = value.strip()
        if not code and value.upper() in REACTION_TYPES:
            code = value.upper()
        elif not url and value.startswith(("https://", "http://")):
            url = repair(value)
    return code, url


def read_reactions(document: Any, result: ParsedFile, state: State) -> None:
    keys = SHAPE_KEYS["reactions"] if isinstance(document, dict) else ()
    items = items_of(document, keys, "likes_and_reactions_1.json")
    append = result.records.append
    seen = state.reactions_seen
    for position, item in enumerate(items, 1):
        result.read += 1
        if not isinstance(item, dict):
            not_an_item(result, position)
            continue
        try:
            seconds = timestamp_of(item.get("timestamp"))
            if seconds is None:
                raise ItemProblem(_("This reaction has no date."))
            code, url = _reaction(item)
            if not code:
                raise ItemProblem(_("This reaction has no reaction type (LIKE, LOVE...)."))
        except ItemProblem as problem:
            result.errors.append(RowError(position, str(problem)))
            continue
        if seconds < FIRST_TIMESTAMP:
            result.skipped.append(
                RowError(
                    position,
                    _(
                        "Facebook gave this reaction no date, so it cannot be told apart from "
                        "the others."
                    ),
                )
            )
            continue
        occurred = moment(seconds)
        # Nothing else tells apart two reactions of one type in the same second (no target, and
        # `title` is in the interface language): they are numbered in the order Facebook lists
        # them, the same in every export, so each keeps its key when imported again.
        group = (seconds, code)
        number = seen.get(group, 0) + 1
        seen[group] = number
        append(
            InteractionRecord(
                key=key_fit(f"reaction:{seconds}:{code}:{number}"),
                kind="reaction",
                occurred_at=occurred,
                target_url=url,
                detail=code,
            )
        )


# --- friends ---------------------------------------------------------------------------------


def read_friends(document: Any, result: ParsedFile, state: State) -> None:
    items = items_of(document, SHAPE_KEYS["friends"], "your_friends.json")
    append = result.records.append
    for position, item in enumerate(items, 1):
        result.read += 1
        if not isinstance(item, dict):
            not_an_item(result, position)
            continue
        name = collapse_spaces(repair(item.get("name")))
        key = person_key("", name)
        if not key:
            result.errors.append(RowError(position, _("This friend has no name.")))
            continue
        # Friends are names with, usually, the moment of the friendship: a name alone is kept.
        connected = None
        seconds = timestamp_of(item.get("timestamp"))
        if seconds is not None and seconds >= FIRST_TIMESTAMP:
            try:
                connected = moment(seconds).date()
            except ItemProblem as problem:
                result.errors.append(RowError(position, str(problem)))
                continue
        append(ConnectionRecord(PersonRef(key=key, name=name), connected))


# --- profile ---------------------------------------------------------------------------------


def _text_in(value: object, *path: str) -> str:
    for step in path:
        if not isinstance(value, dict):
            return ""
        value = value.get(step)
    return collapse_spaces(repair(value))


def read_profile(document: Any, result: ParsedFile, state: State) -> None:
    if not isinstance(document, dict):
        raise wrong_shape("profile_information.json", _("an object holding “profile_v2”"))
    profile = next((document[k] for k in SHAPE_KEYS["profile"] if k in document), None)
    if not isinstance(profile, dict):
        raise wrong_shape("profile_information.json", _("an object holding “profile_v2”"))
    result.read += 1
    name = profile.get("name")
    full_name = _text_in(name, "full_name") if isinstance(name, dict) else _text_in(name)
    if not full_name and isinstance(name, dict):
        full_name = collapse_spaces(
            " ".join(_text_in(name, part) for part in ("first_name", "middle_name", "last_name"))
        )
    websites = [_text_in(site, "address") for site in entries(profile, "websites")]
    state.profile = {
        "name": full_name,
        "uri": _text_in(profile, "profile_uri"),
        "username": _text_in(profile, "username"),
        "location": _text_in(profile, "current_city", "name"),
        "websites": ", ".join(site for site in websites if site),
    }


Reader = Callable[[Any, ParsedFile, State], None]

# The keys under which each file keeps its list (newer exports add `_v2`).
SHAPE_KEYS: dict[str, tuple[str, ...]] = {
    "comments": ("comments_v2", "comments"),
    "reactions": ("reactions_v2", "reactions"),
    "friends": ("friends_v2", "friends"),
    "profile": ("profile_v2", "profile"),
}
READERS: dict[str, Reader] = {
    "profile": read_profile,
    "posts": read_posts,
    "comments": read_comments,
    "reactions": read_reactions,
    "friends": read_friends,
}
