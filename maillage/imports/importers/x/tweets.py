"""`tweets.js` (and the older `tweet.js`) items -> PostRecords, with X's own quirks.

This is the hot path of an X import (an archive holds 100,000+ posts): one loop per file with
direct dict access, dates parsed by slicing, no regex and as few calls per post as possible.
Anything unexpected in an item falls out of the fast path into `_problem`, which says what is
wrong with it in words a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from maillage.imports.records import ParsedFile, PostRecord, RowError

MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
MONTH_DIGITS = {name: f"{number:02d}" for name, number in MONTHS.items()}
# PostRecord's fields in the order read_tweets passes them (positionally, for speed).
POST_FIELDS = (
    "key",
    "published_at",
    "text",
    "url",
    "shared_url",
    "media_url",
    "visibility",
    "kind",
    "language",
    "reach",
    "reactions_count",
    "comments_count",
    "reshares_count",
)
if tuple(field.name for field in fields(PostRecord)) != POST_FIELDS:
    raise ImportError("PostRecord's fields changed: update POST_FIELDS and read_tweets to match.")
# `lang` values that name no language: undetermined, no linguistic content, and ISO 639's
# private-use codes X uses for posts made only of media, hashtags, mentions... (`qme`, `qht`).
NO_LANGUAGE = frozenset({"", "und", "zxx", "mul"})
STATUS_HOSTS = frozenset({"twitter.com", "x.com"})
RETWEET = "RT @"
# What an item of an unexpected shape raises in the fast path (a list where an object was
# expected, a number where a string was): reported for that item, never fatal.
ITEM_ERRORS = (AttributeError, KeyError, IndexError, TypeError, ValueError)


class TweetsContext:
    """What the tweets reader needs from the rest of the archive, looked up once per file."""

    def __init__(self, username: str, account_id: str) -> None:
        # A post's address: by the owner's handle when it is known, else X's handle-less form.
        self.status_root = (
            f"https://x.com/{username}/status/" if username else "https://x.com/i/status/"
        )
        self.account_id = account_id
        self.username = username.casefold()
        # Versions of edited posts, resolved once every tweets file is read (see `edits_resolve`).
        self.edited: dict[str, list[Edited]] = {}


@dataclass(slots=True)
class Edited:
    """One version of an edited post, kept aside until the newest version is known."""

    record: PostRecord
    result: ParsedFile
    item: int
    version: str


def created_at_parse(value: str) -> datetime:
    """`Thu Nov 03 08:50:26 +0000 2022` (any offset) -> an aware UTC datetime; ValueError else."""
    parts = value.split()
    if len(parts) != 6:
        raise ValueError(value)
    _day, month, day, clock, offset, year = parts
    try:
        number = MONTHS[month]
    except KeyError:
        raise ValueError(value) from None
    hour, minute, second = clock.split(":")
    moment = datetime(int(year), number, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    if offset != "+0000":
        if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
            raise ValueError(value)
        shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        moment = moment - shift if offset[0] == "+" else moment + shift
    return moment


def unescape(text: str) -> str:
    """X keeps `&amp;`, `&lt;` and `&gt;` in post texts; those three only (it escapes no other),
    `&amp;` last so that a typed `&amp;lt;` stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def language_of(lang: str) -> str:
    """X's `lang`, or "" for its codes that name no language."""
    if lang in NO_LANGUAGE or (len(lang) == 3 and lang[0] == "q"):
        return ""
    return lang


def status_id(url: str) -> str:
    """The post id of an x.com / twitter.com status link (`/<user>/status/<id>`,
    `/i/web/status/<id>`, any `www.` or `mobile.` host), else ""."""
    if "/status" not in url:
        return ""
    rest = url.split("://", 1)[-1]
    host, _slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.").removeprefix("mobile.")
    if host not in STATUS_HOSTS:
        return ""
    segments = path.split("?", 1)[0].split("#", 1)[0].split("/")
    for index, segment in enumerate(segments[:-1]):
        if segment in ("status", "statuses") and segments[index + 1].isdigit():
            return segments[index + 1]
    return ""


