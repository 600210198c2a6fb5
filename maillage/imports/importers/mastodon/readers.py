"""actor.json (the profile), likes.json (favourites) and following_accounts.csv (follows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from maillage.imports.importers.linkedin.table import columns, decode, table_open
from maillage.imports.importers.mastodon.collection import (
    ITEMS,
    FileUnusable,
    download_again,
    uri,
)
from maillage.imports.importers.mastodon.content import html_text
from maillage.imports.importers.mastodon.outbox import Owner
from maillage.imports.records import AccountRecord, InteractionRecord, ParsedFile, RowError
from maillage.lib.text import collapse_spaces, key_fit

# Every kind of ActivityPub actor Mastodon may export (bots are Service, groups Group).
ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})


def _html(value: Any) -> tuple[str, str]:
    return html_text(value) if isinstance(value, str) and value else ("", "")


def _websites(fields: Any) -> str:
    """The profile fields (`PropertyValue`) whose value is a link, one address per line."""
    if not isinstance(fields, list):
        return ""
    found: list[str] = []
    for field in fields:
        if not isinstance(field, dict) or field.get("type") != "PropertyValue":
            continue
        link = _html(field.get("value"))[1]
        if link and link not in found:
            found.append(link)
    return "\n".join(found)


def read_actor(document: Any, result: ParsedFile, owner: Owner) -> None:
    """The owner's account; its posts count is added once the outbox is read."""
    result.read = 1
    if not isinstance(document, dict) or document.get("type") not in ACTOR_TYPES:
        raise FileUnusable(
            1,
            _(
                "actor.json does not describe a Mastodon account (an ActivityPub “Person”). "
                "%(what_to_do)s"
            )
            % {"what_to_do": download_again()},
        )
    actor_id = uri(document.get("id"))
    handle = uri(document.get("url")) or actor_id
    if not handle:
        # The posts can still be filed under the member's Mastodon profile: only the profile's
        # own fields are lost, so the file is not rejected.
        result.notes.append(
            _(
                "actor.json does not give the account's address (“url” or “id”), so the "
                "profile (name, bio, links) was not imported. %(what_to_do)s"
            )
            % {"what_to_do": download_again()}
        )
        return
    owner.actor_id = owner.actor_id or actor_id
    owner.followers = owner.followers or uri(document.get("followers"))
    name = document.get("name")
    username = document.get("preferredUsername")
    display = name if isinstance(name, str) and name.strip() else username
    owner.account = AccountRecord(
        handle=key_fit(handle),
        display_name=collapse_spaces(display) if isinstance(display, str) else "",
        summary=_html(document.get("summary"))[0],
        websites=_websites(document.get("attachment")),
    )
    result.records.append(owner.account)


def read_likes(document: dict[str, Any], result: ParsedFile) -> None:
    """Favourites: the URIs of the statuses the owner liked, without a date."""
    result.unit = "item"
    items = document[ITEMS]
    result.read = len(items)
    append = result.records.append
    for number, item in enumerate(items, 1):
        target = uri(item)
        if not target:
            result.errors.append(
                RowError(number, _("This favourite does not give the address of a post."))
            )
            continue
        append(
            InteractionRecord(
                key=key_fit("like:" + target),
                kind="reaction",
                occurred_at=None,
                target_url=target,
                detail="favourite",
            )
        )


FOLLOWING = columns(
    ("address", "Account address", True),
    ("boosts", "Show boosts"),
    ("notify", "Notify on new posts"),
    ("languages", "Languages"),
)


def _follow(value: str) -> InteractionRecord | None:
    """`user@instance` (a leading `@` tolerated) as a follow; None when it is not an address."""
    address = value.strip().removeprefix("@")
    user, _at, domain = address.partition("@")
    if not user or not domain or " " in address or "/" in address:
        return None
    lowered = address.lower()
    user, _at, domain = lowered.partition("@")
    return InteractionRecord(
        key=key_fit("follow:" + lowered),
        kind="follow",
        occurred_at=None,
        counterpart=address,
        target_url=f"https://{domain}/@{user}",
    )


def read_following(data: bytes, result: ParsedFile) -> None:
    """following_accounts.csv; the oldest exports list the addresses without a header row."""
    text = decode(data)
    table = table_open(text, FOLLOWING)
    rows: Iterator[tuple[int, str]]
    if table is not None:
        address_i = table.position("address")
        rows = ((line, row[address_i]) for line, row in table.rows(result))
    else:
        first = next((line for line in text.split("\n", 5) if line.strip()), "")
        if _follow(first.split(",", 1)[0]) is None:
            raise FileUnusable(
                1,
                _(
                    "following_accounts.csv has no “Account address” column. Export the list "
                    "again from Mastodon (Preferences > Import and export > Data export) and "
                    "upload it unchanged."
                ),
            )
        rows = _headerless(text, result)
    append = result.records.append
    for line, value in rows:
        record = _follow(value)
        if record is None:
            result.errors.append(
                RowError(
                    line,
                    _("“%(value)s” is not an account address like name@instance.")
                    % {"value": value.strip()[:80]},
                )
            )
            continue
        append(record)


def _headerless(text: str, result: ParsedFile) -> Iterator[tuple[int, str]]:
    for line, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if row and row[0].strip():
            result.read += 1
            yield line, row[0]


# Exports Maillage leaves aside on purpose, with the reason shown next to the file.
def ignored_note(base: str) -> str:
    if base == "bookmarks.json" or base == "bookmarks.csv":
        return _("Bookmarks are private reminders, not activity others see: not imported.")
    if base in ("blocked_accounts.csv", "blocked_domains.csv", "muted_accounts.csv"):
        return _("Blocks and mutes are private settings: not imported.")
    if base == "lists.csv":
        return _("Lists only organise the owner's timeline: not imported.")
    return ""
