"""The social networks Maillage knows, shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"


class AccountKind(models.TextChoices):
    PROFILE = "profile", _("Profile")
    PAGE = "page", _("Page")