def links(urls: list[Any], text: str, tweet_id: str) -> tuple[str, bool]:
    """(the first link that is not a post on X, whether the post quotes another post).

    The archive marks a quote by a link to the quoted post, written last in the text; a link
    to a post in the middle of the text only mentions it.
    """
    shared = last_status = last_short = ""
    for entry in urls:
        expanded = entry.get("expanded_url")
        if not expanded:
            continue
        quoted = status_id(expanded) if "/status" in expanded else ""
        if quoted:
            last_status, last_short = quoted, entry.get("url") or ""
        else:
            last_status = ""
            if not shared:
                shared = expanded
    if not last_status or last_status == tweet_id:
        return shared, False
    # Without its short link the entry's place in the text is unknown: being last will do.
    return shared, text.rstrip().endswith(last_short)


def to_self(tweet: dict[str, Any], owner_id: str, owner_name: str) -> bool:
    """Whether a reply answers the owner's own post (a thread), by account id when it is known
    (handles change), else by handle."""
    if owner_id:
        return tweet.get("in_reply_to_user_id_str") == owner_id
    name = tweet.get("in_reply_to_screen_name")
    return bool(owner_name) and isinstance(name, str) and name.casefold() == owner_name


def first_media(entities: Any) -> str:
    if not isinstance(entities, dict):
        return ""
    media = entities.get("media")
    if not media or not isinstance(media, list) or not isinstance(media[0], dict):
        return ""
    url = media[0].get("media_url_https") or media[0].get("media_url") or ""
    return url if isinstance(url, str) else ""


def read_tweets(items: list[Any], result: ParsedFile, context: TweetsContext) -> None:
    """Every post of one tweets file, in order; a broken item is an error, the rest goes on."""
    append = result.records.append
    root = context.status_root
    owner_id = context.account_id
    owner_name = context.username
    months = MONTH_DIGITS
    fromisoformat = datetime.fromisoformat
    languages: dict[str, str] = {}
    for index, item in enumerate(items, 1):
        try:
            tweet = item.get("tweet")
            if tweet is None:
                tweet = item  # before 2020, posts were not wrapped in {"tweet": ...}
            tweet_id = tweet.get("id_str") or tweet["id"]
            created = tweet["created_at"]
            try:
                # `Thu Nov 03 08:50:26 +0000 2022` rewritten as ISO 8601: the C parser reads
                # it three times faster than `datetime()` from six `int()`s.
                if created[19:26] != " +0000 " or len(created) != 30:
                    raise ValueError(created)
                published = fromisoformat(
                    f"{created[26:]}-{months[created[4:7]]}-{created[8:10]}T{created[11:19]}Z"
                )
            except (KeyError, ValueError):
                published = created_at_parse(created)  # another offset, or spaces
            text = tweet["full_text"]
            if "&" in text:
                text = unescape(text)
            lang = tweet.get("lang") or ""
            language = languages.get(lang)
            if language is None:
                language = languages[lang] = language_of(lang)
            entities = tweet.get("entities")
            urls = entities.get("urls") if entities else None
            shared, quoted = links(urls, text, tweet_id) if urls else ("", False)
            media = ""
            if entities and entities.get("media"):
                media = first_media(entities)
            elif tweet.get("extended_entities"):
                media = first_media(tweet["extended_entities"])
            if text.startswith(RETWEET):
                # A retweet's counts are always "0" in the archive: not the original's reach.
                kind, reactions, reshares = "reshare", None, None
            else:
                try:
                    reactions = int(tweet["favorite_count"])
                except (KeyError, TypeError, ValueError):
                    reactions = None
                try:
                    reshares = int(tweet["retweet_count"])
                except (KeyError, TypeError, ValueError):
                    reshares = None
                if tweet.get("in_reply_to_status_id_str") and not to_self(
                    tweet, owner_id, owner_name
                ):
                    kind = "reply"  # a reply to oneself continues a thread: an original post
                elif (
                    quoted
                    or tweet.get("is_quote_status") in (True, "true")
                    or tweet.get("quoted_status_id_str")
                ):
                    kind = "quote"
                else:
                    kind = "original"
            # In POST_FIELDS order: positional arguments cost half as much as keywords.
            record = PostRecord(
                "tweet:" + tweet_id,
                published,
                text,
                root + tweet_id,
                shared,
                media,
                "",
                kind,
                language,
                None,
                reactions,
                None,
                reshares,
            )
            edit_info = tweet.get("edit_info")
            if edit_info is not None:
                # Most posts carry `{"initial": {"editTweetIds": [<their own id>]}}`: not edited.
                initial = edit_info.get("initial")
                if (initial is None or len(initial.get("editTweetIds") or ()) > 1) and _edited(
                    edit_info, context, record, result, index, tweet_id
                ):
                    continue
            append(record)
        except ITEM_ERRORS:
            result.errors.append(RowError(index, _problem(item)))


