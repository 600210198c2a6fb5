"""What a user does on social networks (accounts, posts, interactions) and their weekly index."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.presence.networks import AccountKind, Network


class SocialAccount(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_accounts"
    )
    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    kind = models.CharField(
        _("kind"), max_length=8, choices=AccountKind.choices, default=AccountKind.PROFILE
    )
    handle = models.CharField(_("handle or URL"), max_length=255)
    display_name = models.CharField(max_length=255, blank=True)
    headline = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    industry = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=255, blank=True)
    websites = models.TextField(blank=True)
    # As the network's export states them; None when the export does not say.
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    following_count = models.PositiveIntegerField(null=True, blank=True)
    posts_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "network", "handle"], name="socialaccount_unique_handle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.display_name or self.handle}"


class Post(models.Model):
    """A post the owner published (an original share or a reshare)."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original post")
        RESHARE = "reshare", _("Reshare")
        REPLY = "reply", _("Reply")
        QUOTE = "quote", _("Quote")

    # Owner and date have no index of their own: every query filters by owner, and the
    # (owner, published_at) and unique (owner, network, key) indexes start with it. Fewer
    # indexes to maintain keep a 100,000-row import fast.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="posts")
    network = models.CharField(max_length=16, choices=Network.choices)
    key = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORIGINAL)
    published_at = models.DateTimeField()
    text = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    shared_url = models.CharField(max_length=1000, blank=True)
    media_url = models.CharField(max_length=1000, blank=True)
    visibility = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=16, blank=True)
    # Counted by the network, when the export says (Facebook Page CSV, X, Mastodon).
    reach = models.PositiveIntegerField(null=True, blank=True)
    reactions_count = models.PositiveIntegerField(null=True, blank=True)
    comments_count = models.PositiveIntegerField(null=True, blank=True)
    reshares_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "network", "key"], name="post_unique_key")
        ]
        indexes = [models.Index(fields=["owner", "published_at"])]
        ordering = ["-published_at"]


class Interaction(models.Model):
    """One thing the owner did with someone, or someone did with the owner."""

    class Kind(models.TextChoices):
        REACTION = "reaction", _("Reaction")
        COMMENT = "comment", _("Comment")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_RECEIVED = "invitation_received", _("Invitation received")
        MESSAGE_SENT = "message_sent", _("Message sent")
        MESSAGE_RECEIVED = "message_received", _("Message received")
        RECOMMENDATION_GIVEN = "recommendation_given", _("Recommendation given")
        RECOMMENDATION_RECEIVED = "recommendation_received", _("Recommendation received")
        ENDORSEMENT_RECEIVED = "endorsement_received", _("Endorsement received")
        FOLLOW = "follow", _("Follow")

    # No index of its own: the (owner, kind, occurred_at) and unique (owner, network, key)
    # indexes start with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="interactions"
    )
    network = models.CharField(max_length=16, choices=Network.choices)
    key = models.CharField(max_length=255)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(
        "network.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The counterpart as the export names them (a person, an organisation, a conversation).
    counterpart = models.CharField(max_length=500, blank=True)
    target_url = models.CharField(max_length=1000, blank=True)
    # Reaction type, skill endorsed, recommendation status, message folder...
    detail = models.CharField(max_length=255, blank=True)
    conversation = models.CharField(max_length=255, blank=True)
    # Comment, recommendation and invitation text; message text only if the owner opted in.
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "network", "key"], name="interaction_unique_key"
            )
        ]
        indexes = [models.Index(fields=["owner", "kind", "occurred_at"])]
        ordering = ["-occurred_at"]


class PresenceSnapshot(models.Model):
    """The Presence Index of one user for one week (Monday, in the user's time zone)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        OCCASIONAL = "occasional", _("Occasional")
        INACTIVE = "inactive", _("Inactive")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence_snapshots"
    )
    week_start = models.DateField()
    score = models.FloatField()
    brand = models.FloatField()
    audience = models.FloatField()
    engagement = models.FloatField()
    relationships = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices)
    # Every signal with its raw value and points, so the UI can explain the number.
    signals = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "week_start"], name="snapshot_unique_week")
        ]
        ordering = ["-week_start"]
