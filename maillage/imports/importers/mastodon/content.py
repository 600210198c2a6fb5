"""Mastodon's HTML (status content, bio, profile fields) as plain text, with the first link.

Paragraphs become blank-line-separated blocks, `<br>` a newline, links keep their visible text
(Mastodon hides `https://` and long URL tails in `invisible` spans: their text is kept, so a link
reads as its full address) and entities are unescaped.

Two readers give the same result: a `str.find` scanner for the small, regular HTML Mastodon's
own formatter writes (microseconds for a plain status, tens of them for one full of links), and
the standard library's `HTMLParser` for anything else (comments, scripts, unquoted
attributes...), several times slower. The scanner gives up (returns None) as soon as it meets
something it does not expect.
"""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

# Tags that start a new block of text; Mastodon writes `<p>`, others are for foreign HTML.
BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
)
# Elements whose content is not text a reader sees.
HIDDEN = frozenset({"script", "style", "template"})
# Mastodon 4.4+ repeats a quoted post's link in `<p class="quote-inline">RE: …</p>` for older
# clients; the quote itself is recorded, so this fallback line is not part of the text.
QUOTE_INLINE = "quote-inline"
# Mentions (`u-url mention`) and hashtags (`mention hashtag`, rel="tag") are not shared links.
NOT_SHARED_CLASSES = frozenset({"mention", "hashtag"})
BREAK, BLOCK = "\n", "\n\n"


class _Text:
    """Collects text pieces and the first shared link; the same for both readers."""

    __slots__ = ("link", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.link = ""

    def data(self, text: str) -> None:
        # Raw line breaks in HTML are spaces; only <br> and blocks make new lines.
        if "\n" in text or "\t" in text or "\r" in text:
            text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
        self.parts.append(text)

    def anchor(self, href: str, classes: str, rel: str) -> None:
        if self.link or not href:
            return
        if NOT_SHARED_CLASSES.isdisjoint(classes.split()) and "tag" not in rel.split():
            self.link = href

    def result(self) -> tuple[str, str]:
        text = "".join(self.parts)
        if "  " in text:
            text = " ".join(part for part in text.split(" ") if part)
        if "\n" in text:
            text = "\n".join(line.strip() for line in text.split("\n"))
            while "\n\n\n" in text:
                text = text.replace("\n\n\n", "\n\n")
        return text.strip(), self.link


def _unescape(text: str) -> str:
    """`html.unescape`, with a fast path for the five entities Mastodon's escaping writes."""
    quick = (
        text.replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\xa0")
    )
    # `&amp;` last, so that an escaped `&amp;lt;` stays the text `&lt;`.
    if quick.count("&") == quick.count("&amp;"):
        return quick.replace("&amp;", "&")
    return unescape(text)


def _attribute(tag: str, lowered: str, name: str) -> str:
    """A double-quoted attribute's value in a tag the scanner already checked."""
    start = lowered.find(" " + name + '="')
    if start < 0:
        return ""
    start += len(name) + 3
    value = tag[start : tag.find('"', start)]
    return _unescape(value) if "&" in value else value


# What the tags Mastodon's formatter writes most mean, looked up whole: no parsing at all.
KNOWN_TAGS = {
    "p": BLOCK,
    "/p": BLOCK,
    "br": BREAK,
    "br/": BREAK,
    "br /": BREAK,
    "/a": "",
    "span": "",
    "/span": "",
    'span class=""': "",
    'span class="invisible"': "",
    'span class="ellipsis"': "",
    'span class="h-card"': "",
    'span class="h-card" translate="no"': "",
}


def _scan(html: str) -> tuple[str, str] | None:
    """The fast reader; None when the HTML is not the plain kind it knows."""
    out = _Text()
    parts, data, known_tags = out.parts, out.data, KNOWN_TAGS
    append = parts.append
    position = 0
    while True:
        start = html.find("<", position)
        text = html[position:] if start < 0 else html[position:start]
        if text:
            if "&" in text:
                text = _unescape(text)
            if "\n" in text or "\t" in text or "\r" in text:
                data(text)
            else:
                append(text)
        if start < 0:
            return out.result()
        end = html.find(">", start)
        if end < 0:
            return None
        tag = html[start + 1 : end]
        position = end + 1
        known = known_tags.get(tag)
        if known is not None:
            if known:
                append(known)
            continue
        if not tag or tag.count('"') % 2 or "'" in tag or "<" in tag:
            return None  # a `>` inside a value, single quotes, a stray `<`: the slow reader
        closing = tag[0] == "/"
        name = (tag[1:] if closing else tag).partition(" ")[0].removesuffix("/").lower()
        if not name.isalnum() or name in HIDDEN:
            return None  # comments, doctype, scripts, line breaks inside a tag
        if name == "br":
            append(BREAK)
        elif name in BLOCKS:
            if not closing and QUOTE_INLINE in tag:
                return None
            append(BLOCK)
        elif name == "a" and not closing:
            lowered = tag.lower()
            # Outside the quoted values, each `=` must open one: else a value is unquoted.
            for outside in lowered.split('"')[::2]:
                if outside.count("=") > outside.endswith("="):
                    return None
            out.anchor(
                _attribute(tag, lowered, "href"),
                _attribute(tag, lowered, "class"),
                _attribute(tag, lowered, "rel"),
            )
        elif QUOTE_INLINE in tag:
            return None


class _Parser(HTMLParser):
    """The slow reader: any HTML the standard library can read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _Text()
        # While inside a hidden element (or the quote's fallback line): its tag and depth.
        self._hidden = ""
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if self._hidden:
            self._depth += tag == self._hidden
            return
        if tag in HIDDEN or QUOTE_INLINE in values.get("class", "").split():
            self._hidden, self._depth = tag, 1
            return
        if tag == "br":
            self.out.parts.append(BREAK)
        elif tag in BLOCKS:
            self.out.parts.append(BLOCK)
        elif tag == "a":
            self.out.anchor(values.get("href", ""), values.get("class", ""), values.get("rel", ""))

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            if tag == self._hidden:
                self._depth -= 1
                if self._depth == 0:
                    self._hidden = ""
            return
        if tag in BLOCKS:
            self.out.parts.append(BLOCK)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.out.data(data)


def html_text_slow(html: str) -> tuple[str, str]:
    """(plain text, first shared link) read by the standard library's parser."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.out.result()


def html_text(html: str) -> tuple[str, str]:
    """(plain text, first link that is not a mention or a hashtag) of a piece of HTML."""
    if "<" not in html:
        out = _Text()
        out.data(_unescape(html) if "&" in html else html)
        return out.result()
    return _scan(html) or html_text_slow(html)
