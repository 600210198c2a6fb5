"""A Facebook Page's posts CSV (Meta Business Suite > Insights > Content > Export) -> records.

Columns are found by name, in English or French (the export follows the interface language).
Files, keys and quirks are described in docs/import-facebook.md. Never touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import PurePosixPath
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from maillage.imports.importers.linkedin import kind_of as linkedin_kind_of
from maillage.imports.importers.linkedin.table import Table, columns, decode, header_normalise
from maillage.imports.importers.linkedin.table import table_open as csv_table_open
from maillage.imports.records import AccountRecord, ParsedArchive, ParsedFile, PostRecord, RowError
from maillage.imports.registry import ArchiveView, ProgressCallback, newest_member_date
from maillage.lib.text import digest, key_fit, name_normalise

# Business Suite writes times in the Page's time zone without saying which: Maillage takes the
# project's default zone (most Pages it serves are in Québec). A value with an offset or `UTC`,
# or a header such as `Publish time (UTC)`, says otherwise and wins.
PAGE_ZONE = ZoneInfo("America/Toronto")
MISSING = frozenset({"", "-", "--", "na", "n/a", "#n/a", "null", "none", "nan"})
# Thousands separators: spaces (French writes a no-break or narrow no-break space), apostrophes.
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'’")

COLUMNS = columns(
    (
        "publish",
        "Publish time|Heure de publication|Date de publication|Publish time (UTC)"
        "|Heure de publication (UTC)|Published time|Heure de la publication",
        True,
    ),
    (
        "post_id",
        "Post ID|ID de la publication|Identifiant de la publication|ID de publication"
        "|Identifiant de publication",
    ),
    ("page_id", "Page ID|ID de la Page|Identifiant de la Page|ID de Page|Identifiant de Page"),
    ("page_name", "Page name|Nom de la Page|Nom de Page"),
    ("description", "Description|Message|Texte"),
    ("title", "Title|Titre"),
    ("permalink", "Permalink|Lien permanent|Permalien|Post link|Lien de la publication"),
    ("post_type", "Post type|Type de publication"),
    ("languages", "Languages|Language|Langues|Langue"),
    ("reach", "Reach|Post reach|Couverture|Portée|Couverture de la publication"),
    ("reactions", "Reactions|Réactions|Likes|J'aime|Mentions J'aime"),
    ("comments", "Comments|Commentaires"),
    ("shares", "Shares|Partages"),
)
# Headers of the publish time that mean a French export (dates then read day first).
FRENCH_PUBLISH = frozenset(
    header_normalise(h)
    for h in (
        "Heure de publication",
        "Date de publication",
        "Heure de publication (UTC)",
        "Heure de la publication",
    )
)
# Columns whose absence the user is told about, with their names in either language.
NOTED: tuple[tuple[str, str, str], ...] = (
    ("page_id", "Page ID", "ID de la Page"),
    ("page_name", "Page name", "Nom de la Page"),
    ("description", "Description", "Description"),
    ("post_id", "Post ID", "ID de la publication"),
    ("permalink", "Permalink", "Lien permanent"),
    ("reach", "Reach", "Couverture"),
    ("reactions", "Reactions", "Réactions"),
    ("comments", "Comments", "Commentaires"),
    ("shares", "Shares", "Partages"),
)
LANGUAGE_NAMES = {
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "english": "en",
    "anglais": "en",
    "spanish": "es",
    "espagnol": "es",
    "español": "es",
}
# `Aug-01-2025_Aug-31-2025_1039829308656930.csv`: how Business Suite names its exports.
META_EXPORT_NAME = re.compile(r"^[a-z]{3}-\d{2}-\d{4}_[a-z]{3}-\d{2}-\d{4}_\d+\.csv$", re.I)
# CSV files other networks export (Mastodon's lists): never a Page's posts.
OTHER_CSV = frozenset(
    {
        "following_accounts.csv",
        "followers.csv",
        "blocked_accounts.csv",
        "muted_accounts.csv",
        "blocked_domains.csv",
        "bookmarks.csv",
        "lists.csv",
    }
)


class RowProblem(ValueError):
    """A row that cannot be read; its message is shown to the user."""


@dataclass
class Page:
    """The Page the posts belong to, from the first file that names it."""

    page_id: str = ""
    name: str = ""

    @property
    def handle(self) -> str:
        if self.page_id:
            return "facebook-page:" + self.page_id
        if self.name:
            return "facebook-page:" + name_normalise(self.name)
        return ""


# --- cells -------------------------------------------------------------------------------------


def cell(row: list[str], index: int) -> str:
    value = row[index].strip()
    return "" if value.lower() in MISSING else value


def count(value: str) -> int | None:
    """`1234`, `1,234`, `1 234` (NBSP too), `1.234`, a spreadsheet's `12.0`; None when empty."""
    text = value.strip()
    if text.isdecimal():
        return int(text)
    if text.lower() in MISSING:
        return None
    text = text.translate(SPACES)
    if text.isdecimal():
        return int(text)
    for separator in (",", "."):
        head, _sep, rest = text.partition(separator)
        if not rest or not head.isdecimal():
            continue
        groups = rest.split(separator)
        if all(len(g) == 3 and g.isdecimal() for g in groups):
            return int(head + "".join(groups))
        if len(groups) == 1 and groups[0].strip("0") == "":
            return int(head)  # `12.0` or `12,0`: a whole number re-saved as a decimal
    raise ValueError(value)


