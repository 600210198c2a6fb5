"""The local calendar day of a stored moment, computed by the database, fast on SQLite too.

Django's `TruncDate(field, tzinfo=zone)` is native SQL on PostgreSQL, but on SQLite it calls a
Python function for every row (`django_datetime_cast_date`): grouping a heavy LinkedIn
export's 75,000 interactions by day took 0.76 s of the Presence dashboard's 1.1 s. `LocalDate`
gives SQLite the zone's UTC offsets instead, as a `CASE` over the moments they change, and lets
its own C `date()` shift each value: the same day, for any zone (half-hour and 45-minute offsets
included), as `tests/test_local_date.py` checks against Python's `zoneinfo`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import DateField, Func

# Offsets are read from here on; anything older takes the offset in force then (no export
# holds a post from the last century).
FIRST = datetime(2000, 1, 1, tzinfo=UTC)
# And up to the end of next year: what is counted by day has happened (the CASE is read newest
# first, so every year listed ahead of the data costs each row two comparisons).
YEARS_AHEAD = 2


def _offset_minutes(zone: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


@lru_cache(maxsize=64)
def offset_changes(zone_key: str, until_year: int) -> tuple[tuple[str, int], ...]:
    """(UTC moment as stored, minutes east of UTC from then on), oldest first, from FIRST."""
    zone = ZoneInfo(zone_key)
    changes = [(FIRST, _offset_minutes(zone, FIRST))]
    step = timedelta(days=1)  # no zone changes its offset twice within a day
    moment, last = FIRST, changes[0][1]
    end = datetime(until_year, 1, 1, tzinfo=UTC)
    while moment < end:
        following = moment + step
        offset = _offset_minutes(zone, following)
        if offset != last:
            # The change lies in (moment, following]: found to the second by bisection.
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset_minutes(zone, middle) == last:
                    low = middle
                else:
                    high = middle
            changes.append((high.replace(microsecond=0), offset))
            last = offset
        moment = following
    return tuple((at.strftime("%Y-%m-%d %H:%M:%S"), minutes) for at, minutes in changes)


class LocalDate(Func):
    """The date of `expression` (a DateTimeField) on the wall calendar of `zone`."""

    output_field = DateField()

    def __init__(self, expression: Any, zone: ZoneInfo) -> None:
        super().__init__(expression)
        self.zone = zone

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:  # type: ignore[override]
        # Elsewhere Django's own conversion is native SQL (PostgreSQL's AT TIME ZONE).
        sql, params = compiler.compile(self.source_expressions[0])
        return connection.ops.datetime_cast_date_sql(sql, tuple(params), self.zone.key)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        changes = offset_changes(self.zone.key, datetime.now(UTC).year + YEARS_AHEAD)
        # Newest first: most rows are recent and stop at the first branch or two.
        branches: list[str] = []
        branch_params: list[Any] = []
        for at, minutes in reversed(changes[1:]):
            branches.append(f"WHEN {sql} >= %s THEN %s")
            branch_params.extend([*params, at, f"{minutes:+d} minutes"])
        shift = f"CASE {' '.join(branches)} ELSE %s END" if branches else "%s"
        branch_params.append(f"{changes[0][1]:+d} minutes")
        return f"date({sql}, {shift})", (*params, *branch_params)
