"""One reader per Bluesky collection Maillage imports: a decoded record -> a typed record.

Readers raise `RecordProblem` for a record they cannot use (the importer turns it into a
`RowError` and goes on). Required fields (`createdAt`, a like's `subject`...) must have the
lexicon's type; optional ones (`langs`, `embed`, `facets`) are used when well formed and
otherwise left aside, so a stray value never costs the owner a post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from maillage.imports.records import AccountRecord, InteractionRecord, PostRecord, Record
from maillage.lib.text import key_fit

POST = "app.bsky.feed.post"
LIKE = "app.bsky.feed.like"
REPOST = "app.bsky.feed.repost"
FOLLOW = "app.bsky.graph.follow"
PROFILE = "app.bsky.actor.profile"
# The only profile record the app reads; any other key in that collection is not the profile.
PROFILE_RKEY = "self"
QUOTE_EMBEDS = frozenset({"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"})
EXTERNAL_EMBED = "app.bsky.embed.external"
WITH_MEDIA_EMBED = "app.bsky.embed.recordWithMedia"
LINK_FEATURE = "app.bsky.richtext.facet#link"
PROFILE_URL = "https://bsky.app/profile/"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Bluesky's first repositories date from 2022: an older TID is not a real revision.
TID_EARLIEST = datetime(2022, 1, 1, tzinfo=UTC)


class RecordProblem(ValueError):
    """A record that cannot be imported; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Owner:
    """The repository's account, and what its records say about it (profile, follows)."""

    did: str
    display_name: str = ""
    description: str = ""
    follows: int = 0

    def account(self) -> AccountRecord:
        # Followers and post counts are not in a repository: they live in other people's
        # repositories and in Bluesky's index, so they stay unknown (None).
        return AccountRecord(
            handle=key_fit(PROFILE_URL + self.did),
            display_name=self.display_name,
            summary=self.description,
            following_count=self.follows,
        )


def at_uri(did: str, collection: str, rkey: str) -> str:
    return f"at://{did}/{collection}/{rkey}"


def did_of(uri: str) -> str:
    """The account an `at://did/collection/rkey` URI belongs to ("" for anything else)."""
    if not uri.startswith("at://"):
        return ""
    return uri[5:].split("/", 1)[0]


