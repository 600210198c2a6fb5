"""Reading X archive files: the `window.YTD.<name>.part<N> = [...]` wrapper, and one reader per
file other than the posts (likes, follows, account, profile, long posts).

Readers never raise for a bad item: they add a `RowError` (1-based item number, reason) and go
on. A file whose whole content is unusable raises `FileProblem`, and the importer rejects it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from maillage.imports.importers.x.tweets import unescape
from maillage.imports.records import InteractionRecord, ParsedFile, PostRecord, RowError
from maillage.lib.text import json_document

YTD = b"window.YTD."
MANIFEST = b"window.__THAR_CONFIG"
# How far into a file its `window.YTD.<name>.part<N> =` head may reach (a BOM, blank lines).
HEAD_BYTES = 512
# A long post and its post in tweets.js were made within this much of each other.
NOTE_WINDOW = timedelta(seconds=2)
# Characters of a post's text compared with the start of a long post (X cuts posts at 280).
NOTE_PREFIX = 40


class FileProblem(ValueError):
    """The whole file is unusable; `line` is where in its text, its message what to do."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Owner:
    """What the archive says about its owner, gathered across files."""

    username: str = ""
    account_id: str = ""
    display_name: str = ""
    # True once account.js was read: only then is an AccountRecord written.
    has_account: bool = False
    bio: str = ""
    website: str = ""
    location: str = ""
    followers: int | None = None
    following: int | None = None


# --- the wrapper -----------------------------------------------------------------------------


def load(data: bytes, label: str, head: bytes = YTD) -> tuple[str, Any]:
    """(the name after `window.YTD.`, the JSON value after the first `=`) of one file."""
    start = 0
    while start < min(len(data), HEAD_BYTES) and data[start] in b"\xef\xbb\xbf \t\r\n":
        start += 1  # a BOM or blank lines before the head
    equals = data.find(b"=", start, start + HEAD_BYTES)
    if not data.startswith(head, start) or equals < 0:
        raise not_an_archive_file(label)
    name = data[start + len(head) : equals].strip().decode("ascii", "replace")
    body = data[equals + 1 :].rstrip()
    if body.endswith(b";"):
        body = body[:-1]
    try:
        return name.split(".", 1)[0], json_document(body)
    except json.JSONDecodeError as problem:
        # The JSON starts on the head's line: its line numbers are the file's.
        raise damaged(label, data.count(b"\n", 0, equals) + problem.lineno) from None
    except (ValueError, RecursionError):
        raise damaged(label, 1) from None


def not_an_archive_file(label: str) -> FileProblem:
    return FileProblem(
        _(
            "%(file)s is not a file of an X archive: it should begin with “window.YTD.” followed "
            "by the data. Upload the archive X sent you (twitter-….zip) unchanged, or the files "
            "of its “data” folder as they are."
        )
        % {"file": label}
    )


def damaged(label: str, line: int) -> FileProblem:
    return FileProblem(
        _(
            "%(file)s is damaged or incomplete (what follows “=” is not valid JSON, perhaps cut "
            "short during the download). Download your archive from X again and upload it "
            "unchanged."
        )
        % {"file": label},
        line,
    )


def wrong_shape(label: str, expected: str) -> FileProblem:
    return FileProblem(
        _(
            "%(file)s does not have the structure X gives it (%(expected)s was expected). Upload "
            "the file as it came in your X archive, without editing it."
        )
        % {"file": label, "expected": expected}
    )


def items_of(document: Any, label: str) -> list[Any]:
    """The list every YTD file holds; a file of anything else (or of no objects) is rejected."""
    if not isinstance(document, list):
        raise wrong_shape(label, _("a list of items in square brackets"))
    if document and not any(isinstance(item, dict) for item in document):
        raise wrong_shape(label, _("a list of objects in curly brackets"))
    return document


def wrapped(item: Any, wrapper: str) -> dict[str, Any] | None:
    """The object inside `{"<wrapper>": {...}}`, or None."""
    if not isinstance(item, dict):
        return None
    inner = item.get(wrapper)
    return inner if isinstance(inner, dict) else None


