"""Bluesky's text rules: 300 graphemes, and facets addressed by UTF-8 byte offsets.

A facet marks a link or a mention inside the text by `byteStart`/`byteEnd` counted in the
UTF-8 encoding (docs.bsky.app, "Links, mentions, and rich text"), not in characters: an
accented letter before a link shifts it by two bytes, an emoji by four.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_GRAPHEMES = 300
# The lexicon's other bound on app.bsky.feed.post's text.
MAX_BYTES = 3000

# Trailing punctuation is sentence punctuation, not part of the link.
URL_RE = re.compile(r"https?://[^\s<>\"]+")
URL_TRAILING = ".,;:!?'\")]}»"
# A handle is a domain name: labels joined by dots, preceded by start, space or "(".
MENTION_RE = re.compile(
    r"(?:^|(?<=[\s(]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)

_ZWJ = 0x200D


def _joins_previous(code: int, previous: int | None) -> bool:
    """Whether this code point continues the grapheme begun before it (UAX #29, simplified)."""
    if previous is None:
        return False
    char = chr(code)
    if previous == 0x0D and code == 0x0A:
        return True
    if unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    # Variation selectors, emoji skin tones, tags (subdivision flags), ZWJ itself.
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    if code == _ZWJ or previous == _ZWJ:
        return True
    # Hangul syllables: a leading consonant jamo followed by vowels and trailing jamo.
    return (0x1160 <= code <= 0x11FF) and (0x1100 <= previous <= 0x11FF or _hangul(previous))


def _hangul(code: int) -> bool:
    return 0xAC00 <= code <= 0xD7A3


def _regional(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


def grapheme_count(text: str) -> int:
    """User-perceived characters, as Bluesky counts its 300 (NFC first, as clients send)."""
    count = 0
    previous: int | None = None
    regional_run = 0
    for char in unicodedata.normalize("NFC", text):
        code = ord(char)
        if _regional(code):
            # Flags are pairs of regional indicators: the second of a pair joins the first.
            regional_run += 1
            if regional_run % 2 == 0:
                previous = code
                continue
        else:
            regional_run = 0
        if not _joins_previous(code, previous):
            count += 1
        previous = code
    return count


def text_fits(text: str) -> bool:
    return grapheme_count(text) <= MAX_GRAPHEMES and len(text.encode("utf-8")) <= MAX_BYTES


@dataclass(frozen=True)
class Span:
    """A link or a mention found in the text, with its UTF-8 byte range."""

    kind: str  # "link" or "mention"
    value: str  # the URL, or the handle without "@"
    byte_start: int
    byte_end: int


def _byte_range(text: str, start: int, end: int) -> tuple[int, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return byte_start, byte_start + len(text[start:end].encode("utf-8"))


def spans_find(text: str) -> list[Span]:
    """Links and mentions in `text`, in order, with byte offsets for facets."""
    spans: list[Span] = []
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(URL_TRAILING)
        start = match.start()
        spans.append(Span("link", url, *_byte_range(text, start, start + len(url))))
    for match in MENTION_RE.finditer(text):
        start, end = match.start(), match.end()
        if any(span.kind == "link" and _overlaps(text, span, start, end) for span in spans):
            continue
        spans.append(Span("mention", match.group(1).lower(), *_byte_range(text, start, end)))
    return sorted(spans, key=lambda span: span.byte_start)


def _overlaps(text: str, span: Span, start: int, end: int) -> bool:
    byte_start, byte_end = _byte_range(text, start, end)
    return byte_start < span.byte_end and span.byte_start < byte_end
