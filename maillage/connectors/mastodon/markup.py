"""A status's HTML `content` back to the plain text that was posted, for fingerprints.

Mastodon wraps paragraphs in <p>, lines with <br>, shortens links into spans (an invisible
`https://`, a visible start, an invisible rest: their text joined is the whole URL) and
shows a mention as `@user` only; the status's `mentions` give back `@user@domain`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any


class _TextParser(HTMLParser):
    def __init__(self, mentions: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.mentions = mentions
        self.parts: list[str] = []
        self.paragraphs = 0
        # Inside a mention link: its text is replaced by the full `@acct`.
        self.mention_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.mention_depth:
            if tag == "a":
                self.mention_depth += 1
            return
        if tag == "p":
            if self.paragraphs:
                self.parts.append("\n\n")
            self.paragraphs += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            values = dict(attrs)
            classes = (values.get("class") or "").split()
            acct = self.mentions.get(values.get("href") or "")
            if "mention" in classes and "hashtag" not in classes and acct:
                self.parts.append("@" + acct)
                self.mention_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.mention_depth and tag == "a":
            self.mention_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.mention_depth:
            self.parts.append(data)


def status_plain_text(content: str, mentions: Iterable[Mapping[str, Any]] = ()) -> str:
    by_url = {str(m.get("url", "")): str(m.get("acct", "")) for m in mentions if m.get("acct")}
    parser = _TextParser(by_url)
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()
