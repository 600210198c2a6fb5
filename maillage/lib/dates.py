"""Dates as social-network exports write them, read fast into timezone-aware UTC datetimes.

Exports hold 100,000+ dated rows, so each format is parsed by hand (split + int) or by
`datetime.fromisoformat` instead of a generic parser; `DateColumn` remembers which format a
column uses. Dates without a zone are UTC (LinkedIn writes UTC). Month names are English
abbreviations whatever the locale, so `%b` (locale dependent) is never used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

# Cells a spreadsheet or an export writes for "no value".
MISSING = frozenset({"", "na", "n/a", "#n/a", "null", "none", "-", "nan"})
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

Parser = Callable[[str], datetime]


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        # Two-digit years come from 2018-era exports and spreadsheet re-saves: 00-69 is 20xx.
        year += 2000 if year < 70 else 1900
    return year


def _month(text: str) -> int:
    try:
        return MONTHS[text[:3].lower()]
    except KeyError:
        raise ValueError(text) from None


def _clock(text: str, meridiem: str = "") -> tuple[int, int, int]:
    parts = text.split(":")
    if not 2 <= len(parts) <= 3:
        raise ValueError(text)
    hour, minute = int(parts[0]), int(parts[1])
    second = int(float(parts[2])) if len(parts) == 3 else 0
    if meridiem:
        meridiem = meridiem.upper().replace(".", "")
        if meridiem not in ("AM", "PM") or not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    return hour, minute, second


def parse_iso(value: str) -> datetime:
    """`2025-07-01 14:33:22`, `2024-06-18 11:59:53 UTC`, `2024/02/24 14:03:38 UTC`, ISO 8601."""
    if value.endswith((" UTC", " GMT")):
        value = value[:-4]
    if value[4:5] == "/":
        value = value.replace("/", "-", 2)
    try:
        # Most values have no offset: parsing them as UTC directly is 6 times cheaper than
        # `replace(tzinfo=UTC)`. A value with its own offset fails here and takes the long way;
        # a date alone reads `+` as the date-time separator and comes back naive.
        moment = datetime.fromisoformat(value + "+00:00")
        if moment.tzinfo is not None:
            return moment
    except ValueError:
        pass
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_us(value: str) -> datetime:
    """`1/8/18, 6:14 PM`, `12/24/23, 05:28 AM`, `6/18/2024 11:59`, `6/18/2024` (month first)."""
    tokens = value.replace(",", " ").split()
    if not 1 <= len(tokens) <= 3:
        raise ValueError(value)
    parts = tokens[0].split("/")
    if len(parts) != 3:
        raise ValueError(value)
    month, day, year = int(parts[0]), int(parts[1]), _year(parts[2])
    if month > 12 >= day:
        # A day-first spreadsheet re-save; only unambiguous when the first number is > 12.
        month, day = day, month
    hour = minute = second = 0
    if len(tokens) > 1:
        hour, minute, second = _clock(tokens[1], tokens[2] if len(tokens) == 3 else "")
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def parse_day_month_year(value: str) -> datetime:
    """`30 Aug 2019` (Connected On) and the spreadsheet re-save `18-Jun-24`."""
    parts = value.split("-") if "-" in value else value.split()
    if len(parts) != 3:
        raise ValueError(value)
    return datetime(_year(parts[2]), _month(parts[1]), int(parts[0]), tzinfo=UTC)


def parse_ctime(value: str) -> datetime:
    """`Tue Jun 18 12:03:31 UTC 2024` (Company Follows)."""
    parts = value.split()
    if len(parts) == 6:
        if parts[4].upper() not in ("UTC", "GMT"):
            raise ValueError(value)
        del parts[4]
    if len(parts) != 5:
        raise ValueError(value)
    hour, minute, second = _clock(parts[3])
    return datetime(
        int(parts[4]), _month(parts[1]), int(parts[2]), hour, minute, second, tzinfo=UTC
    )


def _guess(value: str) -> Parser:
    """The parser a value's shape points to, by looking at a few characters only."""
    if value[:1].isalpha():
        return parse_ctime
    if value[:4].isdigit() and value[4:5] in ("-", "/"):
        return parse_iso
    if "/" in value:
        return parse_us
    return parse_day_month_year


def parse_datetime(value: str) -> datetime | None:
    """A UTC-aware datetime, None for an empty/`NA` cell; ValueError for an unknown format."""
    value = value.strip()
    if value.lower() in MISSING:
        return None
    return _guess(value)(value)


def parse_date(value: str) -> date | None:
    moment = parse_datetime(value)
    return moment.date() if moment is not None else None


class DateColumn:
    """Parses one column's dates, trying the format its previous value had first.

    Day-only columns (Connected On) repeat the same few thousand values: those are cached.
    """

    __slots__ = ("_cache", "_parser")
    CACHE_MAX = 20_000

    def __init__(self) -> None:
        self._parser: Parser | None = None
        self._cache: dict[str, datetime] = {}

    def __call__(self, value: str) -> datetime | None:
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        parser = self._parser
        moment: datetime | None = None
        if parser is not None:
            # Fast path: a well-formed value in the column's known format, no other checks.
            try:
                moment = parser(value)
            except ValueError:
                moment = None
        if moment is None:
            stripped = value.strip()
            if stripped.lower() in MISSING:
                return None
            parser = _guess(stripped)
            moment = parser(stripped)
            self._parser = parser
        if len(value) <= 12 and len(self._cache) < self.CACHE_MAX:
            # Short values are dates without a time of day: few distinct ones, often repeated.
            self._cache[value] = moment
        return moment


# --- writing ------------------------------------------------------------------------------------

# Pieces of a datetime's text, cached: formatting each value with `isoformat` costs three to
# four times more, and an archive holds 100,000 of them (keys, rows for the database).
_DAY_TEXT: dict[int, str] = {}
_DAYS_CACHED = 50_000
_HOUR_MINUTE_TEXT = [f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)]
_SECOND_TEXT = [f"{second:02d}" for second in range(60)]


def clock_text(value: datetime, sep: str = " ") -> str:
    """`value.isoformat(sep)` without any UTC offset: the date, `sep`, the time of day."""
    ordinal = value.toordinal()
    day = _DAY_TEXT.get(ordinal)
    if day is None:
        if len(_DAY_TEXT) >= _DAYS_CACHED:
            _DAY_TEXT.clear()
        day = _DAY_TEXT[ordinal] = value.date().isoformat()
    text = (
        day + sep + _HOUR_MINUTE_TEXT[value.hour * 60 + value.minute] + _SECOND_TEXT[value.second]
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text


def iso_text(value: datetime) -> str:
    """Exactly `value.isoformat()`, faster for the UTC values importers make."""
    if value.tzinfo is UTC:
        return clock_text(value, "T") + "+00:00"
    return value.isoformat()
