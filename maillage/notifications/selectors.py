"""Reads for notifications: a reader's inbox, the bell's count, what an e-mail lists."""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from maillage.accounts.models import User
from maillage.notifications.models import Notification, NotificationPreference
from maillage.publishing.models import Delivery

NOTIFICATIONS_PER_PAGE = 20


def _waiting() -> Coalesce:
    """How many deliveries wait for the notification's channel to be reconnected, right now."""
    waiting = (
        Delivery.objects.filter(channel=OuterRef("channel"), status=Delivery.Status.NEEDS_RECONNECT)
        .order_by()
        .values("channel")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0))


def notifications_visible(user: User, now: datetime | None = None) -> QuerySet[Notification]:
    """The reader's notifications past their grace period, newest first, ready to render."""
    return (
        Notification.objects.filter(recipient=user, notify_at__lte=now or timezone.now())
        .select_related("channel", "delivery")
        .annotate(waiting=_waiting())
        .order_by("-notify_at", "-pk")
    )


def notifications_page(
    user: User, page: str | int | None, now: datetime | None = None
) -> Page[Notification]:
    """One page of the reader's notifications (a bad page number gives the nearest page)."""
    return Paginator(notifications_visible(user, now), NOTIFICATIONS_PER_PAGE).get_page(page)


def notifications_unread_count(user: User, now: datetime | None = None) -> int:
    """The bell's number: one COUNT on the reader's inbox index."""
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, notify_at__lte=now or timezone.now()
    ).count()


def notifications_to_email(user: User, now: datetime | None = None) -> list[Notification]:
    """Unread notifications not e-mailed yet, oldest first (the order they happened in)."""
    return list(
        notifications_visible(user, now)
        .filter(read_at__isnull=True, emailed_at__isnull=True)
        .order_by("notify_at", "pk")
    )


def notification_emails_wanted(user: User) -> bool:
    """E-mails are on unless the user turned them off (no preference row: on)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or preference.email
