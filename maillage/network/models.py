"""People a user knows and their connections.

People are kept per owner for now. `key` is the owner-scoped identity (normalised profile URL,
else a name key) and `network` + `profile_url` are what a later cross-owner resolution will use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.presence.networks import Network


class Person(models.Model):
    # No index of its own: the unique (owner, network, key) index starts with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="people", db_index=False
    )
    network = models.CharField(max_length=16, choices=Network.choices)
    key = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=255, blank=True)
    first_name = models.CharField(max_length=120, blank=True)
    last_name = models.CharField(max_length=120, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    company = models.CharField(_("company"), max_length=255, blank=True)
    profile_url = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=254, blank=True)
    # Date of the export these values come from: an older archive never overwrites a newer one.
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "network", "key"], name="person_unique_key")
        ]
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name or self.profile_url or self.key


class Connection(models.Model):
    # No index of its own: the unique (owner, person) index starts with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connections",
        db_index=False,
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="connections")
    network = models.CharField(max_length=16, choices=Network.choices)
    connected_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "person"], name="connection_unique_person")
        ]
        indexes = [models.Index(fields=["owner", "connected_on"])]