def _clock(text: str) -> tuple[int, int, int]:
    """`09:15`, `9:15:30`, `9:15 PM`, `09 h 15` -> (hour, minute, second)."""
    text = text.strip().upper().replace(".", "")
    meridiem = ""
    if text.endswith(("AM", "PM")):
        text, meridiem = text[:-2].strip(), text[-2:]
    text = text.replace(" ", "").replace("H", ":")
    parts = text.split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdecimal() for p in parts):
        raise ValueError(text)
    hour, minute = int(parts[0]), int(parts[1])
    second = int(parts[2]) if len(parts) == 3 else 0
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    return hour, minute, second


def publish_time(value: str, day_first: bool, zone: tzinfo) -> datetime:
    """A publish time as UTC: `11/28/2026 09:15` (month first in English exports),
    `28/11/2026 09:15` (day first in French ones) or ISO 8601, in `zone` unless it says."""
    text = value.strip()
    explicit: tzinfo | None = None
    if text.upper().endswith((" UTC", " GMT")):
        text, explicit = text[:-4].rstrip(), UTC
    if text[:4].isdecimal() and text[4:5] in ("-", "/"):
        moment = datetime.fromisoformat(text.replace("/", "-", 2))
    else:
        day_part, _space, clock = text.replace(",", " ").partition(" ")
        numbers = day_part.replace(".", "/").replace("-", "/").split("/")
        if len(numbers) != 3 or not all(n.isdecimal() for n in numbers):
            raise ValueError(value)
        first, second, year = (int(n) for n in numbers)
        if len(numbers[2]) == 2:
            year += 2000
        month, day = (second, first) if day_first else (first, second)
        hour, minute, seconds = _clock(clock) if clock.strip() else (0, 0, 0)
        moment = datetime(year, month, day, hour, minute, seconds)
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    if explicit is not None:
        return moment.replace(tzinfo=UTC)
    # The zone's offset is worked out once per hour of the year, not once per row.
    offset = _offset(zone, moment.replace(minute=0, second=0, microsecond=0))
    return (moment - offset).replace(tzinfo=UTC)


@lru_cache(maxsize=8192)
def _offset(zone: tzinfo, hour: datetime) -> timedelta:
    return hour.replace(tzinfo=zone).utcoffset() or timedelta(0)


def reads_day_first(values: Sequence[str], french: bool) -> bool:
    """Whether a file's `a/b/yyyy` dates are day first: a first number over 12 says so, a
    second one over 12 says month first; a file where no value tells follows its language."""
    day_first = month_first = False
    for value in values:
        head = value.strip().split(" ", 1)[0].split("/")
        if len(head) != 3 or not (head[0].isdecimal() and head[1].isdecimal()):
            continue
        if int(head[0]) > 12:
            day_first = True
        elif int(head[1]) > 12:
            month_first = True
        if day_first and month_first:
            break
    if day_first != month_first:
        return day_first
    return french


