"""Small text helpers for importers: stable keys, names and LinkedIn profile URLs."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import msgspec

KEY_MAX = 255
LINKEDIN_ROOT = "https://www.linkedin.com/"
# The form nearly every URL of an export already has: checked first, without any parsing.
MEMBER_ROOT = LINKEDIN_ROOT + "in/"
URL_SPECIALS = frozenset("/?#%")


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=100_000)
def name_normalise(name: str) -> str:
    """Casefolded, accents kept (NFC), whitespace collapsed: `  Émilie   CÔTÉ` -> `émilie côté`."""
    return unicodedata.normalize("NFC", collapse_spaces(name)).casefold()


def json_without_nul(data: bytes) -> bytes:
    """JSON bytes without NUL characters, raw or escaped, which PostgreSQL text refuses.

    One scan of the file instead of one check per string; exports never hold them, so only a
    crafted file pays for the copy.
    """
    if b"\\u0000" in data:
        data = data.replace(b"\\u0000", b"")
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    return data


def json_document(data: bytes) -> Any:
    """The JSON value of an export file, NUL characters removed (see `json_without_nul`).

    msgspec reads an export a fifth faster than `json` (the 137 MB of a large X archive: about
    0.2 s less). What it refuses and `json` takes (a byte order mark, a lone surrogate, NaN)
    and every damaged file go through `json` again, so what is read and each error raised
    (`json.JSONDecodeError` with its line, `UnicodeDecodeError`, `RecursionError`) stay the
    standard library's.
    """
    data = json_without_nul(data)
    try:
        return _JSON.decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return json.loads(data)


_JSON = msgspec.json.Decoder()


def digest(*parts: str) -> str:
    """A sha1 of the parts, unambiguous (a separator that never appears in exports)."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def key_fit(key: str, limit: int = KEY_MAX) -> str:
    """Keys are stored in 255 characters: a longer one keeps its start plus a digest of it all."""
    if len(key) <= limit:
        return key
    return key[: limit - 41] + "~" + digest(key)


@lru_cache(maxsize=100_000)
def linkedin_url_normalise(url: str) -> str:
    """`https://www.linkedin.com/in/<slug>` for any host variant, scheme, case, query or slash.

    Returns "" for an empty or non-LinkedIn value. Slugs are percent-decoded so that
    `%C3%A9` and `é` give the same key.
    """
    value = url.strip()
    if value.startswith(MEMBER_ROOT):
        slug = value[len(MEMBER_ROOT) :]
        # Already normal: a lowercase slug with nothing to decode or drop gives itself back.
        if slug and slug == slug.lower() and URL_SPECIALS.isdisjoint(slug):
            return value
    if not value or value.lower() in ("na", "n/a", "#n/a", "null"):
        return ""
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.lstrip("/")
    host, _, path = value.partition("/")
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].lower()
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return ""
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [unquote(segment).lower() for segment in path.split("/") if segment]
    if not segments:
        return ""
    if segments[0] == "in" and len(segments) > 1:
        # `/in/<slug>/fr/` and `/in/<slug>/details/...` are the same member.
        return LINKEDIN_ROOT + "in/" + segments[1]
    return LINKEDIN_ROOT + "/".join(segments)


def person_key(profile_url: str, name: str) -> str:
    """A person's stable key: their normalised profile URL, else `name:` + normalised name."""
    url = linkedin_url_normalise(profile_url) if profile_url else ""
    if url:
        return key_fit(url)
    normalised = name_normalise(name)
    return key_fit("name:" + normalised) if normalised else ""
