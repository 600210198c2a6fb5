"""Everything that changes notifications: record, settle, mark read, e-mail, preferences.

`notifications_record` and `notifications_settle*` run from the `deliveries_moved` receiver,
inside the publish worker's threads: a fixed few queries per batch of deliveries, never one per
delivery, and writes go through the engine's `writing()` so SQLite's write lock is queued for.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from maillage.accounts.models import User
from maillage.notifications.models import Notification, NotificationPreference
from maillage.notifications.selectors import notification_emails_wanted, notifications_to_email
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.services.transitions import writing

log = logging.getLogger(__name__)

Kind = Notification.Kind


def _grace() -> timedelta:
    return timedelta(minutes=settings.NOTIFY_UNCONFIRMED_AFTER_MINUTES)


def _email_after() -> timedelta:
    return timedelta(seconds=settings.NOTIFY_EMAIL_AFTER_SECONDS)


# --- from the engine's moves ----------------------------------------------------------------


def notifications_record(
    pks: Sequence[int], kind: str, detail: str = "", now: datetime | None = None
) -> int:
    """Tell the authors of these deliveries (and a channel's owner, for a reconnection) that
    they need them; returns how many notifications were created.

    At most one unread notification per delivery and kind, and one per reader and channel
    waiting for a reconnection (its count is read live). An unconfirmed one shows only after
    the grace period, if the delivery has not been settled by then.
    """
    now = now or timezone.now()
    notify_at = now + _grace() if kind == Kind.UNCONFIRMED else now
    rows = list(
        Delivery.objects.filter(pk__in=pks).values_list(
            "pk", "channel_id", "channel__owner_id", "planned_post__owner_id", "last_error"
        )
    )
    if not rows:
        return 0
    new: list[Notification] = []
    if kind == Kind.NEEDS_RECONNECT:
        wanted = {(author, channel) for _pk, channel, _owner, author, _error in rows}
        wanted |= {(owner, channel) for _pk, channel, owner, _author, _error in rows}
        existing = set(
            Notification.objects.filter(
                kind=kind, read_at__isnull=True, channel_id__in={c for _r, c in wanted}
            ).values_list("recipient_id", "channel_id")
        )
        new = [
            Notification(
                recipient_id=recipient,
                kind=kind,
                channel_id=channel,
                detail=detail,
                created_at=now,
                notify_at=notify_at,
            )
            for recipient, channel in sorted(wanted - existing)
        ]
    else:
        existing_ids = set(
            Notification.objects.filter(
                kind=kind, read_at__isnull=True, delivery_id__in=[row[0] for row in rows]
            ).values_list("delivery_id", flat=True)
        )
        new = [
            Notification(
                recipient_id=author,
                kind=kind,
                delivery_id=pk,
                channel_id=channel,
                detail=detail or error,
                created_at=now,
                notify_at=notify_at,
            )
            for pk, channel, _owner, author, error in rows
            if pk not in existing_ids
        ]
    if not new:
        return 0
    recipients = {n.recipient_id for n in new}
    # A reader whose queued e-mail goes out after these show, and no later than theirs would,
    # needs no other: its task runs `_email_after()` past its own notification's notify_at.
    queued = set(
        Notification.objects.filter(
            recipient_id__in=recipients,
            read_at__isnull=True,
            emailed_at__isnull=True,
            notify_at__gt=notify_at - _email_after(),
            notify_at__lte=notify_at,
        ).values_list("recipient_id", flat=True)
    )
    with writing(atomic=False):
        # A concurrent twin is ignored by the unique constraints: still one unread.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    notifications_email_later(sorted(recipients - queued), notify_at + _email_after())
    return len(new)


@lru_cache(maxsize=64)
def _unread_exists_sql(count: int) -> str:
    quote = connection.ops.quote_name
    meta = Notification._meta
    read_at = quote(meta.get_field("read_at").column)
    delivery = quote(meta.get_field("delivery").column)
    marks = ", ".join(["%s"] * count)
    # Identifiers come from the model only; every value is a parameter.
    return (
        f"SELECT 1 FROM {quote(meta.db_table)} WHERE {read_at} IS NULL"  # noqa: S608
        f" AND {delivery} IN ({marks}) LIMIT 1"
    )


def _unread_exists(pks: Sequence[int]) -> bool:
    """Whether any of these deliveries has an unread notification.

    Asked for every published delivery the worker drains, and almost always "no": one
    statement written once per batch size, without the ORM's cost of building a query
    (about twenty times more CPU than SQLite takes to answer it).
    """
    if not pks:
        return False
    with connection.cursor() as cursor:
        cursor.execute(_unread_exists_sql(len(pks)), list(pks))
        return cursor.fetchone() is not None


def notifications_settle(
    pks: Sequence[int], kinds: Collection[str] | None = None, now: datetime | None = None
) -> int:
    """These deliveries no longer need their author (published, or the doubt lifted): their
    notifications leave the unread; those still in their grace period are dropped unseen."""
    if not _unread_exists(pks):
        return 0
    now = now or timezone.now()
    unread = Notification.objects.filter(delivery_id__in=pks, read_at__isnull=True)
    if kinds is not None:
        unread = unread.filter(kind__in=list(kinds))
    found = list(unread.values_list("pk", "notify_at"))
    if not found:
        return 0
    unseen = [pk for pk, notify_at in found if notify_at > now]
    seen = [pk for pk, notify_at in found if notify_at <= now]
    with writing():
        Notification.objects.filter(pk__in=unseen).delete()
        Notification.objects.filter(pk__in=seen, read_at__isnull=True).update(read_at=now)
    return len(found)


def notifications_settle_reconnected(pks: Sequence[int], now: datetime | None = None) -> int:
    """The channels of these deliveries were reconnected: nothing waits for them any more."""
    now = now or timezone.now()
    channels = set(Delivery.objects.filter(pk__in=pks).values_list("channel_id", flat=True))
    with writing(atomic=False):
        return Notification.objects.filter(
            kind=Kind.NEEDS_RECONNECT,
            read_at__isnull=True,
            channel_id__in=channels,
            channel__status=Channel.Status.ACTIVE,
        ).update(read_at=now)


# --- the reader's actions -------------------------------------------------------------------


def notifications_mark_read(
    user: User, pks: Collection[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the reader's notifications read (all of them when `pks` is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=list(pks))
    with writing(atomic=False):
        return unread.update(read_at=now or timezone.now())


def notification_preference_set(user: User, *, email: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return preference


# --- e-mail ---------------------------------------------------------------------------------


def notifications_email_later(user_ids: Sequence[int], at: datetime) -> None:
    """Queue the e-mail of these readers for `at` (a burst of failures makes one e-mail)."""
    if not user_ids:
        return
    # Imported here: the task module imports this one.
    from maillage.notifications.tasks import notifications_email_task

    task = notifications_email_task
    if task.get_backend().supports_defer:
        task = task.using(run_after=at)
    try:
        task.enqueue(list(user_ids))
    except Exception:
        # The notifications stay on the page; the next one for these readers e-mails them all.
        log.exception("Notification e-mail not queued for users %s", list(user_ids))


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notifications_email_send(user: User, now: datetime | None = None) -> int:
    """E-mail the reader, in their language, every notification not e-mailed yet, in one
    message; returns how many it listed (0: nothing sent)."""
    now = now or timezone.now()
    if not user.email or not notification_emails_wanted(user):
        return 0
    pending = notifications_to_email(user, now)
    if not pending:
        return 0
    # Claimed first, like a delivery: a second task running at once lists none of these.
    with writing(atomic=False):
        Notification.objects.filter(pk__in=[n.pk for n in pending], emailed_at__isnull=True).update(
            emailed_at=now
        )
    mine = set(
        Notification.objects.filter(pk__in=[n.pk for n in pending], emailed_at=now).values_list(
            "pk", flat=True
        )
    )
    items = [n for n in pending if n.pk in mine]
    if not items:
        return 0
    try:
        with translation.override(user.language):
            context = {
                "user": user,
                "items": [(n, _absolute(n.get_absolute_url())) for n in items],
                "inbox_url": _absolute(reverse("notifications:list")),
            }
            subject = ngettext(
                "A post needs you on Maillage",
                "%(count)d posts need you on Maillage",
                len(items),
            ) % {"count": len(items)}
            message = EmailMultiAlternatives(
                subject,
                render_to_string("notifications/email.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("notifications/email.html", context), "text/html"
            )
        message.send()
    except Exception:
        # Not sent: give them back to the next e-mail.
        with writing(atomic=False):
            Notification.objects.filter(pk__in=mine, emailed_at=now).update(emailed_at=None)
        raise
    return len(items)
