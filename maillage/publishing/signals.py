"""Signals the publishing engine sends so other apps can react without the engine knowing them.

`deliveries_moved` is sent once per batch of deliveries moved together, with `pks`,
`from_status`, `to_status`, `reason` and `detail`, only once the move is committed: a move that
is rolled back announces nothing. The publish worker sends it for every delivery it drains, so a
receiver must return at once for the moves it does not care about.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

deliveries_moved = Signal()


def deliveries_moved_announce(
    pks: Sequence[int], from_status: str, to_status: str, reason: str, detail: str = ""
) -> None:
    """Send `deliveries_moved` after the current transaction commits (at once outside one)."""
    if not pks or not deliveries_moved.has_listeners():
        return
    moved = list(pks)

    def send() -> None:
        # A receiver's bug must never break the engine: the move is already committed.
        for receiver, result in deliveries_moved.send_robust(
            sender=None,
            pks=moved,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            detail=detail,
        ):
            if isinstance(result, Exception):
                log.error("deliveries_moved receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send, robust=True)
