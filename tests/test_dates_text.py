"""Datetimes written as text fast (keys, SQLite rows) read exactly as `isoformat` writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from maillage.lib.dates import clock_text, iso_text

MONTREAL = ZoneInfo("America/Montreal")
VALUES = [
    datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC),
    datetime(2000, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2021, 11, 30, 11, 42, 51, 5, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2019, 1, 1),
    datetime(2019, 1, 1, 0, 0, 0, 120_000),
    datetime(2026, 11, 1, 1, 30, tzinfo=MONTREAL),
    datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=-4))),
    *(datetime.fromtimestamp(1_000_000_000 + n * 7_919_777, UTC) for n in range(300)),
]


def test_iso_text_is_isoformat_for_every_kind_of_value():
    for value in VALUES:
        assert iso_text(value) == value.isoformat(), value


def test_clock_text_is_isoformat_without_the_offset():
    for value in VALUES:
        for sep in (" ", "T"):
            assert clock_text(value, sep) == value.replace(tzinfo=None).isoformat(sep), value
