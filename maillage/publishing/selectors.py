"""Reads for publishing: which channels a user may post to, deliveries, queue slots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from maillage.accounts.models import User
from maillage.presence.networks import AccountKind
from maillage.publishing.models import Channel, Delivery, DeliveryEvent, PublishWorker, QueueSlot

# How far "add to queue" looks for a free slot.
QUEUE_HORIZON_DAYS = 366
# A running publish worker writes its heartbeat every second: silent this long, it is stopped.
WORKER_SILENT_AFTER = timedelta(minutes=2)
# Deliveries that only a running publish worker moves on.
WAITING_FOR_WORKER = (
    Delivery.Status.SCHEDULED,
    Delivery.Status.CLAIMED,
    Delivery.Status.UNCONFIRMED,
)


def channels_usable_by(user: User) -> QuerySet[Channel]:
    """The user's own channels, and the pages shared with a circle the user belongs to."""
    return Channel.objects.filter(
        Q(owner=user) | Q(kind=AccountKind.PAGE, shared_with_circle__memberships__user=user)
    ).distinct()


def channel_usable_by(user: User, channel: Channel) -> bool:
    return channels_usable_by(user).filter(pk=channel.pk).exists()


def publish_workers_running(now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return PublishWorker.objects.filter(seen_at__gte=now - WORKER_SILENT_AFTER).exists()


def publishing_paused_for(user: User, now: datetime | None = None) -> bool:
    """True when the user has posts waiting to go out and no publish worker is running: they
    would wait silently (and end as missed an hour late) unless somebody says so."""
    if publish_workers_running(now):
        return False
    return Delivery.objects.filter(planned_post__owner=user, status__in=WAITING_FOR_WORKER).exists()


def deliveries_of(user: User) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(planned_post__owner=user)
        .select_related("channel", "variant", "planned_post")
        .order_by("due_at", "pk")
    )


def delivery_events(delivery: Delivery) -> QuerySet[DeliveryEvent]:
    return delivery.events.order_by("pk")


def slot_local_datetime(day: date, slot: QueueSlot) -> datetime:
    """The slot's wall-clock time on that day, as an aware UTC instant.

    A time that does not exist that day (the spring-forward gap) moves forward by the gap;
    one that happens twice (fall back) is its first occurrence.
    """
    zone = ZoneInfo(slot.time_zone)
    local = datetime.combine(day, slot.local_time).replace(tzinfo=zone, fold=0)
    return local.astimezone(UTC)


def slot_occurrences(slot: QueueSlot, after: datetime) -> Iterator[datetime]:
    """Every occurrence of a weekly slot strictly after `after`, in order (UTC)."""
    zone = ZoneInfo(slot.time_zone)
    day = after.astimezone(zone).date()
    day += timedelta(days=(slot.weekday - day.weekday()) % 7)
    for _week in range(QUEUE_HORIZON_DAYS // 7 + 1):
        moment = slot_local_datetime(day, slot)
        if moment > after:
            yield moment
        day += timedelta(days=7)


def queue_next_free_slot(channel: Channel, after: datetime) -> datetime | None:
    """The earliest slot of the channel after `after` with no live delivery at that instant."""
    slots = list(channel.queue_slots.all())
    if not slots:
        return None
    taken = set(
        channel.deliveries.filter(due_at__gt=after)
        .exclude(status__in=[Delivery.Status.FAILED, Delivery.Status.MISSED])
        .values_list("due_at", flat=True)
    )
    streams = [slot_occurrences(slot, after) for slot in slots]
    heads = [next(stream, None) for stream in streams]
    while any(head is not None for head in heads):
        index = min(
            (i for i, head in enumerate(heads) if head is not None),
            key=lambda i: heads[i] or after,
        )
        moment = heads[index]
        assert moment is not None
        if moment not in taken:
            return moment
        heads[index] = next(streams[index], None)
    return None
