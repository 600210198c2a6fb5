"""Hand-written SQL for the publish worker's hottest statements.

Draining thousands of deliveries, building and compiling each UPDATE and INSERT through the
ORM cost more CPU than the database spent running them (bench/README.md). These helpers
write the same statements once per shape and adapt each value with its model field, so
dates, booleans and the like reach SQLite and PostgreSQL exactly as the ORM would send them.
Only plain equality conditions and plain values: anything richer goes through the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache, partial
from typing import Any

from django.db import connection, models


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(_field(model, name).column)


def _assignments(model: type[models.Model], names: Sequence[str]) -> str:
    return ", ".join(f"{_column(model, name)} = %s" for name in names)


@cache
def _update_sql(model: type[models.Model], sets: tuple[str, ...], wheres: tuple[str, ...]) -> str:
    conditions = " AND ".join(f"{_column(model, name)} = %s" for name in wheres)
    # Identifiers come from the model only; every value is a parameter.
    return f"UPDATE {_table(model)} SET {_assignments(model, sets)} WHERE {conditions}"  # noqa: S608


@cache
def _insert_sql(model: type[models.Model], names: tuple[str, ...], rows: int) -> str:
    columns = ", ".join(_column(model, name) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    values = ", ".join([one] * rows)
    return f"INSERT INTO {_table(model)} ({columns}) VALUES {values}"  # noqa: S608


def _prepared(model: type[models.Model], values: Mapping[str, Any]) -> list[Any]:
    return [
        _field(model, name).get_db_prep_save(value, connection) for name, value in values.items()
    ]


def _execute(sql: str, params: Sequence[Any]) -> int:
    """Run one statement; rows changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def rows_update(
    model: type[models.Model], where: Mapping[str, Any], values: Mapping[str, Any]
) -> int:
    """UPDATE model SET values WHERE every `where` field equals its value; rows changed."""
    sql = _update_sql(model, tuple(values), tuple(where))
    return _execute(sql, [*_prepared(model, values), *_prepared(model, where)])


def rows_insert(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT the rows (all with the same fields, in the same order) in one statement."""
    if not rows:
        return
    names = tuple(rows[0])
    params = [value for row in rows for value in _prepared(model, row)]
    _execute(_insert_sql(model, names, len(rows)), params)


# --- the claim's reads ----------------------------------------------------------------------
# Each claim runs these three; through the ORM, building them (an IN list of every open
# account, each id prepared one by one) cost more than the rest of the claim.


def _ids_in(column: str, ids: Sequence[int]) -> tuple[str, Any]:
    """`column IN ids` with the ids as one parameter: an array on PostgreSQL, a JSON list
    read by `json_each` on SQLite (no limit on how many, nothing to prepare per id)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", list(ids)
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(ids))  # noqa: S608


def claim_plans() -> None:
    """Call first in the claim's transaction: on PostgreSQL, its reads go through the indexes
    in order, for the rest of the transaction.

    Without statistics yet on a burst of new rows, PostgreSQL otherwise often chose to fetch
    every due delivery and sort them all (6 ms instead of 0.1 for 8,000 due), and a bitmap
    scan, unlike a plain one, never marks the index entries of rows gone since the last vacuum
    (each claim left two), so every later claim walked them all again (bench/README.md).
    """
    if connection.vendor == "postgresql":
        _rows(
            "SELECT set_config('enable_sort', 'off', true), "
            "set_config('enable_bitmapscan', 'off', true)",
            [],
        )


def claimed_channels() -> list[tuple[int, str]]:
    """(channel id, network) of every claimed delivery, across every worker."""
    from maillage.publishing.models import Channel, Delivery

    delivery, channel = _table(Delivery), _table(Channel)
    sql = (
        f"SELECT d.{_column(Delivery, 'channel')}, c.{_column(Channel, 'network')} "  # noqa: S608
        f"FROM {delivery} d JOIN {channel} c ON c.{_column(Channel, 'id')} = "
        f"d.{_column(Delivery, 'channel')} WHERE d.{_column(Delivery, 'status')} = %s"
    )
    return [(int(pk), str(network)) for pk, network in _rows(sql, [Delivery.Status.CLAIMED])]


def channels_ready(now: datetime) -> list[tuple[int, str]]:
    """(id, network) of the active accounts not asked to wait past `now`."""
    from maillage.publishing.models import Channel

    until = _column(Channel, "throttle_until")
    sql = (
        f"SELECT {_column(Channel, 'id')}, {_column(Channel, 'network')} "  # noqa: S608
        f"FROM {_table(Channel)} WHERE {_column(Channel, 'status')} = %s "
        f"AND ({until} IS NULL OR {until} <= %s)"
    )
    params = [Channel.Status.ACTIVE, *_prepared(Channel, {"throttle_until": now})]
    return [(int(pk), str(network)) for pk, network in _rows(sql, params)]


def deliveries_due(
    now: datetime, cutoff: datetime, channel_ids: Sequence[int], limit: int
) -> list[tuple[int, int]]:
    """(id, channel id) of the scheduled deliveries due by `now` on these accounts, oldest
    first, at most `limit`: retries, and first attempts not older than `cutoff`. On
    PostgreSQL the rows are locked, and those another worker is looking at skipped: call it
    inside the claim's transaction."""
    from maillage.publishing.models import Delivery

    if not channel_ids:
        return []
    column = partial(_column, Delivery)
    on_channels, ids = _ids_in(column("channel"), channel_ids)
    sql = (
        f"SELECT {column('id')}, {column('channel')} FROM {_table(Delivery)} "  # noqa: S608
        f"WHERE {column('status')} = %s AND {column('next_attempt_at')} <= %s AND {on_channels} "
        f"AND ({column('attempts')} > 0 OR {column('due_at')} >= %s) "
        f"ORDER BY {column('next_attempt_at')}, {column('id')} LIMIT %s"
    )
    if connection.vendor == "postgresql":
        # Other workers skip the rows this one is looking at instead of waiting for them (the
        # weaker lock, as the claim changes no key: inserting an event that refers to one of
        # these rows is not held up).
        sql += " FOR NO KEY UPDATE SKIP LOCKED"
    due_by, cut = _prepared(Delivery, {"next_attempt_at": now, "due_at": cutoff})
    params = [Delivery.Status.SCHEDULED, due_by, ids, cut, limit]
    return [(int(pk), int(channel_id)) for pk, channel_id in _rows(sql, params)]


def deliveries_take(ids: Sequence[int], values: Mapping[str, Any]) -> int:
    """Set `values` on these scheduled deliveries, the window `deliveries_due` just read in
    this transaction; rows changed.

    Addressed by primary key only on PostgreSQL: the rows are locked by that read until the
    commit, so none can have left `scheduled` meanwhile, and a condition on the status would
    let the planner (on stale statistics) walk the status index through every delivery that
    changed since the last vacuum. SQLite, one writer at a time, checks the status again.
    """
    from maillage.publishing.models import Delivery

    if not ids:
        return 0
    on_ids, id_param = _ids_in(_column(Delivery, "id"), ids)
    sql = f"UPDATE {_table(Delivery)} SET {_assignments(Delivery, list(values))} WHERE {on_ids}"  # noqa: S608
    params = [*_prepared(Delivery, values), id_param]
    if connection.vendor != "postgresql":
        sql += f" AND {_column(Delivery, 'status')} = %s"
        params.append(Delivery.Status.SCHEDULED)
    return _execute(sql, params)
