"""Planned posts and the user's choices on a delivery (publish now, reschedule)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.publishing.models import Channel, Delivery, PlannedPost, PostVariant
from maillage.publishing.selectors import channel_usable_by
from maillage.publishing.services.transitions import Reason, Status, delivery_move, events_log


class PublishingError(ValueError):
    """A request the user must change; the message says what and how."""


@dataclass(frozen=True)
class VariantInput:
    network: str
    language: str
    text: str
    link: str = ""


def planned_post_create(
    owner: User, variants: Iterable[VariantInput], time_zone: str | None = None
) -> PlannedPost:
    """A draft with one text per network and language."""
    with transaction.atomic():
        post = PlannedPost.objects.create(owner=owner, time_zone=time_zone or owner.time_zone)
        PostVariant.objects.bulk_create(
            PostVariant(
                planned_post=post,
                network=item.network,
                language=item.language,
                text=item.text,
                link=item.link,
            )
            for item in variants
        )
    return post


def planned_post_schedule(
    post: PlannedPost, when: datetime, targets: Iterable[tuple[Channel, PostVariant]]
) -> list[Delivery]:
    """Schedule the post at `when` (aware) to each channel with the variant chosen for it."""
    if timezone.is_naive(when):
        raise PublishingError(_("The publication time needs a time zone."))
    deliveries = []
    for channel, variant in targets:
        if variant.planned_post_id != post.pk:
            raise PublishingError(_("This text belongs to another post."))
        if variant.network != channel.network:
            raise PublishingError(
                _("The %(network)s text cannot go to a %(channel)s account.")
                % {
                    "network": variant.get_network_display(),
                    "channel": channel.get_network_display(),
                }
            )
        if not channel_usable_by(post.owner, channel):
            raise PublishingError(
                _("You may not publish to %(handle)s: ask its owner to share it with your circle.")
                % {"handle": channel.handle}
            )
        deliveries.append(
            Delivery(
                planned_post=post,
                channel=channel,
                variant=variant,
                due_at=when,
                next_attempt_at=when,
            )
        )
    with transaction.atomic():
        created = [delivery for delivery in deliveries if _save_new(delivery)]
        events_log([d.pk for d in created], "", Status.SCHEDULED, Reason.SCHEDULED)
        PlannedPost.objects.filter(pk=post.pk).update(
            status=PlannedPost.Status.SCHEDULED, scheduled_at=when, updated_at=timezone.now()
        )
    post.status, post.scheduled_at = PlannedPost.Status.SCHEDULED, when
    return created


def _save_new(delivery: Delivery) -> bool:
    """Save unless this post already goes to this channel (scheduling twice adds nothing)."""
    if Delivery.objects.filter(
        planned_post_id=delivery.planned_post_id, channel_id=delivery.channel_id
    ).exists():
        return False
    delivery.save()
    return True


# Where the user may act: never on a delivery being sent or whose outcome is unknown.
USER_MOVABLE = (Status.SCHEDULED, Status.MISSED, Status.FAILED, Status.NEEDS_RECONNECT)


def _check_user(delivery: Delivery, user: User) -> None:
    if delivery.planned_post.owner_id != user.pk:
        raise PublishingError(_("Only the author of this post can change it."))
    if delivery.status not in USER_MOVABLE:
        raise PublishingError(
            _("This post cannot be changed now (%(status)s): wait until it settles.")
            % {"status": delivery.get_status_display()}
        )


def delivery_publish_now(delivery: Delivery, user: User, now: datetime | None = None) -> Delivery:
    """A missed, failed or waiting delivery goes out at once (attempts count from zero)."""
    _check_user(delivery, user)
    now = now or timezone.now()
    if delivery.status == Status.SCHEDULED:
        Delivery.objects.filter(pk=delivery.pk, status=Status.SCHEDULED).update(
            due_at=now, next_attempt_at=now, updated_at=now
        )
        delivery.due_at = delivery.next_attempt_at = now
        return delivery
    moved = delivery_move(
        delivery,
        delivery.status,
        Status.SCHEDULED,
        Reason.PUBLISH_NOW,
        now=now,
        due_at=now,
        next_attempt_at=now,
        attempts=0,
        last_error="",
    )
    if not moved:
        raise PublishingError(_("This post changed meanwhile: reload the page and try again."))
    return delivery


def delivery_reschedule(
    delivery: Delivery, user: User, when: datetime, now: datetime | None = None
) -> Delivery:
    _check_user(delivery, user)
    if timezone.is_naive(when):
        raise PublishingError(_("The publication time needs a time zone."))
    now = now or timezone.now()
    if delivery.status == Status.SCHEDULED:
        changed = Delivery.objects.filter(pk=delivery.pk, status=Status.SCHEDULED).update(
            due_at=when, next_attempt_at=when, updated_at=now
        )
        moved = bool(changed)
        if moved:
            delivery.due_at = delivery.next_attempt_at = when
    else:
        moved = delivery_move(
            delivery,
            delivery.status,
            Status.SCHEDULED,
            Reason.RESCHEDULED,
            now=now,
            due_at=when,
            next_attempt_at=when,
            attempts=0,
            last_error="",
        )
    if not moved:
        raise PublishingError(_("This post changed meanwhile: reload the page and try again."))
    return delivery
