"""LinkedIn's "little" text format for a post's `commentary`, and its length limit.

In the Posts API, `commentary` is written in little: `@[Name](urn:li:person:1)` is a mention,
`{hashtag|#|tag}` a hashtag template. Every reserved character must be backslash-escaped to
be plain text, whether or not it forms an element; LinkedIn cuts an unescaped post short at
the first stray one. The reserved characters (learn.microsoft.com, little Text Format, Text):
`\\ | { } @ [ ] ( ) < > # * _ ~`. Maillage sends plain text, so it escapes them all, except
the `#` that starts a word: `#tag` is little's hashtag element, so the author's hashtags stay
hashtags on LinkedIn (and come back as the same `#tag`).

Reading a post back, the escapes are removed so the text is the one that was sent and
`content_fingerprint` matches.
"""

from __future__ import annotations

import re

# The Posts API refuses a commentary longer than this.
MAX_CHARACTERS = 3000
RESERVED = "\\|{}@[]()<>#*_~"

# A reserved character, but not a `#` opening a hashtag (at a word start, before a letter).
_ESCAPE = re.compile(r"(?!(?<!\S)#[^\W_])[" + re.escape(RESERVED) + "]")
_UNESCAPE = re.compile(r"\\([" + re.escape(RESERVED) + "])")
_MENTION = re.compile(r"@\[([^\]]*)\]\(urn:li:[a-zA-Z]+:[^)]+\)")
_HASHTAG = re.compile(r"\{hashtag\|([#＃])\|([^}]*)\}")


def little_escape(text: str) -> str:
    """Plain text as a little string: reserved characters preceded by a backslash, hashtags
    left as hashtags."""
    return _ESCAPE.sub(lambda match: "\\" + match.group(0), text)


def little_plain_text(commentary: str) -> str:
    """A little string as the plain text a reader sees: mentions as their name, hashtag
    templates as `#tag`, escapes removed."""
    # Elements are only recognised where their syntax is not escaped; the escaped text has
    # no bare reserved characters, so these patterns match only real elements.
    text = _MENTION.sub(lambda match: match.group(1), commentary)
    text = _HASHTAG.sub(lambda match: match.group(1) + match.group(2), text)
    return _UNESCAPE.sub(lambda match: match.group(1), text)


def text_length(text: str) -> int:
    return len(text)


def text_fits(text: str) -> bool:
    return text_length(text) <= MAX_CHARACTERS
