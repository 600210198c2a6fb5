"""Channels (connected accounts), planned posts and their variants, and deliveries.

A delivery is one post to one account; its status is the source of truth for publishing
(docs/publishing.md has the state machine).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Circle
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.crypto import token_decrypt, token_encrypt

LANGUAGES = [("fr", _("French")), ("en", _("English"))]


class Channel(models.Model):
    """An account a user connected so Maillage may publish to it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channels"
    )
    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    kind = models.CharField(
        _("kind"), max_length=8, choices=AccountKind.choices, default=AccountKind.PROFILE
    )
    external_id = models.CharField(max_length=255)
    handle = models.CharField(_("handle"), max_length=255)
    display_name = models.CharField(_("name"), max_length=255, blank=True)
    # Mastodon: the account's instance, e.g. https://mastodon.social ("" elsewhere).
    instance_url = models.CharField(_("instance"), max_length=255, blank=True)
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Toronto")
    # The network's limit for one post (Mastodon: per instance), when it says.
    max_characters = models.PositiveIntegerField(null=True, blank=True)
    # Pages only: members of this circle may schedule to it; the owner may revoke.
    shared_with_circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.SET_NULL, related_name="shared_channels"
    )
    # No send on this account before then (a 429's Retry-After, or the minimum interval).
    throttle_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "network", "instance_url", "external_id"],
                name="channel_unique_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.handle}"

    @property
    def access_token(self) -> str:
        return token_decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = token_encrypt(value)

    @property
    def refresh_token(self) -> str:
        return token_decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = token_encrypt(value)

    @property
    def base_url(self) -> str:
        return self.instance_url or settings.CONNECTOR_BASE_URLS.get(self.network, "")


class OAuthApplication(models.Model):
    """Maillage's client registration on one server (Mastodon: once per instance)."""

    network = models.CharField(max_length=16, choices=Network.choices)
    instance_url = models.CharField(max_length=255)
    redirect_uri = models.CharField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "instance_url", "redirect_uri"], name="oauthapp_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.instance_url}"

    @property
    def client_secret(self) -> str:
        return token_decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = token_encrypt(value)