def _edited(
    edit_info: Any,
    context: TweetsContext,
    record: PostRecord,
    result: ParsedFile,
    index: int,
    tweet_id: str,
) -> bool:
    """Keep a version of an edited post aside; True when it is one (most posts are not).

    Every version of an edited post is in the archive with its own id. The post is keyed by its
    first version's id, so that an export made before the edit and one made after update the
    same row, and only the newest version is kept (see `edits_resolve`).
    """
    if not isinstance(edit_info, dict):
        return False
    initial = edit_info.get("initial")
    if isinstance(initial, dict):
        ids = initial.get("editTweetIds")
    else:
        edit = edit_info.get("edit")
        if not isinstance(edit, dict):
            return False
        control = edit.get("editControlInitial")
        ids = control.get("editTweetIds") if isinstance(control, dict) else None
        if not ids and edit.get("initialTweetId"):
            ids = [edit["initialTweetId"], tweet_id]
    if not isinstance(ids, list) or len(ids) < 2 or not all(isinstance(i, str) for i in ids):
        return False
    first = min(ids, key=_snowflake)
    record.key = "tweet:" + first
    context.edited.setdefault(first, []).append(Edited(record, result, index, tweet_id))
    return True


def _snowflake(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def edits_resolve(context: TweetsContext) -> None:
    """Add the newest version of each edited post to its file; the others are skipped."""
    for versions in context.edited.values():
        versions.sort(key=lambda version: _snowflake(version.version))
        newest = versions[-1]
        newest.result.records.append(newest.record)
        for older in versions[:-1]:
            older.result.skipped.append(
                RowError(
                    older.item,
                    _("An earlier version of a post edited later: only its newest one is kept."),
                )
            )
    context.edited.clear()


def _problem(item: Any) -> str:
    """Why one item of a tweets file could not be read, for the person who uploaded it."""
    tweet = item.get("tweet", item) if isinstance(item, dict) else item
    if not isinstance(tweet, dict):
        return _(
            "This item is not a post as X writes them (an object with “id_str”, “created_at” "
            "and “full_text” was expected): it was not imported."
        )
    tweet_id = tweet.get("id_str") or tweet.get("id")
    if not tweet_id or not isinstance(tweet_id, str):
        return _("This post has no identifier (“id_str”), so it cannot be kept apart: skipped.")
    created = tweet.get("created_at")
    try:
        if not isinstance(created, str):
            raise ValueError(created)
        created_at_parse(created)
    except (ValueError, TypeError):
        return _(
            "The date “%(value)s” of post %(id)s could not be read (X writes dates like "
            "“Thu Nov 03 08:50:26 +0000 2022”): the post was not imported."
        ) % {"value": str(created)[:60], "id": tweet_id}
    if not isinstance(tweet.get("full_text"), str):
        return _("Post %(id)s has no text (“full_text”): it was not imported.") % {"id": tweet_id}
    return _(
        "Post %(id)s does not have the structure X gives posts (its links or media could not "
        "be read): it was not imported."
    ) % {"id": tweet_id}