def text_of(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _not_wrapped(wrapper: str) -> str:
    return _("This item has no “%(wrapper)s” object as X writes it: it was not imported.") % {
        "wrapper": wrapper
    }


# --- account.js and profile.js ---------------------------------------------------------------


def read_account(items: list[Any], result: ParsedFile, owner: Owner) -> None:
    """The owner's handle, id and name; the e-mail address next to them is never read."""
    result.read = len(items)
    for index, item in enumerate(items, 1):
        account = wrapped(item, "account")
        if account is None:
            result.errors.append(RowError(index, _not_wrapped("account")))
            continue
        owner.has_account = True
        owner.username = text_of(account.get("username")) or owner.username
        owner.account_id = text_of(account.get("accountId")) or owner.account_id
        owner.display_name = text_of(account.get("accountDisplayName")) or owner.display_name
        return


def read_profile(items: list[Any], result: ParsedFile, owner: Owner) -> None:
    result.read = len(items)
    for index, item in enumerate(items, 1):
        profile = wrapped(item, "profile")
        description = profile.get("description") if profile is not None else None
        if not isinstance(description, dict):
            result.errors.append(RowError(index, _not_wrapped("profile")))
            continue
        owner.bio = unescape(text_of(description.get("bio")))
        owner.website = text_of(description.get("website"))
        owner.location = text_of(description.get("location"))
        return


# --- like.js ---------------------------------------------------------------------------------


def read_likes(items: list[Any], result: ParsedFile, owner: Owner) -> None:
    """Posts the owner liked. X gives no date for a like: `occurred_at` stays empty."""
    result.read = len(items)
    append = result.records.append
    for index, item in enumerate(items, 1):
        like = wrapped(item, "like")
        tweet_id = text_of(like.get("tweetId")) if like is not None else ""
        if not tweet_id:
            result.errors.append(
                RowError(index, _("This like names no post (“tweetId”): it was not imported."))
            )
            continue
        assert like is not None
        url = text_of(like.get("expandedUrl")) or "https://x.com/i/status/" + tweet_id
        append(
            InteractionRecord(
                key="like:" + tweet_id,
                kind="reaction",
                occurred_at=None,
                target_url=url,
                detail="like",
            )
        )


# --- follower.js and following.js --------------------------------------------------------------


def _accounts(items: list[Any], result: ParsedFile, wrapper: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for index, item in enumerate(items, 1):
        inner = wrapped(item, wrapper)
        if inner is None or not text_of(inner.get("accountId")):
            result.errors.append(
                RowError(index, _("This item names no account (“accountId”): it was not counted."))
            )
            continue
        found.append(inner)
    return found


def read_followers(items: list[Any], result: ParsedFile, owner: Owner) -> None:
    """Only account ids: the number of followers is all Maillage keeps."""
    result.read = len(items)
    followers = len(_accounts(items, result, "follower"))
    owner.followers = (owner.followers or 0) + followers


def read_following(items: list[Any], result: ParsedFile, owner: Owner) -> None:
    """Accounts the owner follows: their number, and one `follow` interaction each."""
    result.read = len(items)
    accounts = _accounts(items, result, "following")
    owner.following = (owner.following or 0) + len(accounts)
    append = result.records.append
    for account in accounts:
        account_id = text_of(account["accountId"])
        link = text_of(account.get("userLink")) or "https://x.com/i/user/" + account_id
        append(
            InteractionRecord(
                key="follow:" + account_id,
                kind="follow",
                occurred_at=None,
                target_url=link,
                counterpart=account_id,
            )
        )


# --- note-tweet.js -------------------------------------------------------------------------------


def _comparable(text: str) -> str:
    """The start of a text as both files write it: entities undone, spaces collapsed."""
    return " ".join(unescape(text).split())


def _cut(text: str) -> str:
    """A post's text as tweets.js cuts a long post: without its closing link and ellipsis."""
    words = text.split()
    while words and (words[-1].startswith("https://t.co/") or words[-1] in ("…", "...")):
        words.pop()
    return " ".join(words).rstrip("…").rstrip(".").rstrip()


def read_notes(items: list[Any], result: ParsedFile, posts: list[PostRecord]) -> None:
    """Give long posts their whole text.

    A long post ("note tweet") is in tweets.js cut at 280 characters, and whole in
    note-tweet.js, with no id linking the two. A note is matched to the one post made within
    two seconds of it whose (cut) text starts the note's text; anything less certain is
    skipped rather than risk giving a post another one's text.
    """
    result.read = len(items)
    by_second: dict[int, list[PostRecord]] = {}
    for post in posts:
        by_second.setdefault(int(post.published_at.timestamp()), []).append(post)
    for index, item in enumerate(items, 1):
        note = wrapped(item, "noteTweet")
        core = note.get("core") if note is not None else None
        text = core.get("text") if isinstance(core, dict) else None
        created = note.get("createdAt") if note is not None else None
        if not isinstance(text, str) or not isinstance(created, str):
            result.errors.append(RowError(index, _not_wrapped("noteTweet")))
            continue
        try:
            moment = datetime.fromisoformat(created)
        except ValueError:
            result.errors.append(
                RowError(
                    index,
                    _("The date “%(value)s” of this long post could not be read.")
                    % {"value": created[:60]},
                )
            )
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        whole = _comparable(text)
        second = int(moment.timestamp())
        window = int(NOTE_WINDOW.total_seconds())
        candidates = [
            post
            for offset in range(-window, window + 1)
            for post in by_second.get(second + offset, ())
            if post.kind != "reshare" and _starts(whole, post.text)
        ]
        if len(candidates) != 1:
            result.skipped.append(
                RowError(
                    index,
                    _(
                        "This long post could not be matched with certainty to a post of "
                        "tweets.js: its full text was not added (the post keeps its first 280 "
                        "characters)."
                    ),
                )
            )
            continue
        post = candidates[0]
        if len(unescape(text)) > len(post.text):
            post.text = unescape(text).strip()


def _starts(whole: str, cut_text: str) -> bool:
    start = _comparable(_cut(cut_text))[:NOTE_PREFIX]
    return bool(start) and whole.startswith(start)