@lru_cache(maxsize=256)
def language_of(value: str) -> str:
    """A BCP 47 code from `fr`, `fr_CA`, `French` or `Français`; "" when it is not one."""
    first = value.split(",")[0].strip()
    if not first:
        return ""
    named = LANGUAGE_NAMES.get(first.casefold())
    if named:
        return named
    code = first.replace("_", "-")
    language, _dash, region = code.partition("-")
    if not (2 <= len(language) <= 3 and language.isalpha() and len(code) <= 16):
        return ""
    return language.lower() + ("-" + region.upper() if region else "")


# --- the importer ------------------------------------------------------------------------------


class FacebookPageImporter:
    kind: ClassVar[str] = "facebook-page"
    network: ClassVar[str] = "facebook"
    label: ClassVar[str] = "Facebook Page (Meta Business Suite)"
    version: ClassVar[int] = 1

    def claims(self, names: Sequence[str]) -> float:
        # Only names are known here: a CSV is the Page's export by elimination, hence a modest
        # score; the lead's detector lets the user choose when another importer also claims it.
        bases = [PurePosixPath(n.replace("\\", "/")).name for n in names]
        if bases and all(META_EXPORT_NAME.match(base) for base in bases):
            return 0.6  # several monthly exports, named as Business Suite names them
        if len(names) != 1 or not bases[0].lower().endswith(".csv"):
            return 0.0
        if linkedin_kind_of(names[0]) is not None or bases[0].lower() in OTHER_CSV:
            return 0.0
        return 0.3

    def parse(
        self, archive: ArchiveView, progress: ProgressCallback | None = None
    ) -> ParsedArchive:
        names = archive.names()
        results = {name: ParsedFile(name=name, status="ignored") for name in names}
        todo = sorted(name for name in names if name.lower().endswith(".csv"))
        page: Page | None = None
        first_file: ParsedFile | None = None
        for done, name in enumerate(todo):
            result = results[name]
            found = self._read(archive.read(name), result, page)
            # The Page is the first one a file names; a file naming none is filed under it.
            if found is not None and (page is None or (found.handle and not page.handle)):
                page, first_file = found, result
            if progress is not None:
                progress(int((done + 1) * 100 / len(todo)), PurePosixPath(name).name)
        if page is not None and first_file is not None:
            if not page.handle:
                first_file.notes.append(
                    _(
                        "The Page's ID and name are not in this file: its posts were filed under "
                        "a Page without a name."
                    )
                )
            first_file.records.insert(
                0,
                AccountRecord(
                    handle=page.handle or "facebook-page:unnamed",
                    kind="page",
                    display_name=page.name,
                ),
            )
        return ParsedArchive(
            network=self.network,
            files=[results[name] for name in names],
            as_of=self._as_of(archive, todo),
        )

    def _read(self, data: bytes, result: ParsedFile, page: Page | None) -> Page | None:
        """Fill `result` from one CSV; returns the Page it is about (None when rejected)."""
        table = csv_table_open(decode(data), COLUMNS)
        if table is None:
            return _rejected(
                result,
                _(
                    "No header row with a publish time column (“Publish time” or “Heure de "
                    "publication”) was found. Export the posts from Meta Business Suite "
                    "(Insights > Content > Export data) and upload the CSV file unchanged."
                ),
            )
        index = table.index
        if index["post_id"] < 0 and index["permalink"] < 0:
            return _rejected(
                result,
                _(
                    "This file has neither a “Post ID” nor a “Permalink” column, so its posts "
                    "cannot be told apart. Export the posts again from Meta Business Suite with "
                    "these columns.",
                ),
                table.header_line,
            )
        result.status = "parsed"
        found = self._rows(table, result)
        if page is not None and found.handle and page.handle and found.handle != page.handle:
            return _rejected(
                result,
                _(
                    "This file is about another Page (%(page)s) than the first file "
                    "(%(first)s). Import each Page's export on its own."
                )
                % {"page": found.name or found.page_id, "first": page.name or page.page_id},
                table.header_line,
            )
        return found

    @staticmethod
    def _rows(table: Table, result: ParsedFile) -> Page:
        at, header = table.position, table.header
        publish_header = header_normalise(header[table.index["publish"]])
        french = publish_header in FRENCH_PUBLISH
        _note_missing(table, result, french)
        zone: tzinfo = UTC if publish_header.endswith("(utc)") else PAGE_ZONE
        publish_i, post_id_i, permalink_i = at("publish"), at("post_id"), at("permalink")
        page_id_i, page_name_i = at("page_id"), at("page_name")
        description_i, title_i, languages_i = at("description"), at("title"), at("languages")
        # Errors quote a number's column as the file names it.
        counts_i = [(at(name), _header(table, name)) for name in ("reach", "reactions", "comments")]
        shares_i, shares_label = at("shares"), _header(table, "shares")
        rows = list(table.rows(result))  # a Page's export is small: read once, dates sniffed
        day_first = reads_day_first([row[publish_i] for _line, row in rows], french)
        page = Page()
        append = result.records.append
        for line, row in rows:
            try:
                raw = row[publish_i].strip()
                try:
                    published = publish_time(raw, day_first, zone)
                except ValueError:
                    raise RowProblem(
                        _("The publish time “%(value)s” could not be read.") % {"value": raw[:60]}
                    ) from None
                post_id, permalink = cell(row, post_id_i), cell(row, permalink_i)
                if not post_id and not permalink:
                    raise RowProblem(_("This post has neither a Post ID nor a permalink."))
                reach, reactions, comments = (_count(row, i, label) for i, label in counts_i)
                shares = _count(row, shares_i, shares_label)
            except RowProblem as problem:
                result.errors.append(RowError(line, str(problem)))
                continue
            row_page = cell(row, page_id_i)
            if not page.page_id and not page.name:
                page.page_id, page.name = row_page, cell(row, page_name_i)
            elif row_page and page.page_id and row_page != page.page_id:
                result.errors.append(
                    RowError(
                        line,
                        _("This post belongs to another Page (%(page)s): it was not imported.")
                        % {"page": row_page},
                    )
                )
                continue
            if not page.page_id and "_" in post_id:
                # Post IDs read `<Page ID>_<post>`: the Page is known even without its column.
                page.page_id = post_id.split("_", 1)[0]
            text = cell(row, description_i) or cell(row, title_i)
            key = post_id or digest(permalink.rstrip("/"))
            append(
                PostRecord(
                    key=key_fit("page-post:" + key),
                    published_at=published,
                    text=text,
                    url=permalink,
                    language=language_of(cell(row, languages_i)),
                    reach=reach,
                    reactions_count=reactions,
                    comments_count=comments,
                    reshares_count=shares,
                )
            )
        return page

    @staticmethod
    def _as_of(archive: ArchiveView, names: Sequence[str]) -> date | None:
        return newest_member_date(archive, names)


def _count(row: list[str], index: int, column: str) -> int | None:
    try:
        return count(row[index])
    except ValueError:
        raise RowProblem(
            _("The number “%(value)s” in column “%(column)s” could not be read.")
            % {"value": row[index].strip()[:40], "column": column}
        ) from None


def _note_missing(table: Table, result: ParsedFile, french: bool) -> None:
    index = table.index
    missing = [
        fr if french else en
        for name, en, fr in NOTED
        if index[name] < 0 and not (name == "description" and index["title"] >= 0)
    ]
    if missing:
        result.notes.append(
            _("Columns not found: %(columns)s. Posts were imported without these values.")
            % {"columns": ", ".join(missing)}
        )


def _header(table: Table, name: str) -> str:
    found = table.index[name]
    return table.header[found].replace("\ufeff", "").strip() if found >= 0 else ""


def _rejected(result: ParsedFile, reason: str, line: int = 1) -> Page | None:
    """Mark the whole file unusable; returns no Page, for the caller to return."""
    result.status = "rejected"
    result.records.clear()
    result.errors[:] = [RowError(line, reason)]
    return None
