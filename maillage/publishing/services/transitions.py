"""Moving deliveries between states: always a conditional UPDATE, always an event logged.

A move names the status it expects; when another worker got there first the UPDATE changes
no row and nothing is logged, so two processes can never both act on one delivery.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from maillage.publishing.models import Delivery, DeliveryEvent
from maillage.publishing.services.fast import rows_insert, rows_update
from maillage.publishing.signals import deliveries_moved_announce

Status = Delivery.Status
Reason = DeliveryEvent.Reason

# Every move the engine or a user may make; anything else is a bug.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SCHEDULED: frozenset({Status.CLAIMED, Status.MISSED, Status.NEEDS_RECONNECT}),
    Status.CLAIMED: frozenset(
        {
            Status.PUBLISHED,
            Status.FAILED,
            Status.UNCONFIRMED,
            Status.SCHEDULED,
            Status.MISSED,
            Status.NEEDS_RECONNECT,
        }
    ),
    Status.UNCONFIRMED: frozenset({Status.PUBLISHED, Status.SCHEDULED}),
    Status.MISSED: frozenset({Status.SCHEDULED}),
    Status.FAILED: frozenset({Status.SCHEDULED}),
    Status.NEEDS_RECONNECT: frozenset({Status.SCHEDULED}),
    Status.PUBLISHED: frozenset(),
}

CHUNK = 500

_sqlite_writes = threading.RLock()


@contextmanager
def writing(atomic: bool = True) -> Iterator[None]:
    """A write transaction (`atomic=False`: one statement, autocommit is enough). On SQLite
    the threads of one process queue for the write lock here first: SQLite's own busy wait
    sleeps in growing steps and would stall a pool of 20 threads."""
    if connection.vendor == "sqlite":
        with _sqlite_writes:
            if atomic:
                with transaction.atomic():
                    yield
            else:
                yield
    elif atomic:
        with transaction.atomic():
            yield
    else:
        yield


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def delivery_move(
    delivery: Delivery,
    from_status: str,
    to_status: str,
    reason: str,
    *,
    detail: str = "",
    worker: str = "",
    only_if: dict[str, Any] | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> bool:
    """Move one delivery if it is still in `from_status` (and matches `only_if`)."""
    if not transition_allowed(from_status, to_status):
        raise ValueError(f"{from_status} -> {to_status} is not a delivery transition")
    now = now or timezone.now()
    where = {"id": delivery.pk, "status": from_status, **(only_if or {})}
    values = {"status": to_status, "updated_at": now, **fields}
    # Plain equalities and values (every move the worker makes) go through hand-written SQL;
    # lookups and expressions (F(...) + 1) through the ORM.
    plain = not any("__" in name for name in where) and not any(
        hasattr(value, "resolve_expression") for value in (*where.values(), *values.values())
    )
    with writing():
        if plain:
            changed = rows_update(Delivery, where, values)
        else:
            changed = Delivery.objects.filter(**where).update(**values)
        if changed:
            events_log(
                [delivery.pk], from_status, to_status, reason, detail=detail, worker=worker, now=now
            )
    if changed:
        delivery.status = to_status
        delivery.updated_at = now
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(delivery, name, value)
    return bool(changed)


def deliveries_move(
    pks: Iterable[int],
    from_status: str,
    to_status: str,
    reason: str,
    *,
    detail: str = "",
    worker: str = "",
    now: datetime | None = None,
    **fields: Any,
) -> list[int]:
    """Move many at once; returns the ids that really moved (a fresh token marks them)."""
    if not transition_allowed(from_status, to_status):
        raise ValueError(f"{from_status} -> {to_status} is not a delivery transition")
    now = now or timezone.now()
    moved: list[int] = []
    ids = list(pks)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        token = uuid.uuid4().hex
        with writing():
            Delivery.objects.filter(pk__in=chunk, status=from_status).update(
                status=to_status, updated_at=now, claim_token=token, **fields
            )
            done = list(
                Delivery.objects.filter(pk__in=chunk, claim_token=token).values_list(
                    "pk", flat=True
                )
            )
            events_log(done, from_status, to_status, reason, detail=detail, worker=worker, now=now)
        moved.extend(done)
    return moved


def events_log(
    pks: Sequence[int],
    from_status: str,
    to_status: str,
    reason: str,
    *,
    detail: str = "",
    worker: str = "",
    now: datetime | None = None,
) -> None:
    at = now or timezone.now()
    for start in range(0, len(pks), CHUNK):
        rows_insert(
            DeliveryEvent,
            [
                {
                    "delivery": pk,
                    "at": at,
                    "from_status": from_status,
                    "to_status": to_status,
                    "reason": reason,
                    "detail": detail,
                    "worker": worker,
                }
                for pk in pks[start : start + CHUNK]
            ],
        )
    # Other apps (notifications) hear of the move once it is committed, never of a rollback.
    deliveries_moved_announce(pks, from_status, to_status, reason, detail)
