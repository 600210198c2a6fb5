"""Queue slots, "add to queue" and recurring series (docs/queue-and-series.md)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.publishing.models import (
    Channel,
    Delivery,
    PlannedPost,
    PostMedia,
    PostVariant,
    QueueSlot,
    Series,
)
from maillage.publishing.selectors import channel_usable_by, queue_next_free_slot
from maillage.publishing.services.planning import PublishingError, planned_post_schedule
from maillage.publishing.services.transitions import writing

# Two years of weekly posts: past that a series is more likely a mistake than a plan.
SERIES_MAX_OCCURRENCES = 104

Target = tuple[Channel, PostVariant]


# --- Queue slots ---------------------------------------------------------------------------


def _check_owner(channel: Channel, by: User) -> None:
    if channel.owner_id != by.pk:
        raise PublishingError(
            _("Only the owner of %(handle)s can change its queue.") % {"handle": channel.handle}
        )


def queue_slot_add(
    channel: Channel, weekday: int, local_time: time, time_zone: str, by: User
) -> QueueSlot:
    """A weekly slot on `weekday` (Monday = 0) at `local_time` wall-clock in `time_zone`."""
    _check_owner(channel, by)
    if weekday not in range(7):
        raise PublishingError(_("Choose a day of the week."))
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PublishingError(
            _("%(zone)s is not a time zone Maillage knows.") % {"zone": time_zone}
        ) from exc
    # Slots are to the minute: 09:00:30 and 09:00 would be two slots a user cannot tell apart.
    local_time = local_time.replace(second=0, microsecond=0, tzinfo=None)
    duplicate = PublishingError(
        _("%(handle)s already has a slot on %(weekday)s at %(time)s.")
        % {
            "handle": channel.handle,
            "weekday": WEEKDAYS[weekday],
            "time": local_time.strftime("%H:%M"),
        }
    )
    if QueueSlot.objects.filter(channel=channel, weekday=weekday, local_time=local_time).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return QueueSlot.objects.create(
                channel=channel, weekday=weekday, local_time=local_time, time_zone=time_zone
            )
    except IntegrityError as exc:  # the same slot added by a second request meanwhile
        raise duplicate from exc


def queue_slot_remove(slot: QueueSlot, by: User) -> None:
    """Remove a slot; posts already queued at it keep their time."""
    _check_owner(slot.channel, by)
    QueueSlot.objects.filter(pk=slot.pk).delete()


# --- Add to queue --------------------------------------------------------------------------


@contextmanager
def _queue_transaction(channels: Iterable[Channel]) -> Iterator[None]:
    """One writer at a time per channel while its free slot is looked up and taken.

    PostgreSQL: the channel rows are locked (in id order, so two posts never deadlock), a
    second request waits, then sees the first one's delivery. SQLite: the IMMEDIATE
    transaction holds the database's write lock; inside an outer transaction it already
    does, and `writing()`'s thread lock would then be taken in the wrong order.
    """
    ids = sorted({channel.pk for channel in channels})
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with writing():
        list(
            Channel.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        yield


def _no_free_slot(channel: Channel) -> PublishingError:
    if channel.queue_slots.exists():
        return PublishingError(
            _("The queue of %(handle)s is full for the coming year: add a slot on its queue page.")
            % {"handle": channel.handle}
        )
    return PublishingError(
        _("%(handle)s has no queue slot: add one on its queue page.") % {"handle": channel.handle}
    )


def planned_post_queue(post: PlannedPost, targets: list[Target], after: datetime) -> list[Delivery]:
    """Each channel's delivery at that channel's next free queue slot after `after`.

    The post is scheduled at the earliest of them. Two requests queueing to one channel at
    once take two different slots (see `_queue_transaction`).
    """
    if timezone.is_naive(after):
        raise PublishingError(_("The publication time needs a time zone."))
    targets = list(targets)
    if not targets:
        raise PublishingError(_("Choose at least one account to queue this post to."))
    created: list[Delivery] = []
    with _queue_transaction(channel for channel, _variant in targets):
        for channel, variant in targets:
            moment = queue_next_free_slot(channel, after)
            if moment is None:
                if channel_usable_by(post.owner, channel):
                    raise _no_free_slot(channel)
                # Not the user's to use: planned_post_schedule refuses it with its message.
                moment = after
            created += planned_post_schedule(post, moment, [(channel, variant)])
        earliest = Delivery.objects.filter(planned_post=post).aggregate(first=Min("due_at"))
        if earliest["first"] is not None:
            PlannedPost.objects.filter(pk=post.pk).update(scheduled_at=earliest["first"])
            post.scheduled_at = earliest["first"]
    return created


# --- Recurring series ----------------------------------------------------------------------


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def series_occurrences(
    first: datetime, time_zone: str, frequency: str, interval: int, ends_on: date
) -> list[datetime]:
    """Every occurrence from `first` to `ends_on` inclusive (aware UTC), keeping the wall-clock
    time of `first` in `time_zone` across DST changes.

    Monthly on a day the month lacks (the 31st, Feb 29th) falls on the month's last day; the
    next months go back to the first's day. Raises PublishingError past SERIES_MAX_OCCURRENCES.
    """
    zone = ZoneInfo(time_zone)
    local = first.astimezone(zone)
    moments: list[datetime] = []
    for index in range(SERIES_MAX_OCCURRENCES + 1):
        if frequency == Series.Frequency.WEEKLY:
            day = local.date() + timedelta(weeks=index * interval)
        else:
            months = local.month - 1 + index * interval
            day = _month_day(local.year + months // 12, months % 12 + 1, local.day)
        if day > ends_on:
            return moments
        if index == SERIES_MAX_OCCURRENCES:
            break
        # fold=0 as queue slots do: a time in the spring gap moves forward by the gap.
        wall = datetime.combine(day, local.time()).replace(tzinfo=zone, fold=0)
        moments.append(first if index == 0 else wall.astimezone(UTC))
    raise PublishingError(
        _("A series can have at most %(count)s posts: choose an earlier end or a longer interval.")
        % {"count": SERIES_MAX_OCCURRENCES}
    )


def _post_copy(post: PlannedPost, series: Series) -> PlannedPost:
    """A new post with the same texts and images (the image rows share the stored files)."""
    copy = PlannedPost.objects.create(owner=post.owner, time_zone=post.time_zone, series=series)
    PostVariant.objects.bulk_create(
        PostVariant(
            planned_post=copy,
            network=variant.network,
            language=variant.language,
            text=variant.text,
            link=variant.link,
        )
        for variant in post.variants.all()
    )
    PostMedia.objects.bulk_create(
        PostMedia(
            planned_post=copy,
            network=media.network,
            file=media.file.name,
            content_type=media.content_type,
            description=media.description,
            position=media.position,
        )
        for media in post.media.all()
    )
    return copy


def series_create(
    post: PlannedPost,
    targets: Sequence[Target],
    first: datetime,
    frequency: str,
    interval: int,
    ends_on: date,
) -> Series:
    """Plan `post` at `first`, then a copy of it at each later occurrence until `ends_on`.

    Weekly or monthly, every `interval` weeks or months, at the first's wall-clock time in
    the post's time zone (09:00 stays 09:00 across DST). Monthly on the 31st falls on the
    last day of shorter months. All the posts are planned, or none.
    """
    if timezone.is_naive(first):
        raise PublishingError(_("The publication time needs a time zone."))
    if frequency not in Series.Frequency.values:
        raise PublishingError(_("Choose how often the post repeats."))
    if interval < 1:
        raise PublishingError(_("The interval must be at least 1."))
    if ends_on < first.astimezone(ZoneInfo(post.time_zone)).date():
        raise PublishingError(_("The series must end on or after the day of its first post."))
    moments = series_occurrences(first, post.time_zone, frequency, interval, ends_on)
    targets = list(targets)
    with transaction.atomic():
        series = Series.objects.create(
            owner=post.owner,
            frequency=frequency,
            interval=interval,
            starts_at=first,
            ends_on=ends_on,
            time_zone=post.time_zone,
        )
        PlannedPost.objects.filter(pk=post.pk).update(series=series)
        post.series = series
        planned_post_schedule(post, first, targets)
        for moment in moments[1:]:
            copy = _post_copy(post, series)
            variants = {(v.network, v.language): v for v in copy.variants.all()}
            planned_post_schedule(
                copy,
                moment,
                [(channel, variants[(v.network, v.language)]) for channel, v in targets],
            )
    return series


def series_cancel_future(series: Series, by: User, now: datetime | None = None) -> int:
    """Delete the series' posts still to come whose deliveries have not started; how many.

    Published, sent, failed or missed ones stay as history, and so do drafts (an occurrence
    the user took back to edit). The stored images stay: earlier posts share them.
    """
    if series.owner_id != by.pk:
        raise PublishingError(_("Only the author of this series can stop it."))
    now = now or timezone.now()
    waiting = Delivery.Status.SCHEDULED
    candidates = list(
        series.posts.filter(status=PlannedPost.Status.SCHEDULED, scheduled_at__gt=now)
        .exclude(deliveries__next_attempt_at__lte=now)
        .exclude(deliveries__status__in=[s for s in Delivery.Status.values if s != waiting])
        .values_list("pk", flat=True)
    )
    deleted = 0
    for pk in candidates:
        with writing():
            # Touching the rows first makes a worker's claim wait for this transaction (or,
            # if it claimed first, makes the counts differ and this post stay).
            held = Delivery.objects.filter(
                planned_post_id=pk, status=waiting, next_attempt_at__gt=now
            ).update(updated_at=now)
            if held == Delivery.objects.filter(planned_post_id=pk).count():
                PlannedPost.objects.filter(pk=pk).delete()
                deleted += 1
    return deleted
