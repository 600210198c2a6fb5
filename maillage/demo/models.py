"""Marks what `maillage demo` created, so a rebuild removes only the demo circle and its users."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from maillage.accounts.models import Circle


class DemoUser(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seed = models.IntegerField()


class DemoCircle(models.Model):
    circle = models.OneToOneField(
        Circle, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seed = models.IntegerField()
