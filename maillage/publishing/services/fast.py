"""Hand-written SQL for the publish worker's hottest statements.

Draining thousands of deliveries, building and compiling each statement through the ORM
cost more CPU than the database spent running them (bench/README.md). These helpers write
the same statements once per shape and prepare each value as its model field would, so
dates, booleans and the like reach SQLite and PostgreSQL exactly as the ORM would send them;
rows read back become model objects through the fields' own converters and `from_db`.
Only plain equality conditions and plain values: anything richer goes through the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations

if TYPE_CHECKING:
    from maillage.publishing.models import Delivery, PostMedia


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


# Fields whose values of these types the ORM hands to the driver unchanged.
_AS_IS: dict[str, type] = {
    "CharField": str,
    "TextField": str,
    "URLField": str,
    "SlugField": str,
    "EmailField": str,
    "BooleanField": bool,
    "IntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "BigIntegerField": int,
    "AutoField": int,
    "BigAutoField": int,
    "ForeignKey": int,
}
Preparer = Callable[[Any, BaseDatabaseOperations], Any]


@cache
def _preparer(model: type[models.Model], name: str) -> Preparer:
    """How to prepare a value of this field for the driver, as `get_db_prep_save` would.

    The common cases (None, a string in a text field, an aware date) skip the field's
    generic path, whose layers of conversions and lookups cost more than the statement
    itself on the worker's hottest writes (bench/README.md); anything else takes that path.
    """
    field = _field(model, name)
    kind = field.get_internal_type()
    plain = _AS_IS.get(kind)

    def generic(value: Any, ops: BaseDatabaseOperations) -> Any:
        return field.get_db_prep_save(value, ops.connection)

    if kind == "DateTimeField":

        def moment(value: Any, ops: BaseDatabaseOperations) -> Any:
            if value is None:
                return None
            if isinstance(value, datetime) and value.tzinfo is not None:
                return ops.adapt_datetimefield_value(value)
            return generic(value, ops)

        return moment
    if plain is not None:
        # bool is an int: an int field given True takes the generic path, as the ORM would.
        exact = plain is int

        def as_is(value: Any, ops: BaseDatabaseOperations) -> Any:
            if value is None:
                return None
            if (type(value) is plain) if exact else isinstance(value, plain):
                return value
            return generic(value, ops)

        return as_is
    return generic


def _prepared(model: type[models.Model], values: Mapping[str, Any]) -> list[Any]:
    ops = connection.ops
    return [_preparer(model, name)(value, ops) for name, value in values.items()]


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


def rows_update_many(
    model: type[models.Model], changes: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]
) -> int:
    """One UPDATE per (where, values) pair, all of the same fields, sent to the database as
    one prepared statement run many times; rows changed in all."""
    if not changes:
        return 0
    where, values = changes[0]
    sql = _update_sql(model, tuple(values), tuple(where))
    params = [
        [*_prepared(model, change), *_prepared(model, condition)] for condition, change in changes
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return int(cursor.rowcount)


@dataclass(frozen=True)
class Publication:
    """A claimed delivery the network accepted, as the recorder writes it."""

    delivery_id: int
    claim_token: str
    external_id: str
    external_url: str
    published_at: datetime


class _SomeTakenBack(Exception):
    """Rolls back a batch of recordings that did not all find their claim."""


def deliveries_publish_many(items: Sequence[Publication], now: datetime) -> set[int]:
    """Move these deliveries from claimed to published, each only while it still holds its
    claim token; the ids moved. Call inside a transaction.

    PostgreSQL takes them all in one statement, the values as arrays; SQLite runs one prepared
    UPDATE for each, and in the rare batch where a claim was taken back meanwhile, undoes them
    and goes one by one, to learn which.
    """
    from maillage.publishing.models import Delivery

    if not items:
        return set()
    claimed, published = Delivery.Status.CLAIMED, Delivery.Status.PUBLISHED
    if connection.vendor == "postgresql":
        column = partial(_column, Delivery)
        sql = (
            f"UPDATE {_table(Delivery)} AS d SET {column('status')} = %s, "  # noqa: S608
            f"{column('updated_at')} = %s, {column('external_id')} = v.external_id, "
            f"{column('external_url')} = v.external_url, "
            f"{column('published_at')} = v.published_at, {column('last_error')} = '' "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::timestamptz[]) "
            "AS v(id, token, external_id, external_url, published_at) "
            f"WHERE d.{column('id')} = v.id AND d.{column('status')} = %s "
            f"AND d.{column('claim_token')} = v.token RETURNING d.{column('id')}"
        )
        params = [
            published,
            now,
            [item.delivery_id for item in items],
            [item.claim_token for item in items],
            [item.external_id for item in items],
            [item.external_url for item in items],
            [item.published_at for item in items],
            claimed,
        ]
        return {int(pk) for (pk,) in _rows(sql, params)}
    changes = [
        (
            {"id": item.delivery_id, "status": claimed, "claim_token": item.claim_token},
            {
                "status": published,
                "updated_at": now,
                "external_id": item.external_id,
                "external_url": item.external_url,
                "published_at": item.published_at,
                "last_error": "",
            },
        )
        for item in items
    ]
    try:
        with transaction.atomic():
            if rows_update_many(Delivery, changes) != len(changes):
                raise _SomeTakenBack
        return {item.delivery_id for item in items}
    except _SomeTakenBack:
        return {
            item.delivery_id
            for item, (where, values) in zip(items, changes, strict=True)
            if rows_update(Delivery, where, values)
        }


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


# --- the claimed deliveries, as objects -------------------------------------------------------
# Read after every claim, with their account, text and post: through the ORM, compiling that
# four-table query cost more than running it and building the objects (bench/README.md).


class _Columns:
    """A model's columns in a SELECT under `alias`, and how to make rows of them objects
    exactly as the ORM does: its converters (SQLite's dates and booleans), then `from_db`."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self.sql = ", ".join(
            f"{alias}.{connection.ops.quote_name(field.column)}" for field in self.fields
        )
        self.converters: list[tuple[int, Any, Any]] = []
        for index, field in enumerate(self.fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            self.converters.extend((index, converter, column) for converter in found)

    def make(self, values: Sequence[Any]) -> Any:
        row = list(values)
        for index, converter, column in self.converters:
            row[index] = converter(row[index], column, connection)
        return self.model.from_db(connection.alias, self.names, row)


def _relation(model: type[models.Model], name: str) -> models.ForeignKey[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.ForeignKey):
        raise TypeError(f"{model.__name__}.{name} is not a foreign key")
    return field


class _AsSent:
    """A delivery with its account, variant and post, and the post's author's language."""

    def __init__(self) -> None:
        from maillage.accounts.models import User
        from maillage.publishing.models import (
            Channel,
            Delivery,
            PlannedPost,
            PostMedia,
            PostVariant,
        )

        self.delivery = _Columns(Delivery, "d")
        self.related = [
            (_Columns(Channel, "c"), _relation(Delivery, "channel")),
            (_Columns(PostVariant, "v"), _relation(Delivery, "variant")),
            (_Columns(PlannedPost, "p"), _relation(Delivery, "planned_post")),
        ]
        parts = [self.delivery, *(part for part, _ in self.related)]
        column = partial(_column, Delivery)
        self.on_ids = f"d.{column('id')}"
        self.sql = (
            f"SELECT {', '.join(part.sql for part in parts)}, "  # noqa: S608
            f"u.{_column(User, 'language')}, EXISTS (SELECT 1 FROM {_table(PostMedia)} m "
            f"WHERE m.{_column(PostMedia, 'planned_post')} = p.{_column(PlannedPost, 'id')}) "
            f"FROM {_table(Delivery)} d "
            f"JOIN {_table(Channel)} c ON c.{_column(Channel, 'id')} = d.{column('channel')} "
            f"JOIN {_table(PostVariant)} v ON v.{_column(PostVariant, 'id')} = "
            f"d.{column('variant')} "
            f"JOIN {_table(PlannedPost)} p ON p.{_column(PlannedPost, 'id')} = "
            f"d.{column('planned_post')} "
            f"JOIN {_table(User)} u ON u.{_column(User, 'id')} = p.{_column(PlannedPost, 'owner')} "
            f"WHERE {{ids}} AND d.{column('claim_token')} = %s "
            f"ORDER BY d.{column('next_attempt_at')}, d.{column('id')}"
        )

    def read(self, ids: Sequence[int], token: str) -> list[Delivery]:
        on_ids, id_param = _ids_in(self.on_ids, ids)
        found = []
        for values in _rows(self.sql.format(ids=on_ids), [id_param, token]):
            end = len(self.delivery.fields)
            delivery = self.delivery.make(values[:end])
            for part, relation in self.related:
                start, end = end, end + len(part.fields)
                relation.set_cached_value(delivery, part.make(values[start:end]))
            delivery.author_language = values[end]
            # Most posts have no image: for those the claim need not look for any.
            delivery.claimed_media = None if values[end + 1] else []
            found.append(delivery)
        return found


@cache
def _as_sent(vendor: str) -> _AsSent:
    return _AsSent()


def deliveries_as_sent(ids: Sequence[int], token: str) -> list[Delivery]:
    """These deliveries if they still hold this claim token, oldest due first, each with its
    channel, variant and planned post loaded, `author_language` (the post's owner's), and
    `claimed_media` an empty list when the post has no image (None: it has some)."""
    if not ids:
        return []
    return _as_sent(connection.vendor).read(ids, token)


@cache
def _media_reader(vendor: str) -> tuple[_Columns, str, str]:
    """The columns, the query (with `{ids}` to fill) and the post column of the images."""
    from maillage.publishing.models import PostMedia

    media = _Columns(PostMedia, "m")
    order = f"m.{_column(PostMedia, 'position')}, m.{_column(PostMedia, 'id')}"
    sql = f"SELECT {media.sql} FROM {_table(PostMedia)} m WHERE {{ids}} ORDER BY {order}"  # noqa: S608
    return media, sql, f"m.{_column(PostMedia, 'planned_post')}"


def post_media_of(post_ids: Iterable[int]) -> dict[int, list[PostMedia]]:
    """The images of these planned posts, by post, in their order (position, then added)."""
    found: dict[int, list[PostMedia]] = {}
    ids = list(post_ids)
    if not ids:
        return found
    media, sql, post = _media_reader(connection.vendor)
    on_ids, id_param = _ids_in(post, ids)
    for values in _rows(sql.format(ids=on_ids), [id_param]):
        item = media.make(values)
        found.setdefault(item.planned_post_id, []).append(item)
    return found
