"""The publishing engine: claim, publish, reconcile, recover, mark missed.

The database is the source of truth. A worker claims a delivery with a conditional UPDATE,
notes `sent_at` just before the request leaves, calls the network outside any transaction,
then records the outcome with another conditional UPDATE. docs/publishing.md tells the story.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.connectors.http import http_calls_through
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Limits,
    Media,
    OutgoingPost,
    Published,
    connector_get,
    connector_networks,
    content_fingerprint,
)
from maillage.publishing.crypto import TokenKeyError
from maillage.publishing.models import Channel, Delivery, PostMedia
from maillage.publishing.services.fast import (
    Publication,
    channels_ready,
    claim_plans,
    claimed_channels,
    deliveries_as_sent,
    deliveries_due,
    deliveries_publish_many,
    deliveries_take,
    post_media_of,
    rows_update,
)
from maillage.publishing.services.transitions import (
    Reason,
    Status,
    deliveries_move,
    delivery_move,
    events_log,
    writing,
)
from maillage.publishing.services.workers import claims_stale, workers_forget

log = logging.getLogger(__name__)

# Clocks differ between us and a network: a post read back may look this much older.
CLOCK_SKEW = timedelta(minutes=5)


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.PUBLISHING_CUTOFF_MINUTES)


def _lease() -> timedelta:
    return timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)


def _reconcile_after() -> timedelta:
    return timedelta(seconds=settings.PUBLISHING_RECONCILE_AFTER_SECONDS)


def connector_limits(network: str) -> Limits:
    return connector_get(network).limits()


def retry_delay(
    attempts: int, retry_after: float | None = None, rng: random.Random | None = None
) -> float:
    """Exponential backoff with jitter (half to all of base x 2^(n-1), capped); a network's
    Retry-After is a floor, never shortened."""
    base = float(settings.PUBLISHING_RETRY_BASE_SECONDS)
    cap = float(settings.PUBLISHING_RETRY_MAX_SECONDS)
    backoff = min(cap, base * 2 ** max(0, attempts - 1))
    jittered = backoff * (0.5 + 0.5 * (rng or random).random())
    return max(jittered, retry_after or 0.0)


# --- claiming -------------------------------------------------------------------------------


def deliveries_claim(worker_id: str, now: datetime, limit: int = 1) -> list[Delivery]:
    """Claim up to `limit` due deliveries, within each network's and account's limits."""
    if limit < 1:
        return []
    networks = connector_networks()
    limits = {network: connector_limits(network) for network in networks}
    with writing():
        claim_plans()
        # The claimed deliveries (in flight, across every worker) counted per account and per
        # network, then the accounts that may take one more now.
        by_channel: Counter[int] = Counter()
        by_network: Counter[str] = Counter()
        for channel_id, network in claimed_channels():
            by_channel[channel_id] += 1
            by_network[network] += 1
        open_channels = {
            pk: network
            for pk, network in channels_ready(now)
            if network in limits
            and by_network[network] < limits[network].per_network
            and by_channel[pk] < limits[network].per_account
        }
        # The accounts looked up first: the deliveries' query then reads one index in order
        # and stops at the window, where a join with the channels let PostgreSQL, misled by a
        # burst of new rows, sort every due delivery first. Never attempted and past the
        # cutoff: that one is missed, not sent late.
        window = [
            (pk, channel_id, open_channels[channel_id])
            for pk, channel_id in deliveries_due(
                now, _cutoff(now), list(open_channels), limit * 4 + 20
            )
        ]
        chosen: list[int] = []
        paced: list[tuple[int, float]] = []
        for pk, channel_id, network in window:
            rule = limits[network]
            if (
                by_channel[channel_id] >= rule.per_account
                or by_network[network] >= rule.per_network
            ):
                continue
            if rule.min_interval > 0:
                if any(paced_id == channel_id for paced_id, _ in paced):
                    continue
                paced.append((channel_id, rule.min_interval))
            chosen.append(pk)
            by_channel[channel_id] += 1
            by_network[network] += 1
            if len(chosen) >= limit:
                break
        if not chosen:
            return []
        for channel_id, interval in paced:
            Channel.objects.filter(pk=channel_id).update(
                throttle_until=now + timedelta(seconds=interval)
            )
        token = uuid.uuid4().hex
        updated = deliveries_take(
            chosen,
            {
                "status": Status.CLAIMED,
                "claimed_by": worker_id,
                "claimed_at": now,
                "claim_token": token,
                "sent_at": None,
                "updated_at": now,
            },
        )
        mine = (
            chosen
            if updated == len(chosen)
            else list(
                Delivery.objects.filter(pk__in=chosen, claim_token=token).values_list(
                    "pk", flat=True
                )
            )
        )
        events_log(
            mine, Status.SCHEDULED, Status.CLAIMED, Reason.CLAIMED, worker=worker_id, now=now
        )
    # Read once committed: the claim token makes them this worker's, and the other claimers
    # need not wait while the rows become objects. The status is checked here rather than in
    # SQL, where it let the planner prefer the status index over the keys.
    claimed = [
        delivery
        for delivery in deliveries_as_sent(mine, token)
        if delivery.status == Status.CLAIMED
    ]
    # The images of the batch's posts that have some, in one query, handed to each delivery
    # as a plain list; a prefetch built a queryset per delivery to hold them.
    with_media = [delivery for delivery in claimed if delivery.claimed_media is None]
    if with_media:
        media = post_media_of({delivery.planned_post_id for delivery in with_media})
        for delivery in with_media:
            delivery.claimed_media = media.get(delivery.planned_post_id, [])
    return claimed


def delivery_claim(worker_id: str, now: datetime | None = None) -> Delivery | None:
    """Claim the one delivery most overdue, or None."""
    claimed = deliveries_claim(worker_id, now or timezone.now(), 1)
    return claimed[0] if claimed else None


def delivery_claim_by_id(pk: int, worker_id: str, now: datetime | None = None) -> Delivery | None:
    """Claim this delivery if it is due and still scheduled (the Django task's way in)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with writing():
        changed = (
            Delivery.objects.filter(
                pk=pk,
                status=Status.SCHEDULED,
                next_attempt_at__lte=now,
                channel__status=Channel.Status.ACTIVE,
            )
            .filter(Q(attempts__gt=0) | Q(due_at__gte=_cutoff(now)))
            .update(
                status=Status.CLAIMED,
                claimed_by=worker_id,
                claimed_at=now,
                claim_token=token,
                sent_at=None,
                updated_at=now,
            )
        )
        if not changed:
            return None
        events_log(
            [pk], Status.SCHEDULED, Status.CLAIMED, Reason.CLAIMED, worker=worker_id, now=now
        )
    found = deliveries_as_sent([pk], token)
    return found[0] if found else None


# --- publishing -----------------------------------------------------------------------------


def channel_account(channel: Channel) -> Account:
    return Account(
        network=channel.network,
        external_id=channel.external_id,
        handle=channel.handle,
        base_url=channel.base_url,
        access_token=channel.access_token,
        refresh_token=channel.refresh_token,
    )


def _media(delivery: Delivery) -> tuple[Media, ...]:
    """The post's images for this delivery's network (those meant for every network too)."""
    items = []
    wanted = ("", delivery.channel.network)
    # Filtered here rather than in SQL: the claim read the whole post's media.
    every: Iterable[PostMedia] | None = delivery.claimed_media
    if every is None:
        every = delivery.planned_post.media.all()
    for item in (m for m in every if m.network in wanted):
        with item.file.open("rb") as handle:
            data = handle.read()
        items.append(
            Media(
                filename=item.file.name.rsplit("/", 1)[-1],
                content_type=item.content_type,
                data=data,
                description=item.description,
            )
        )
    return tuple(items)


def _in_transaction() -> bool:
    """True inside an atomic block, leaving aside the one a test case wraps each test in."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


@dataclass(frozen=True)
class Sent:
    """A send the network accepted, waiting to be recorded (see `deliveries_record_sent`)."""

    delivery: Delivery
    published: Published
    at: datetime


def _author_language(delivery: Delivery) -> str:
    """The post's author's language: the claims bring it along (`author_language`)."""
    if delivery.author_language:
        return delivery.author_language
    language = (
        User.objects.filter(pk=delivery.planned_post.owner_id)
        .values_list("language", flat=True)
        .first()
    )
    return language or settings.LANGUAGE_CODE


def delivery_publish(
    delivery: Delivery,
    now: datetime | None = None,
    *,
    hand_over: Callable[[Sent], None] | None = None,
    calling: AbstractContextManager[Any] | None = None,
) -> Delivery:
    """Send a claimed delivery and record what happened; returns it with its new status.

    `hand_over`: a success is passed to it instead of being recorded here (the worker records
    many at once). Until recorded, the delivery stays claimed with `sent_at` set, so if the
    process dies in between, the lease recovery reads the account back: never sent twice.

    `calling`: entered around each HTTP exchange alone (the worker's limit on calls in
    flight), so the database work around the call, and building the request and reading its
    answer, hold no place.

    What Maillage says of a failure (a text too long for X, a retired LinkedIn version) is
    written in the post's author's language, whatever language the worker runs in.
    """
    with translation.override(_author_language(delivery)):
        return _delivery_publish(delivery, now, hand_over, calling)


def _delivery_publish(
    delivery: Delivery,
    now: datetime | None,
    hand_over: Callable[[Sent], None] | None,
    calling: AbstractContextManager[Any] | None,
) -> Delivery:
    if delivery.status != Status.CLAIMED:
        raise ValueError(f"Delivery {delivery.pk} is {delivery.status}, not claimed")
    if _in_transaction():
        # A transaction held across a network call would block the claimers for its length.
        raise RuntimeError("delivery_publish must not run inside a transaction")
    now = now or timezone.now()
    channel = delivery.channel
    worker = delivery.claimed_by
    only_mine = {"claim_token": delivery.claim_token}
    if channel.token_expires_at and channel.token_expires_at <= now:
        error = ConnectorError(
            _("The access to this account has expired: reconnect it."), needs_reconnect=True
        )
        return _record_failure(delivery, error, now)
    try:
        account = channel_account(channel)
    except TokenKeyError as exc:
        return _record_failure(delivery, ConnectorError(str(exc), needs_reconnect=True), now)
    text = delivery.variant.outgoing_text
    fingerprint = content_fingerprint(text)
    post = OutgoingPost(
        text=text,
        language=delivery.variant.language,
        idempotency_key=f"maillage-{delivery.pk}-{fingerprint[:16]}",
        media=_media(delivery),
    )
    with writing(atomic=False):
        started = rows_update(
            Delivery,
            {"id": delivery.pk, "status": Status.CLAIMED, **only_mine},
            {
                "sent_at": now,
                "attempts": delivery.attempts + 1,
                "fingerprint": fingerprint,
                "updated_at": now,
            },
        )
    if not started:
        log.warning("Delivery %s: claim lost before sending", delivery.pk)
        delivery.refresh_from_db()
        return delivery
    delivery.sent_at, delivery.fingerprint = now, fingerprint
    delivery.attempts += 1
    try:
        with http_calls_through(calling):
            published = connector_get(channel.network).publish(account, post)
    except ConnectorError as error:
        return _record_failure(delivery, error, timezone.now())
    except Exception as exc:
        # A bug in a connector after the request may have left: treat it as ambiguous.
        log.exception("Delivery %s: connector crashed", delivery.pk)
        crash = ConnectorError(f"{exc.__class__.__name__}: {exc}", ambiguous=True)
        return _record_failure(delivery, crash, timezone.now())
    if hand_over is not None:
        hand_over(Sent(delivery, published, timezone.now()))
        return delivery
    _record_published(delivery, published, timezone.now(), worker)
    return delivery


def deliveries_record_sent(sent: Sequence[Sent], now: datetime | None = None) -> list[Delivery]:
    """Record many accepted sends in one transaction; returns the deliveries, updated.

    Each is moved from claimed to published only if its claim is still this one (the same
    conditional move as `delivery_move`, written by hand: this runs for every post). One whose
    claim was taken back meanwhile (it is unconfirmed by now) goes through the ordinary path.
    """
    now = now or timezone.now()
    with writing():
        done = deliveries_publish_many(
            [
                Publication(
                    delivery_id=item.delivery.pk,
                    claim_token=item.delivery.claim_token,
                    external_id=item.published.external_id,
                    external_url=item.published.url,
                    published_at=item.published.created_at or item.at,
                )
                for item in sent
            ],
            now,
        )
        moved = [item for item in sent if item.delivery.pk in done]
        others = [item for item in sent if item.delivery.pk not in done]
        by_worker: dict[str, list[int]] = {}
        for item in moved:
            by_worker.setdefault(item.delivery.claimed_by, []).append(item.delivery.pk)
        for worker, pks in by_worker.items():
            events_log(
                pks, Status.CLAIMED, Status.PUBLISHED, Reason.PUBLISHED, worker=worker, now=now
            )
    for item in moved:
        delivery = item.delivery
        delivery.status, delivery.updated_at = Status.PUBLISHED, now
        delivery.external_id, delivery.external_url = item.published.external_id, item.published.url
        delivery.published_at, delivery.last_error = item.published.created_at or item.at, ""
    for item in others:
        _record_published(item.delivery, item.published, item.at, item.delivery.claimed_by)
    return [item.delivery for item in sent]


def _record_published(
    delivery: Delivery,
    published: Published,
    now: datetime,
    worker: str,
    reason: str = Reason.PUBLISHED,
) -> bool:
    for from_status in (Status.CLAIMED, Status.UNCONFIRMED):
        if delivery_move(
            delivery,
            from_status,
            Status.PUBLISHED,
            reason,
            worker=worker,
            now=now,
            external_id=published.external_id,
            external_url=published.url,
            published_at=published.created_at or now,
            last_error="",
        ):
            return True
    return False


def _record_failure(delivery: Delivery, error: ConnectorError, now: datetime) -> Delivery:
    """Where a failure leads: reconnect, check the account, fail, or try again later."""
    detail = error.message
    later: dict[str, Any] = {}
    if error.needs_reconnect:
        to_status, reason = Status.NEEDS_RECONNECT, Reason.TOKEN_REJECTED
    elif error.ambiguous:
        to_status, reason = Status.UNCONFIRMED, Reason.AMBIGUOUS
        later["next_attempt_at"] = (delivery.sent_at or now) + _reconcile_after()
    elif error.permanent:
        to_status, reason = Status.FAILED, Reason.REFUSED
    elif delivery.attempts >= settings.PUBLISHING_MAX_ATTEMPTS:
        to_status, reason = Status.FAILED, Reason.GAVE_UP
    else:
        to_status = Status.SCHEDULED
        reason = Reason.RATE_LIMITED if error.retry_after is not None else Reason.RETRY
        delay = retry_delay(delivery.attempts, error.retry_after)
        later["next_attempt_at"] = now + timedelta(seconds=delay)
    moved = delivery_move(
        delivery,
        Status.CLAIMED,
        to_status,
        reason,
        detail=detail,
        worker=delivery.claimed_by,
        only_if={"claim_token": delivery.claim_token},
        now=now,
        last_error=detail,
        **later,
    )
    if moved and error.needs_reconnect:
        channel_disconnect(delivery.channel, detail, now)
    if to_status == Status.SCHEDULED and error.retry_after:
        # The network asked the whole account to wait, not only this post.
        with writing():
            Channel.objects.filter(pk=delivery.channel_id).update(
                throttle_until=now + timedelta(seconds=error.retry_after)
            )
    return delivery


# --- reconciling ----------------------------------------------------------------------------


def deliveries_reconcile(
    channel: Channel, deliveries: Sequence[Delivery], now: datetime | None = None
) -> None:
    """Settle unconfirmed deliveries of one channel by reading its recent posts back.

    Found (same fingerprint, created after the send) -> published. Absent -> scheduled again,
    but only when the read-back covered the whole window and the send is old enough for the
    post to have appeared. Otherwise they stay unconfirmed and are looked at again later.
    """
    pending = [d for d in deliveries if d.status == Status.UNCONFIRMED]
    if not pending:
        return
    now = now or timezone.now()
    sent = {d.pk: d.sent_at or d.claimed_at or d.due_at for d in pending}
    since = min(sent.values()) - CLOCK_SKEW
    try:
        read = connector_get(channel.network).read_back(channel_account(channel), since)
    except (ConnectorError, TokenKeyError) as exc:
        message = exc.message if isinstance(exc, ConnectorError) else str(exc)
        if isinstance(exc, TokenKeyError) or exc.needs_reconnect:
            channel_disconnect(channel, message, now)
        with writing():
            Delivery.objects.filter(
                pk__in=[d.pk for d in pending], status=Status.UNCONFIRMED
            ).update(next_attempt_at=now + _reconcile_after(), last_error=message, updated_at=now)
        return
    taken = set(
        Delivery.objects.filter(
            channel=channel, status=Status.PUBLISHED, published_at__gte=since - timedelta(days=1)
        )
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    remote = sorted(read.posts, key=lambda post: post.created_at)
    fingerprints = {post.external_id: content_fingerprint(post.text) for post in remote}
    settled = now - _reconcile_after()
    for delivery in sorted(pending, key=lambda d: sent[d.pk]):
        match = next(
            (
                post
                for post in remote
                if post.external_id not in taken
                and fingerprints[post.external_id] == delivery.fingerprint
                and post.created_at >= sent[delivery.pk] - CLOCK_SKEW
            ),
            None,
        )
        if match is not None:
            taken.add(match.external_id)
            found = Published(match.external_id, match.url, match.created_at)
            _record_published(delivery, found, now, "", Reason.FOUND)
        elif read.complete and sent[delivery.pk] <= settled:
            delivery_move(
                delivery,
                Status.UNCONFIRMED,
                Status.SCHEDULED,
                Reason.ABSENT,
                now=now,
                next_attempt_at=now,
                last_error="",
            )
        else:
            with writing():
                Delivery.objects.filter(pk=delivery.pk, status=Status.UNCONFIRMED).update(
                    next_attempt_at=now + _look_again_after(now - sent[delivery.pk]),
                    updated_at=now,
                )


def _look_again_after(age: timedelta) -> timedelta:
    """When to read an account back again for a send not found yet: as long again as the
    send is old (at least 2 s, at most the reconcile delay). A worker that died mid-request is
    read back at once, maybe before the network has made the post: it is then found seconds
    later rather than after the whole delay. Absence is concluded only past that delay."""
    return min(_reconcile_after(), max(timedelta(seconds=2), age))


def delivery_reconcile(delivery: Delivery, now: datetime | None = None) -> Delivery:
    delivery.refresh_from_db()
    deliveries_reconcile(delivery.channel, [delivery], now)
    delivery.refresh_from_db()
    return delivery


def deliveries_reconcile_claim(
    worker_id: str, now: datetime, limit: int = 50
) -> dict[int, list[Delivery]]:
    """Take unconfirmed deliveries whose time to be read back has come, grouped by channel.

    Their next_attempt_at moves forward first (a lease), so two workers do not read back the
    same account at once.
    """
    candidates = list(
        Delivery.objects.filter(
            status=Status.UNCONFIRMED,
            next_attempt_at__lte=now,
            channel__status=Channel.Status.ACTIVE,
            channel__network__in=connector_networks(),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return {}
    token = uuid.uuid4().hex
    with writing():
        Delivery.objects.filter(
            pk__in=candidates, status=Status.UNCONFIRMED, next_attempt_at__lte=now
        ).update(next_attempt_at=now + _reconcile_after(), claim_token=token, updated_at=now)
    groups: dict[int, list[Delivery]] = {}
    for delivery in Delivery.objects.filter(pk__in=candidates, claim_token=token).select_related(
        "channel"
    ):
        groups.setdefault(delivery.channel_id, []).append(delivery)
    return groups


# --- housekeeping ---------------------------------------------------------------------------


def deliveries_recover(now: datetime | None = None) -> tuple[int, int]:
    """Take back the claims of dead workers: unsent -> scheduled, maybe sent -> unconfirmed
    (read back at once, never re-sent blindly). Returns (requeued, to check)."""
    now = now or timezone.now()
    stale = claims_stale(now, _lease())
    unsent = [pk for pk, sent_at in stale if sent_at is None]
    maybe_sent = [pk for pk, sent_at in stale if sent_at is not None]
    requeued = deliveries_move(
        unsent, Status.CLAIMED, Status.SCHEDULED, Reason.LEASE_UNSENT, now=now
    )
    checking = deliveries_move(
        maybe_sent,
        Status.CLAIMED,
        Status.UNCONFIRMED,
        Reason.LEASE_SENT,
        now=now,
        next_attempt_at=now,
    )
    workers_forget(now, _lease())
    return len(requeued), len(checking)


def deliveries_mark_missed(now: datetime | None = None) -> int:
    """Never-sent deliveries whose due time is older than the cutoff become missed: the user
    chooses to publish them now or reschedule (a post out of its moment may do harm)."""
    now = now or timezone.now()
    cutoff = _cutoff(now)
    # The late ones first (an index range, nearly always empty), then their accounts: joined
    # in one query, PostgreSQL without statistics yet on a burst of new rows read every due
    # delivery at each housekeeping.
    late_rows = list(
        Delivery.objects.filter(status=Status.SCHEDULED, attempts=0, due_at__lt=cutoff).values_list(
            "pk", "channel_id"
        )
    )
    active = set(
        Channel.objects.filter(
            pk__in={channel_id for _pk, channel_id in late_rows}, status=Channel.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    late = [pk for pk, channel_id in late_rows if channel_id in active]
    moved = deliveries_move(late, Status.SCHEDULED, Status.MISSED, Reason.MISSED, now=now)
    # Claimed by a worker that died before sending, and already too late to send.
    stale_unsent = {pk for pk, sent_at in claims_stale(now, _lease()) if sent_at is None}
    late_claims = list(
        Delivery.objects.filter(pk__in=stale_unsent, attempts=0, due_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    moved += deliveries_move(late_claims, Status.CLAIMED, Status.MISSED, Reason.MISSED, now=now)
    return len(moved)


def deliveries_hold_for_reconnect(now: datetime | None = None) -> int:
    """Due deliveries of a channel that needs reconnecting wait in needs_reconnect (not missed)."""
    now = now or timezone.now()
    # The accounts first (nearly always none), for the same reason as in mark_missed.
    disconnected = list(
        Channel.objects.filter(status=Channel.Status.NEEDS_RECONNECT).values_list("pk", flat=True)
    )
    if not disconnected:
        return 0
    waiting = list(
        Delivery.objects.filter(
            status=Status.SCHEDULED, next_attempt_at__lte=now, channel_id__in=disconnected
        ).values_list("pk", flat=True)
    )
    return len(
        deliveries_move(
            waiting, Status.SCHEDULED, Status.NEEDS_RECONNECT, Reason.CHANNEL_DISCONNECTED, now=now
        )
    )


def channel_disconnect(channel: Channel, reason: str, now: datetime | None = None) -> None:
    """The network refused the token: the channel needs reconnecting, its due posts wait."""
    now = now or timezone.now()
    with writing():
        Channel.objects.filter(pk=channel.pk).update(
            status=Channel.Status.NEEDS_RECONNECT, status_reason=reason, updated_at=now
        )
    channel.status, channel.status_reason = Channel.Status.NEEDS_RECONNECT, reason
    waiting = list(
        Delivery.objects.filter(
            channel=channel, status=Status.SCHEDULED, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    deliveries_move(
        waiting,
        Status.SCHEDULED,
        Status.NEEDS_RECONNECT,
        Reason.CHANNEL_DISCONNECTED,
        detail=reason,
        now=now,
    )


def channel_reconnected(channel: Channel, now: datetime | None = None) -> int:
    """The user connected the account again: everything that waited goes out now."""
    now = now or timezone.now()
    with writing():
        Channel.objects.filter(pk=channel.pk).update(
            status=Channel.Status.ACTIVE, status_reason="", throttle_until=None, updated_at=now
        )
    channel.status, channel.status_reason = Channel.Status.ACTIVE, ""
    waiting = Delivery.objects.filter(channel=channel, status=Status.NEEDS_RECONNECT)
    overdue = list(waiting.filter(due_at__lt=now).values_list("pk", flat=True))
    upcoming = list(waiting.filter(due_at__gte=now).values_list("pk", flat=True))
    # Past their time they are sent now (and the missed cutoff counts from now).
    moved = deliveries_move(
        overdue,
        Status.NEEDS_RECONNECT,
        Status.SCHEDULED,
        Reason.RECONNECTED,
        now=now,
        due_at=now,
        next_attempt_at=now,
        last_error="",
    )
    moved += deliveries_move(
        upcoming,
        Status.NEEDS_RECONNECT,
        Status.SCHEDULED,
        Reason.RECONNECTED,
        now=now,
        next_attempt_at=F("due_at"),
        last_error="",
    )
    with writing():
        Delivery.objects.filter(channel=channel, status=Status.UNCONFIRMED).update(
            next_attempt_at=now
        )
    return len(moved)


def deliveries_pending_count(networks: Iterable[str] | None = None) -> int:
    """Deliveries the engine still has to act on (scheduled, claimed, unconfirmed)."""
    qs = Delivery.objects.filter(status__in=[Status.SCHEDULED, Status.CLAIMED, Status.UNCONFIRMED])
    if networks is not None:
        qs = qs.filter(channel__network__in=list(networks))
    return qs.count()


def deliveries_release_orphans(
    worker_id: str, active: Iterable[int], older_than: float, now: datetime | None = None
) -> int:
    """Claims of this live worker that no thread of it works on any more (a job died on an
    unexpected error): unsent -> scheduled, maybe sent -> unconfirmed, like a dead worker's."""
    now = now or timezone.now()
    orphans = list(
        Delivery.objects.filter(
            status=Status.CLAIMED,
            claimed_by=worker_id,
            claimed_at__lt=now - timedelta(seconds=older_than),
        )
        .exclude(pk__in=list(active))
        .values_list("pk", "sent_at")
    )
    unsent = [pk for pk, sent_at in orphans if sent_at is None]
    maybe_sent = [pk for pk, sent_at in orphans if sent_at is not None]
    moved = deliveries_move(unsent, Status.CLAIMED, Status.SCHEDULED, Reason.LEASE_UNSENT, now=now)
    moved += deliveries_move(
        maybe_sent,
        Status.CLAIMED,
        Status.UNCONFIRMED,
        Reason.LEASE_SENT,
        now=now,
        next_attempt_at=now + _reconcile_after(),
    )
    return len(moved)
