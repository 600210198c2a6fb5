"""Hand-written SQL for the publish worker's hottest statements.

Draining thousands of deliveries, building and compiling each UPDATE and INSERT through the
ORM cost more CPU than the database spent running them (bench/README.md). These helpers
write the same statements once per shape and adapt each value with its model field, so
dates, booleans and the like reach SQLite and PostgreSQL exactly as the ORM would send them.
Only plain equality conditions and plain values: anything richer goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from django.db import connection, models


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


@cache
def _update_sql(model: type[models.Model], sets: tuple[str, ...], wheres: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(_field(model, name).column)} = %s" for name in sets)
    conditions = " AND ".join(f"{quote(_field(model, name).column)} = %s" for name in wheres)
    # Identifiers come from the model only; every value is a parameter.
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {conditions}"  # noqa: S608


@cache
def _insert_sql(model: type[models.Model], names: tuple[str, ...], rows: int) -> str:
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(_field(model, name).column) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    values = ", ".join([one] * rows)
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608


def _prepared(model: type[models.Model], values: Mapping[str, Any]) -> list[Any]:
    return [
        _field(model, name).get_db_prep_save(value, connection) for name, value in values.items()
    ]


def rows_update(
    model: type[models.Model], where: Mapping[str, Any], values: Mapping[str, Any]
) -> int:
    """UPDATE model SET values WHERE every `where` field equals its value; rows changed."""
    sql = _update_sql(model, tuple(values), tuple(where))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_prepared(model, values), *_prepared(model, where)])
        return int(cursor.rowcount)


def rows_insert(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT the rows (all with the same fields, in the same order) in one statement."""
    if not rows:
        return
    names = tuple(rows[0])
    params = [value for row in rows for value in _prepared(model, row)]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, names, len(rows)), params)