class Series(models.Model):
    """A recurring post: the same texts planned again every week or month until an end date.

    Each occurrence is its own PlannedPost (so it can be edited, moved or cancelled alone);
    the series only remembers the rule that made them.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_series"
    )
    frequency = models.CharField(_("repeat"), max_length=8, choices=Frequency.choices)
    # Every `interval` weeks or months (1: every week, 2: every other week...).
    interval = models.PositiveSmallIntegerField(_("interval"), default=1)
    # The first occurrence's wall-clock time in `time_zone` is kept across DST changes.
    starts_at = models.DateTimeField(_("first time"))
    ends_on = models.DateField(_("until"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Toronto")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Series {self.pk} ({self.frequency} until {self.ends_on})"


class PlannedPost(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planned_posts"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Toronto")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    # The accounts and languages last chosen in the composer, [[channel id, "fr"], ...]: a
    # draft has no deliveries to remember them by when it is opened again.
    draft_targets = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Post {self.pk} ({self.status})"


class PostVariant(models.Model):
    """The text for one network in one language."""

    # Whose data it is, for "Download my data" (accounts.services.user_lookups).
    OWNER_PATH = "planned_post__owner"

    planned_post = models.ForeignKey(PlannedPost, on_delete=models.CASCADE, related_name="variants")
    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="fr")
    text = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["planned_post", "network", "language"], name="variant_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network}/{self.language} of post {self.planned_post_id}"

    @property
    def outgoing_text(self) -> str:
        """The text as sent: the link appended unless the text already carries it."""
        if self.link and self.link not in self.text:
            return f"{self.text.rstrip()}\n\n{self.link}"
        return self.text


class PostMedia(models.Model):
    # Whose data it is, for "Download my data".
    OWNER_PATH = "planned_post__owner"
    planned_post = models.ForeignKey(PlannedPost, on_delete=models.CASCADE, related_name="media")
    # The network this image goes to ("": every network of the post).
    network = models.CharField(_("network"), max_length=16, choices=Network.choices, blank=True)
    file = models.FileField(upload_to="publishing/%Y/%m/")
    content_type = models.CharField(max_length=100, default="image/jpeg")
    description = models.CharField(_("description"), max_length=1500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class Delivery(models.Model):
    """One planned post to one channel."""

    # The post's author, also on a channel shared with them by its owner.
    OWNER_PATH = "planned_post__owner"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLAIMED = "claimed", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        MISSED = "missed", _("Missed")
        NEEDS_RECONNECT = "needs_reconnect", _("Waiting for reconnection")

    planned_post = models.ForeignKey(
        PlannedPost, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    variant = models.ForeignKey(PostVariant, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # When it should go out; next_attempt_at is when the engine may next act on it (the
    # due time, a retry's backoff, or the moment to read an unconfirmed send back).
    due_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set just before the request leaves: a claim with it may have reached the network.
    sent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    external_url = models.CharField(max_length=1000, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)

    # Not stored: the post's images, read by the claim for its whole batch at once (None: the
    # sender reads them itself).
    claimed_media: list[PostMedia] | None = None
    # Not stored: the post's author's language, read by the claim ("": the sender looks it up).
    author_language: str = ""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["planned_post", "channel"], name="delivery_unique_channel"
            )
        ]
        indexes = [
            # The claim reads it in order and stops at its window (pk breaks ties: a burst
            # of deliveries due at the same instant is then not sorted first).
            models.Index(fields=["status", "next_attempt_at", "id"], name="delivery_claim_order"),
            models.Index(fields=["status", "due_at"], name="delivery_status_due"),
            models.Index(fields=["channel", "status"], name="delivery_channel_status"),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"


class DeliveryEvent(models.Model):
    """Append-only log: every transition of a delivery, why, and by which worker."""

    # Whose data it is, for "Download my data".
    OWNER_PATH = "delivery__planned_post__owner"

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLAIMED = "claimed", _("Taken by a worker")
        PUBLISHED = "published", _("Published")
        RETRY = "retry", _("Temporary error, will retry")
        RATE_LIMITED = "rate_limited", _("The network asked to wait, will retry")
        GAVE_UP = "gave_up", _("Failed after several attempts")
        REFUSED = "refused", _("The network refused the post")
        AMBIGUOUS = "ambiguous", _("No answer after sending: checking the account")
        TOKEN_REJECTED = "token_rejected", _("The account must be reconnected")
        FOUND = "found", _("Found on the account")
        ABSENT = "absent", _("Not on the account: will publish")
        MISSED = "missed", _("Too late: the worker was down past the cutoff")
        LEASE_UNSENT = "lease_unsent", _("A stopped worker had not sent it: queued again")
        LEASE_SENT = "lease_sent", _("A stopped worker may have sent it: checking the account")
        CHANNEL_DISCONNECTED = "channel_disconnected", _("Waiting for the account to reconnect")
        RECONNECTED = "reconnected", _("Account reconnected")
        PUBLISH_NOW = "publish_now", _("Publish now, asked by the user")
        RESCHEDULED = "rescheduled", _("Rescheduled by the user")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=24, choices=Reason.choices)
    detail = models.TextField(blank=True)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        # Appended in order: the id is the true sequence, even across clocks.
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status} ({self.reason})"


class QueueSlot(models.Model):
    """A weekly wall-clock time in an IANA zone ("add to queue" takes the next free one)."""

    # Whose data it is, for "Download my data".
    OWNER_PATH = "channel__owner"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # Monday = 0, as datetime does
    local_time = models.TimeField(_("time"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Toronto")

    class Meta:
        ordering = ["weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "weekday", "local_time"], name="queueslot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.local_time} {self.time_zone}"


class PublishWorker(models.Model):
    """A running publish_worker's heartbeat: its claims are never taken while it is seen."""

    id = models.CharField(primary_key=True, max_length=100)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # Where the pid means something (services/workers.py); "" when unknown.
    pid_namespace = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.id


class IcalFeed(models.Model):
    """A user's choice of a new iCal address: its secret joins the token's key (ical.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ical_feed"
    )
    secret = models.CharField(max_length=64)
    renewed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"iCal feed of {self.user_id}"
