"""Listen to the publishing engine's moves and keep the notifications in step with them.

The publish worker drains thousands of deliveries through here: the moves that concern nobody
(claimed, scheduled by a retry) return after one comparison, the others cost a fixed few
queries per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maillage.notifications.services import (
    notifications_record,
    notifications_settle,
    notifications_settle_reconnected,
)
from maillage.publishing.models import Delivery
from maillage.publishing.signals import deliveries_moved

Status = Delivery.Status

NOTIFIED = frozenset({Status.FAILED, Status.MISSED, Status.UNCONFIRMED, Status.NEEDS_RECONNECT})


def deliveries_moved_receive(
    sender: Any,
    *,
    pks: Sequence[int],
    from_status: str,
    to_status: str,
    reason: str = "",
    detail: str = "",
    **kwargs: Any,
) -> None:
    if to_status == Status.CLAIMED:
        return
    if to_status in NOTIFIED:
        notifications_record(pks, to_status, detail)
    elif to_status == Status.PUBLISHED:
        # The author's problem is solved: the notifications about it leave the unread.
        notifications_settle(pks)
    elif from_status == Status.UNCONFIRMED:
        # Read back and found absent: it is sent again, the doubt is over.
        notifications_settle(pks, kinds=[Status.UNCONFIRMED])
    elif from_status == Status.NEEDS_RECONNECT:
        notifications_settle_reconnected(pks)


def receivers_connect() -> None:
    deliveries_moved.connect(deliveries_moved_receive, dispatch_uid="notifications-deliveries")
