"""Planned posts and the user's choices on a delivery (publish now, reschedule)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.publishing.models import Channel, Delivery, PlannedPost, PostMedia, PostVariant
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


@dataclass(frozen=True)
class MediaInput:
    """A new image: its bytes (already checked), its real type, its alt text, its network."""

    file: File[bytes]
    name: str
    content_type: str
    description: str = ""
    network: str = ""


@dataclass(frozen=True)
class MediaKeep:
    """An image the post keeps, with its alt text and network as the user left them."""

    media: PostMedia
    description: str
    network: str


def planned_post_media_set(
    post: PlannedPost, kept: Iterable[MediaKeep], added: Iterable[MediaInput]
) -> list[PostMedia]:
    """The post's images become `kept` then `added`, in that order; the others are deleted."""
    kept, added = list(kept), list(added)
    keep_ids = {item.media.pk for item in kept if item.media.planned_post_id == post.pk}
    gone = list(PostMedia.objects.filter(planned_post=post).exclude(pk__in=keep_ids))
    result: list[PostMedia] = []
    with transaction.atomic():
        PostMedia.objects.filter(pk__in=[item.pk for item in gone]).delete()
        for position, keep in enumerate(item for item in kept if item.media.pk in keep_ids):
            PostMedia.objects.filter(pk=keep.media.pk).update(
                description=keep.description, network=keep.network, position=position
            )
            keep.media.description, keep.media.network = keep.description, keep.network
            keep.media.position = position
            result.append(keep.media)
        for offset, new in enumerate(added):
            media = PostMedia(
                planned_post=post,
                network=new.network,
                content_type=new.content_type,
                description=new.description,
                position=len(result) + offset,
            )
            media.file.save(new.name, new.file, save=False)
            media.save()
            result.append(media)
        # Files leave the storage only once the rows are surely gone.
        transaction.on_commit(lambda: _files_delete(gone))
    return result


def _files_delete(items: Iterable[PostMedia]) -> None:
    """Remove the stored files no image row still names (a series' copies share them)."""
    for item in items:
        if item.file and not PostMedia.objects.filter(file=item.file.name).exists():
            item.file.delete(save=False)


def planned_post_update(
    post: PlannedPost, user: User, variants: Iterable[VariantInput]
) -> PlannedPost:
    """New texts for a draft, or for a scheduled post none of whose deliveries has started.

    The unstarted deliveries are taken back (the post is a draft again) so the caller plans
    it anew; a delivery already claimed, sent or published is never changed: then nothing is.
    """
    if post.owner_id != user.pk:
        raise PublishingError(_("Only the author of this post can change it."))
    items = list(variants)
    with transaction.atomic():
        # Touching the scheduled rows first makes a worker's claim wait for this transaction
        # (or, if it claimed first, makes the counts differ and the edit stop).
        held = Delivery.objects.filter(planned_post=post, status=Status.SCHEDULED).update(
            updated_at=timezone.now()
        )
        if held != Delivery.objects.filter(planned_post=post).count():
            raise PublishingError(
                _(
                    "Part of this post is already being sent or published: it cannot be "
                    "edited any more, and what went out is never changed. Move or cancel "
                    "the remaining deliveries from the post's page."
                )
            )
        Delivery.objects.filter(planned_post=post).delete()
        wanted = {(item.network, item.language): item for item in items}
        for variant in PostVariant.objects.filter(planned_post=post):
            item = wanted.pop((variant.network, variant.language), None)
            if item is None:
                variant.delete()
            else:
                variant.text, variant.link = item.text, item.link
                variant.save(update_fields=["text", "link"])
        PostVariant.objects.bulk_create(
            PostVariant(
                planned_post=post,
                network=item.network,
                language=item.language,
                text=item.text,
                link=item.link,
            )
            for item in wanted.values()
        )
        PlannedPost.objects.filter(pk=post.pk).update(
            status=PlannedPost.Status.DRAFT, scheduled_at=None, updated_at=timezone.now()
        )
    post.status, post.scheduled_at = PlannedPost.Status.DRAFT, None
    return post


def planned_post_delete(post: PlannedPost, user: User) -> None:
    """Delete a draft and its images (a scheduled post is edited or moved, not deleted here)."""
    if post.owner_id != user.pk:
        raise PublishingError(_("Only the author of this post can change it."))
    media = list(post.media.all())
    with transaction.atomic():
        deleted, _counts = PlannedPost.objects.filter(
            pk=post.pk, status=PlannedPost.Status.DRAFT, deliveries__isnull=True
        ).delete()
        if not deleted:
            raise PublishingError(_("Only a draft can be deleted; this post is scheduled."))
        transaction.on_commit(lambda: _files_delete(media))


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
