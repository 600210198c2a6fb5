"""outbox.json: the owner's statuses (`Create` of a Note or Question) and boosts (`Announce`).

One item that cannot be read becomes a `RowError` (its 1-based number in `orderedItems`) and the
others go on; activities that are not posts and private messages are `skipped` with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from maillage.imports.importers.mastodon.collection import (
    ITEMS,
    PUBLIC,
    addresses,
    collection_count,
    count,
    moment,
    uri,
)
from maillage.imports.importers.mastodon.content import html_text
from maillage.imports.records import AccountRecord, ParsedFile, PostRecord, RowError
from maillage.lib.text import key_fit

POST_TYPES = frozenset({"Note", "Question"})
# Quote posts: FEP-044f `quote` (Mastodon 4.4+), and the older fields other servers write.
QUOTE_FIELDS = ("quote", "quoteUri", "_misskey_quote")


@dataclass
class Owner:
    """What the archive says about its owner, gathered across files."""

    # The actor's URI (`https://instance/users/name`): its statuses' URIs start with it.
    actor_id: str = ""
    followers: str = ""
    account: AccountRecord | None = None
    # outbox.json's `totalItems`: the account's own status counter (see docs).
    posts_count: int | None = None


class ItemProblem(ValueError):
    """An item that cannot be read; its message is shown to the user."""


def private_reason() -> str:
    return _("Visible only to the people it mentions (a direct message): private, so not imported.")


def visibility_of(to: Any, cc: Any, followers: str) -> str:
    """`public`, `unlisted`, `followers`, or "" for a post addressed only to people it names.

    Mastodon addresses a public post to Public, an unlisted one to its followers with Public in
    copy, a followers-only one to its followers, and a direct message to its mentions only.
    """
    to_list, cc_list = addresses(to), addresses(cc)
    if not PUBLIC.isdisjoint(to_list):
        return "public"
    if not PUBLIC.isdisjoint(cc_list):
        return "unlisted"
    for address in (*to_list, *cc_list):
        if address == followers or address.endswith("/followers"):
            return "followers"
    return ""


def _published(value: Any) -> datetime:
    if value is None or value == "":
        raise ItemProblem(_("This post has no date (“published”)."))
    try:
        return moment(value)
    except (ValueError, TypeError):
        raise ItemProblem(
            _("The date “%(value)s” of this post could not be read.") % {"value": str(value)[:60]}
        ) from None


def _language(content_map: Any) -> str:
    """The language Mastodon states in `contentMap` (one key per status), else ""."""
    if isinstance(content_map, dict) and len(content_map) == 1:
        (language,) = content_map
        return language if isinstance(language, str) else ""
    return ""


def _media(attachments: Any) -> str:
    """The first attachment's address (a path inside the archive, `media_attachments/...`)."""
    if isinstance(attachments, dict):
        attachments = [attachments]
    if isinstance(attachments, list):
        for attachment in attachments:
            if isinstance(attachment, dict):
                found = uri(attachment.get("url"))
                if found:
                    return found
    return ""


def _create(item: dict[str, Any], owner: Owner) -> PostRecord | str:
    """A status as a post, or the reason it is skipped."""
    status = item.get("object")
    if not isinstance(status, dict):
        raise ItemProblem(_("This “Create” activity holds no post (its “object” is missing)."))
    status_type = status.get("type")
    if status_type not in POST_TYPES:
        return _(
            "Statuses of type “%(type)s” are not posts Maillage reads (it reads notes and polls): "
            "not imported."
        ) % {"type": str(status_type)[:40]}
    key = uri(status.get("id"))
    if not key:
        raise ItemProblem(_("This post has no identifier (“id”)."))
    published = _published(status.get("published") or item.get("published"))
    visibility = visibility_of(
        status.get("to", item.get("to")), status.get("cc", item.get("cc")), owner.followers
    )
    if not visibility:
        return private_reason()
    content = status.get("content")
    text, link = html_text(content) if isinstance(content, str) and content else ("", "")
    warning = status.get("summary")
    if isinstance(warning, str) and warning.strip():
        # The content warning is what followers read first: it heads the text.
        warning_text = html_text(warning)[0]
        text = f"{warning_text}\n\n{text}" if text else warning_text
    author = owner.actor_id or uri(status.get("attributedTo")) or uri(item.get("actor"))
    reply_to = uri(status.get("inReplyTo"))
    # A reply to one of the owner's own statuses continues their thread: it is their own
    # content, counted as an original post, where a reply to someone else is a conversation.
    replies_to_other = bool(reply_to) and not (author and reply_to.startswith(author + "/"))
    quoted = ""
    for field in QUOTE_FIELDS:
        quoted = uri(status.get(field))
        if quoted:
            break
    kind = "reply" if replies_to_other else "quote" if quoted else "original"
    return PostRecord(
        key=key_fit(key),
        published_at=published,
        text=text,
        url=uri(status.get("url")),
        shared_url=quoted or link,
        media_url=_media(status.get("attachment")),
        visibility=visibility,
        kind=kind,
        language=_language(status.get("contentMap")),
        reactions_count=collection_count(status.get("likes")),
        comments_count=collection_count(status.get("replies")),
        reshares_count=collection_count(status.get("shares")),
    )


def _announce(item: dict[str, Any], owner: Owner) -> PostRecord | str:
    """A boost: the activity is the owner's, the post it shares is someone else's URI."""
    key = uri(item.get("id"))
    if not key:
        raise ItemProblem(_("This boost has no identifier (“id”)."))
    target = uri(item.get("object"))
    if not target:
        raise ItemProblem(_("This boost does not say which post it shares (“object”)."))
    published = _published(item.get("published"))
    visibility = visibility_of(item.get("to"), item.get("cc"), owner.followers)
    if not visibility:
        return private_reason()
    return PostRecord(
        key=key_fit(key),
        published_at=published,
        shared_url=target,
        visibility=visibility,
        kind="reshare",
    )


def read_outbox(document: dict[str, Any], result: ParsedFile, owner: Owner) -> None:
    """Every item of a loaded outbox into `result`; `totalItems` into `owner.posts_count`."""
    result.unit = "item"
    stated = count(document.get("totalItems"))
    if stated is not None:
        owner.posts_count = max(stated, owner.posts_count or 0)
    append, errors, skipped = result.records.append, result.errors, result.skipped
    for number, item in enumerate(document[ITEMS], 1):
        try:
            if not isinstance(item, dict):
                raise ItemProblem(
                    _("This item is not an ActivityPub activity (an object with a “type”).")
                )
            activity = item.get("type")
            if activity == "Create":
                found = _create(item, owner)
            elif activity == "Announce":
                found = _announce(item, owner)
            else:
                found = _("Activities of type “%(type)s” are not posts: not imported.") % {
                    "type": str(activity)[:40]
                }
        except ItemProblem as problem:
            errors.append(RowError(number, str(problem)))
            continue
        if isinstance(found, str):
            skipped.append(RowError(number, found))
        else:
            append(found)
    result.read = len(document[ITEMS])
