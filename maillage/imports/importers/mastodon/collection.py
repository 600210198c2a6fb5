"""Load the JSON files of a Mastodon archive, and the small value readers every file shares.

Some archives write the collection's items key twice: `"orderedItems":[],"orderedItems":[...]`
(Mastodon built the file from a serialized skeleton whose empty list it did not replace).
`json.loads` keeps the *last* value of a repeated key, which is the full list in every archive
seen so far; a file edited or re-serialized the other way round would lose everything, so a
repeated key always keeps its non-empty list, whichever comes first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from maillage.lib.text import json_document

ITEMS = "orderedItems"
PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})


class FileUnusable(Exception):
    """A whole file cannot be used; `line` and `message` go into a RowError."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def download_again() -> str:
    return _(
        "Request a new archive from Mastodon (Preferences > Import and export > Request your "
        "archive) and upload it unchanged."
    )


def _filled_lists_win(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object where a repeated key keeps its non-empty list over an empty one."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found and value == [] and isinstance(found[key], list):
            continue
        found[key] = value
    return found


def json_load(data: bytes, file: str) -> Any:
    """The parsed document, or FileUnusable saying where the JSON breaks."""
    try:
        return json_document(data)
    except UnicodeDecodeError:
        raise FileUnusable(
            1,
            _("%(file)s is not text in UTF-8 as Mastodon writes it. %(what_to_do)s")
            % {"file": file, "what_to_do": download_again()},
        ) from None
    except json.JSONDecodeError as problem:
        raise FileUnusable(
            problem.lineno,
            _(
                "%(file)s is incomplete or damaged: its JSON breaks at line %(line)d, column "
                "%(column)d. The download may have been interrupted. %(what_to_do)s"
            )
            % {
                "file": file,
                "line": problem.lineno,
                "column": problem.colno,
                "what_to_do": download_again(),
            },
        ) from None
    except RecursionError:
        # Lists nested tens of thousands deep: no export looks like that, a crafted file does.
        raise FileUnusable(
            1,
            _(
                "%(file)s is nested far deeper than any Mastodon export: it was not read. "
                "%(what_to_do)s"
            )
            % {"file": file, "what_to_do": download_again()},
        ) from None


def collection_load(data: bytes, file: str) -> dict[str, Any]:
    """An ActivityPub OrderedCollection file whose `orderedItems` is a list."""
    document = json_load(data, file)
    if not isinstance(document, dict) or document.get("type") != "OrderedCollection":
        raise FileUnusable(
            1,
            _(
                "%(file)s is not a Mastodon list of activities (an ActivityPub "
                "“OrderedCollection”). Upload the archive as Mastodon produced it, without "
                "editing its files."
            )
            % {"file": file},
        )
    if document.get(ITEMS) == [] and data.count(b'"orderedItems"') > 1:
        # Only files with the repeated key pay for a second, slower parse.
        document = json.loads(data, object_pairs_hook=_filled_lists_win)
    if not isinstance(document.get(ITEMS), list):
        raise FileUnusable(
            1,
            _(
                "%(file)s has no list of items (“orderedItems”), so nothing in it can be read. "
                "%(what_to_do)s"
            )
            % {"file": file, "what_to_do": download_again()},
        )
    return document


def count(value: Any) -> int | None:
    """A count the file states (an integer, never a boolean), else None."""
    return value if type(value) is int and value >= 0 else None


def collection_count(value: Any) -> int | None:
    """`totalItems` of a `{"type": "Collection", "totalItems": n}` value, else None."""
    return count(value.get("totalItems")) if isinstance(value, dict) else None


def uri(value: Any) -> str:
    """An ActivityPub reference: a bare URI string, or an object or link carrying one."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        found = value.get("id") or value.get("href")
        return found.strip() if isinstance(found, str) else ""
    return ""


def addresses(value: Any) -> list[str]:
    """`to` / `cc` as a list of strings (ActivityPub allows one string or a list)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def moment(value: Any) -> datetime:
    """`2024-06-18T12:03:31Z` (or any ISO 8601 offset) as UTC; ValueError otherwise."""
    if not isinstance(value, str) or len(value) < 10:
        raise ValueError(value)
    if value[-1] == "Z":
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    if parsed.tzinfo is not UTC:
        return parsed.astimezone(UTC)
    return parsed
