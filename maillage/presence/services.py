"""Writes for the Presence Index: the weekly snapshots of each user."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from maillage.accounts.models import User
from maillage.presence.index import WINDOW_WEEKS
from maillage.presence.models import PresenceSnapshot
from maillage.presence.selectors import (
    current_week,
    presence_history,
    presence_weeks,
    week_of,
    weeks_between,
)

# A bound on the nightly work: older weeks are not shown anywhere.
MAX_HISTORY_WEEKS = 260
SNAPSHOT_FIELDS = [
    "score",
    "brand",
    "audience",
    "engagement",
    "relationships",
    "status",
    "signals",
    "computed_at",
]


def presence_recompute(owner: User) -> None:
    """Rewrite the owner's weekly snapshots from their first activity (or 12 weeks back) to now."""
    history = presence_history(owner)
    last = current_week(history.zone)
    first = last - timedelta(weeks=WINDOW_WEEKS - 1)
    if history.first_activity is not None:
        first = min(first, week_of(history.first_activity))
    first = max(first, last - timedelta(weeks=MAX_HISTORY_WEEKS - 1))
    snapshots = [
        PresenceSnapshot(
            owner=owner,
            week_start=item.week,
            score=item.result.score,
            brand=item.result.pillars["brand"],
            audience=item.result.pillars["audience"],
            engagement=item.result.pillars["engagement"],
            relationships=item.result.pillars["relationships"],
            status=item.status,
            signals=item.result.as_json(),
        )
        for item in presence_weeks(history, weeks_between(first, last))
    ]
    with transaction.atomic():
        PresenceSnapshot.objects.filter(owner=owner).filter(
            Q(week_start__lt=first) | Q(week_start__gt=last)
        ).delete()
        PresenceSnapshot.objects.bulk_create(
            snapshots,
            batch_size=200,
            update_conflicts=True,
            unique_fields=["owner", "week_start"],
            update_fields=SNAPSHOT_FIELDS,
        )


def presence_recompute_all() -> int:
    """Recompute every active user's history; returns how many users were recomputed."""
    # Ids first: SQLite gives no isolation between an open cursor and writes on one connection.
    user_ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    count = 0
    for user_id in user_ids:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None:
            presence_recompute(user)
            count += 1
    return count
