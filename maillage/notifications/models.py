"""Notifications: a delivery that needs its author (failed, missed, unconfirmed, waiting for a
reconnection), shown in the app and e-mailed in batches.

A notification stores facts (what, which delivery or channel, the network's own words), never
a sentence: the text is written when it is read, in the reader's language (docs/notifications.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from maillage.publishing.models import Channel, Delivery


class Notification(models.Model):
    class Kind(models.TextChoices):
        FAILED = "failed", _("Failed")
        MISSED = "missed", _("Missed")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        NEEDS_RECONNECT = "needs_reconnect", _("Waiting for reconnection")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # One delivery (failed, missed, unconfirmed); empty for needs_reconnect, grouped per channel.
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="notifications")
    # The network's own words (its reason for refusing), shown as it said them.
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Shown and e-mailed from then on: an unconfirmed send first waits out a grace period,
    # because reading the account back usually settles it within minutes.
    notify_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # No flood: one unread notification per delivery and kind...
            models.UniqueConstraint(
                fields=["delivery", "kind"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_delivery",
            ),
            # ...and one per reader and channel waiting for a reconnection.
            models.UniqueConstraint(
                fields=["recipient", "channel"],
                condition=Q(read_at__isnull=True, kind="needs_reconnect"),
                name="notification_unread_reconnect",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "notify_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id} ({self.pk})"

    def get_absolute_url(self) -> str:
        """Where the reader acts: the post's page (publish now, reschedule), or the channels
        page to reconnect the account."""
        if self.delivery is not None:
            return reverse("publishing:post", args=[self.delivery.planned_post_id])
        return reverse("publishing:channels")

    def message(self) -> str:
        """The sentence, written now in the active language (the reader's)."""
        account = f"{self.channel.get_network_display()} {self.channel.handle}"
        if self.kind == self.Kind.FAILED:
            return _g("Your post to %(account)s could not be published.") % {"account": account}
        if self.kind == self.Kind.MISSED:
            return _g(
                "Your post to %(account)s was not published on time: publish it now or "
                "choose another time."
            ) % {"account": account}
        if self.kind == self.Kind.UNCONFIRMED:
            return _g(
                "Maillage cannot confirm that your post to %(account)s was published: "
                "check the account."
            ) % {"account": account}
        # Counted live by the selectors (`waiting`): posts leave the count as they go out.
        count = int(getattr(self, "waiting", 1))
        return ngettext(
            "%(count)d post waits for %(account)s to be reconnected.",
            "%(count)d posts wait for %(account)s to be reconnected.",
            count,
        ) % {"count": count, "account": account}


class NotificationPreference(models.Model):
    """One row per user who changed a choice; without a row, e-mails are on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("E-mail me when a post needs me"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of user {self.user_id}"
