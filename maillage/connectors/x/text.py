"""X's weighted length (twitter-text configuration v3), for the composer and the connector.

Each code point weighs 200 (two "characters") unless it falls in a light range, where it
weighs 100: U+0000-U+10FF (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari...),
U+2000-U+200D (spaces), U+2010-U+201F (dashes, quotes), U+2032-U+2037 (primes). An emoji,
however many code points its sequence takes, weighs 200. Every URL weighs 23 characters,
whatever its length, because X wraps it in t.co. The limit is 280 after dividing by 100.
Text is NFC-normalised first, as X does.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
SCALE = 100
DEFAULT_WEIGHT = 200
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# Links with a scheme, or bare domains under common top-level domains (twitter-text knows
# every TLD; these cover what our users write). Trailing sentence punctuation is not part
# of the link.
_TLDS = (
    "com|org|net|fr|ca|be|ch|io|co|eu|info|biz|app|dev|ai|uk|de|es|it|nl|us|quebec|paris|"
    "social|me|tv|ly|gl|gg|xyz|online|site|blog|news"
)
URL_RE = re.compile(
    r"(?:https?://[^\s<>\"]+|(?<![\w@.])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    rf"(?:{_TLDS})\b(?:/[^\s<>\"]*)?)",
    re.IGNORECASE,
)
URL_TRAILING = ".,;:!?'\")]}»"


def _light(code: int) -> bool:
    return any(start <= code <= end for start, end in LIGHT_RANGES)


def _pictographic(code: int) -> bool:
    """Extended_Pictographic, approximated by the blocks where emoji live."""
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2300 <= code <= 0x23FF
        or 0x2B00 <= code <= 0x2BFF
        or 0x2190 <= code <= 0x21FF
        or code in (0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x25B6, 0x25C0, 0x3030, 0x303D)
        or code in (0x3297, 0x3299, 0x00A9, 0x00AE)
        or 0x25AA <= code <= 0x25FE
    )


def _continues(code: int, previous: int) -> bool:
    """Whether `code` continues an emoji sequence begun by `previous`."""
    return (
        code in (0xFE0F, 0xFE0E, 0x20E3, 0x200D)
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or previous == 0x200D
    )


def _emoji_sequences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each emoji sequence, in code point indexes of `text`."""
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        code = ord(text[index])
        keycap = text[index] in "0123456789#*" and "\u20e3" in text[index + 1 : index + 3]
        # A flag is a pair of regional indicators.
        following = ord(text[index + 1]) if index + 1 < len(text) else 0
        if 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= following <= 0x1F1FF:
            found.append((index, index + 2))
            index += 2
            continue
        if _pictographic(code) or keycap:
            end = index + 1
            while end < len(text) and _continues(ord(text[end]), ord(text[end - 1])):
                end += 1
            sequence = text[index:end]
            # ©, ®, ™ and arrows are text unless the emoji presentation selector follows.
            if code >= 0x1F000 or keycap or "\ufe0f" in sequence or 0x2600 <= code <= 0x27BF:
                found.append((index, end))
                index = end
                continue
        index += 1
    return found


def urls_find(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(URL_TRAILING)
        spans.append((match.start(), match.start() + len(url)))
    return spans


def weighted_length(text: str) -> int:
    """X's length of `text`: what must stay within 280."""
    text = unicodedata.normalize("NFC", text)
    weight = 0
    urls = urls_find(text)
    emoji = {start: end for start, end in _emoji_sequences(text)}
    index = 0
    url_at = {start: end for start, end in urls}
    while index < len(text):
        if index in url_at:
            weight += URL_LENGTH * SCALE
            index = url_at[index]
        elif index in emoji:
            weight += DEFAULT_WEIGHT
            index = emoji[index]
        else:
            weight += SCALE if _light(ord(text[index])) else DEFAULT_WEIGHT
            index += 1
    return -(-weight // SCALE)


def text_fits(text: str) -> bool:
    return weighted_length(text) <= MAX_WEIGHTED_LENGTH
