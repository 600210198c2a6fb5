"""Users with their preferences, circles, memberships and the consent each member gives a circle."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    """Users are identified by e-mail; there is no username."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Toronto")
    keep_message_text = models.BooleanField(
        _("keep the text of my messages"),
        default=False,
        help_text=_("Off by default: only who, when and which conversation are kept."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = UserManager()  # type: ignore[assignment,misc]

    @property
    def display_name(self) -> str:
        full = self.get_full_name().strip()
        return full or self.email.split("@")[0]

    def __str__(self) -> str:
        return self.email


class Circle(models.Model):
    class Kind(models.TextChoices):
        TEAM = "team", _("Team")
        PEER = "peer", _("Peer circle")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PEER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ANIMATOR = "animator", _("Animator")
        MEMBER = "member", _("Member")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    share_index = models.BooleanField(_("share my Presence Index with this circle"), default=False)
    show_name = models.BooleanField(_("show my name"), default=False)
    pool_connections = models.BooleanField(
        _("pool my connections for introductions"), default=False
    )
    joined_at = models.DateTimeField(default=timezone.now)

    CONSENT_FIELDS: ClassVar[tuple[str, ...]] = ("share_index", "show_name", "pool_connections")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.circle}"

    @property
    def is_animator(self) -> bool:
        return self.role == self.Role.ANIMATOR


class ConsentChange(models.Model):
    """Append-only log of consent changes (who, what, when) kept for accountability (Law 25)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="consent_changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent = models.CharField(max_length=32)
    granted = models.BooleanField()
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class CircleInvitation(models.Model):
    """A shareable link that lets whoever holds it join the circle as a member until it expires."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
