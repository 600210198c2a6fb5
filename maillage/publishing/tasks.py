"""Background publishing through Django Tasks: one delivery per task (make run's db_worker).

The publish_worker command is the main engine (many calls in flight, housekeeping); this task
lets a single delivery go out through the ordinary task worker too. Both claim the same way,
so a delivery reached by both is still sent once.
"""

from __future__ import annotations

import uuid

from django_tasks import task

from maillage.publishing.services import delivery_claim_by_id, delivery_publish


@task()
def delivery_publish_task(delivery_id: int) -> str | None:
    """Claim and publish this delivery if it is due; returns its new status."""
    delivery = delivery_claim_by_id(delivery_id, f"task:{uuid.uuid4().hex[:12]}")
    if delivery is None:
        return None
    return str(delivery_publish(delivery).status)
