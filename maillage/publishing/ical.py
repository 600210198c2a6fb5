"""A user's private iCal feed: their deliveries as events, behind a secret address."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from icalendar import Calendar, Event

from maillage.accounts.models import User
from maillage.publishing.models import IcalFeed
from maillage.publishing.selectors import deliveries_of

KEY_SALT = "maillage.publishing.ical"
# The feed shows this far back, so a calendar app keeps the recent history.
PAST_DAYS = 90
EVENT_MINUTES = 15


def ical_token(user: User) -> str:
    """A secret derived from the user's password hash and, once they asked for a new address,
    the secret drawn then: a new password or a new draw gives a new address and stops the old.

    The user id leads so the feed finds its owner.
    """
    message = f"{user.pk}:{user.password}"
    secret = IcalFeed.objects.filter(user=user).values_list("secret", flat=True).first()
    if secret:
        # Without one, the address stays the one given before new addresses existed.
        message += f":{secret}"
    digest = salted_hmac(KEY_SALT, message, algorithm="sha256")
    return f"{user.pk}-{digest.hexdigest()[:40]}"


def ical_renew(user: User) -> str:
    """Stop the current address and return the new one's token."""
    IcalFeed.objects.update_or_create(
        user=user, defaults={"secret": secrets.token_hex(32), "renewed_at": timezone.now()}
    )
    return ical_token(user)


def ical_user(token: str) -> User | None:
    """The owner of this feed address, or None when the address is wrong or outdated."""
    head, _sep, _rest = token.partition("-")
    if not head.isdigit():
        return None
    user = User.objects.filter(pk=int(head), is_active=True).first()
    if user is None or not hmac.compare_digest(ical_token(user), token):
        return None
    return user


def ical_feed(user: User, site_url: str) -> bytes:
    """Every delivery of the user from PAST_DAYS ago on, one event each."""
    calendar = Calendar()
    calendar.add("prodid", "-//Maillage//Publishing calendar//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Maillage")
    since = timezone.now() - timedelta(days=PAST_DAYS)
    host = site_url.split("://", 1)[-1].rstrip("/")
    for delivery in deliveries_of(user).filter(due_at__gte=since):
        event = Event()
        event.add("uid", f"delivery-{delivery.pk}@{host}")
        event.add("dtstamp", delivery.updated_at)
        event.add("dtstart", delivery.due_at)
        event.add("dtend", delivery.due_at + timedelta(minutes=EVENT_MINUTES))
        event.add(
            "summary",
            f"{delivery.channel.get_network_display()} {delivery.channel.handle}: "
            f"{delivery.variant.text[:80]}",
        )
        event.add(
            "description",
            f"{delivery.get_status_display()}\n\n{delivery.variant.outgoing_text}",
        )
        event.add(
            "url",
            site_url.rstrip("/") + reverse("publishing:post", args=[delivery.planned_post_id]),
        )
        event.add("categories", [delivery.channel.network])
        calendar.add_component(event)
    return calendar.to_ical()
