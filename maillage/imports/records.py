"""Typed records every importer yields; the upsert service turns them into rows.

Importers never touch the database: they read files and describe what they found. That keeps
them testable on fixture files alone and lets one writer guarantee idempotence for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class PersonRef:
    """Someone named in an export. `key` is stable across re-imports of any archive."""

    key: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    position: str = ""
    company: str = ""
    profile_url: str = ""
    email: str = ""


@dataclass(slots=True)
class AccountRecord:
    """The owner's own account on the network, and what their profile says."""

    handle: str
    kind: str = "profile"
    display_name: str = ""
    headline: str = ""
    summary: str = ""
    industry: str = ""
    location: str = ""
    websites: str = ""
    # Counts the network states about the account (X's follower.js, Mastodon's actor), if any.
    followers_count: int | None = None
    following_count: int | None = None
    posts_count: int | None = None


@dataclass(slots=True)
class ConnectionRecord:
    person: PersonRef
    connected_on: date | None


@dataclass(slots=True)
class PostRecord:
    key: str
    published_at: datetime
    text: str = ""
    url: str = ""
    shared_url: str = ""
    media_url: str = ""
    visibility: str = ""
    # "original", "reshare" (retweet, boost, repost), "reply" or "quote" (a reshare with text).
    kind: str = "original"
    # BCP 47 code as the network states it ("fr", "en-CA"); empty when unknown.
    language: str = ""
    # What the network counted for the post, when the export says (None: not in the export).
    reach: int | None = None
    reactions_count: int | None = None
    comments_count: int | None = None
    reshares_count: int | None = None


@dataclass(slots=True)
class InteractionRecord:
    key: str
    kind: str
    occurred_at: datetime | None
    person: PersonRef | None = None
    counterpart: str = ""
    target_url: str = ""
    detail: str = ""
    conversation: str = ""
    text: str = ""
    # Message bodies are only stored when the owner opted in; the writer enforces it.
    is_message_body: bool = False


Record = AccountRecord | ConnectionRecord | PostRecord | InteractionRecord


@dataclass(slots=True)
class RowError:
    """A row that could not be read: where it is and why, in words a user can act on."""

    line: int
    reason: str


@dataclass(slots=True)
class ParsedFile:
    """What an importer made of one file of the archive."""

    name: str
    # "parsed": records to write; "ignored": a file this importer does not know;
    # "rejected": the whole file is unusable (reason in `errors`).
    status: str = "parsed"
    read: int = 0
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows deliberately not imported (e.g. empty connection rows), with a reason each.
    skipped: list[RowError] = field(default_factory=list)
    # What `RowError.line` counts: "line" in text files, "item" (1-based) in a JSON list,
    # "record" in a binary repository.
    unit: str = "line"
    # Remarks on the whole file a user should read (columns not found, counts that differ).
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ParsedArchive:
    network: str
    files: list[ParsedFile]
    # Date the export was produced (from its name or its entries): newer data wins.
    as_of: date | None = None