def moment_parse(value: str) -> datetime:
    """`createdAt` as apps write it: ISO 8601 with 0 to 9 fraction digits, `Z` or an offset.

    `fromisoformat` (Python 3.11) reads them all in one call; values already in UTC (nearly
    all of them) are returned as they are, without a conversion.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        # Lowercase `t`/`z` and stray spaces are valid RFC 3339 or harmless: one more try.
        moment = datetime.fromisoformat(value.strip().upper())
    zone = moment.tzinfo
    if zone is UTC:
        return moment
    if zone is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def tid_moment(tid: str) -> datetime | None:
    """When a TID (a commit `rev`, most record keys) was made; None if it is not a real one."""
    if len(tid) != 13:
        return None
    value = 0
    for char in tid:
        index = TID_ALPHABET.find(char)
        if index < 0:
            return None
        value = value << 5 | index
    if value >> 63:
        return None
    # 53 bits of microseconds since 1970, then 10 bits of clock identifier.
    try:
        moment = EPOCH + timedelta(microseconds=value >> 10)
    except OverflowError:
        return None
    return moment if moment >= TID_EARLIEST else None


def clean(value: str) -> str:
    """Without NUL characters: valid in DAG-CBOR strings, refused by PostgreSQL text columns."""
    return value.replace("\x00", "") if "\x00" in value else value


def _not_a_record(key: str) -> RecordProblem:
    return RecordProblem(
        _("The record %(key)s is not a Bluesky record (it holds no fields): it was not imported.")
        % {"key": key}
    )


def _bad_field(key: str, name: str) -> RecordProblem:
    return RecordProblem(
        _(
            "The record %(key)s has no valid “%(field)s” field, which Bluesky always writes: it "
            "was not imported."
        )
        % {"key": key, "field": name}
    )


def _created_at(record: dict[str, Any], key: str) -> datetime:
    value = record.get("createdAt")
    if not isinstance(value, str):
        raise _bad_field(key, "createdAt")
    try:
        return moment_parse(value)
    except (ValueError, OverflowError):
        raise RecordProblem(
            _(
                "The record %(key)s has a creation date that cannot be read (“%(value)s”): it "
                "was not imported."
            )
            % {"key": key, "value": clean(value[:64])}
        ) from None


def _fields(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _not_a_record(key)
    return value


def _text(node: Any, *path: str) -> str:
    """The string at `path` inside nested dicts, "" when any step is missing or not a dict."""
    for name in path:
        if not isinstance(node, dict):
            return ""
        node = node.get(name)
    return clean(node) if isinstance(node, str) else ""


def _first_link(facets: Any) -> str:
    """The URI of the first link facet, in the order the post lists them."""
    if not isinstance(facets, list):
        return ""
    for facet in facets:
        features = facet.get("features") if isinstance(facet, dict) else None
        if not isinstance(features, list):
            continue
        for feature in features:
            if isinstance(feature, dict) and feature.get("$type") == LINK_FEATURE:
                uri = feature.get("uri")
                if isinstance(uri, str) and uri:
                    return clean(uri)
    return ""


def read_post(owner: Owner, key: str, rkey: str, value: Any) -> Record:
    record = _fields(value, key)
    published_at = _created_at(record, key)
    text = record.get("text", "")
    if not isinstance(text, str):
        raise _bad_field(key, "text")
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else ""
    if "\x00" in text or "\x00" in language:
        text, language = clean(text), clean(language)
    embed = record.get("embed")
    embed_type = _text(embed, "$type") if embed is not None else ""
    reply = record.get("reply")
    # Answering one's own post continues a thread of one's own words: an original post (or a
    # quote), as on X and Mastodon. Answering anyone else is a public comment: a reply.
    if reply is not None and did_of(_text(reply, "parent", "uri")) != owner.did:
        kind = "reply"
    elif embed_type in QUOTE_EMBEDS:
        kind = "quote"
    else:
        kind = "original"
    # What the post shares: its link card, else its first link, else the post it quotes.
    shared_url = ""
    if embed_type == EXTERNAL_EMBED:
        shared_url = _text(embed, "external", "uri")
    elif embed_type == WITH_MEDIA_EMBED and _text(embed, "media", "$type") == EXTERNAL_EMBED:
        shared_url = _text(embed, "media", "external", "uri")
    facets = record.get("facets")
    if not shared_url and facets is not None:
        shared_url = _first_link(facets)
    if not shared_url and embed_type in QUOTE_EMBEDS:
        shared_url = _text(embed, "record", "uri") or _text(embed, "record", "record", "uri")
    # Images and videos are blobs, which repo.car does not hold: media_url stays empty.
    return PostRecord(
        key=key_fit(at_uri(owner.did, POST, rkey)),
        published_at=published_at,
        text=text,
        url=f"{PROFILE_URL}{owner.did}/post/{rkey}",
        shared_url=shared_url,
        kind=kind,
        language=language,
    )


def _subject_uri(record: dict[str, Any], key: str) -> str:
    uri = _text(record, "subject", "uri")
    if not uri.startswith("at://"):
        raise _bad_field(key, "subject")
    return uri


def read_like(owner: Owner, key: str, rkey: str, value: Any) -> Record:
    record = _fields(value, key)
    occurred_at = _created_at(record, key)
    subject = _subject_uri(record, key)
    return InteractionRecord(
        key=key_fit("like:" + at_uri(owner.did, LIKE, rkey)),
        kind="reaction",
        occurred_at=occurred_at,
        counterpart=did_of(subject),
        target_url=subject,
        detail="like",
    )


def read_repost(owner: Owner, key: str, rkey: str, value: Any) -> Record:
    record = _fields(value, key)
    published_at = _created_at(record, key)
    return PostRecord(
        key=key_fit(at_uri(owner.did, REPOST, rkey)),
        published_at=published_at,
        shared_url=_subject_uri(record, key),
        kind="reshare",
    )


def read_follow(owner: Owner, key: str, rkey: str, value: Any) -> Record:
    record = _fields(value, key)
    occurred_at = _created_at(record, key)
    subject = record.get("subject")
    if not isinstance(subject, str) or not subject.startswith("did:"):
        raise _bad_field(key, "subject")
    subject = clean(subject)
    owner.follows += 1
    return InteractionRecord(
        key=key_fit("follow:" + at_uri(owner.did, FOLLOW, rkey)),
        kind="follow",
        occurred_at=occurred_at,
        counterpart=subject,
        target_url=PROFILE_URL + subject,
    )


def read_profile(owner: Owner, key: str, rkey: str, value: Any) -> None:
    """Keeps the profile's fields on `owner`: the account record needs every follow counted."""
    record = _fields(value, key)
    owner.display_name = _text(record, "displayName").strip()
    owner.description = _text(record, "description").strip()


Reader = Callable[[Owner, str, str, Any], Record | None]

READERS: dict[str, Reader] = {
    POST: read_post,
    LIKE: read_like,
    REPOST: read_repost,
    FOLLOW: read_follow,
    PROFILE: read_profile,
}
