"""Small display helpers for the presence templates."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from maillage.presence.models import PresenceSnapshot

register = template.Library()

_STATUS_CLASSES = {"active": "text-bg-success", "occasional": "text-bg-warning"}


@register.filter
def status_label(status: str | None) -> str:
    """The translated name of an activity status ("no data yet" when there is none)."""
    if not status:
        return _("No data yet")
    return str(PresenceSnapshot.Status(status).label)


@register.filter
def status_class(status: str | None) -> str:
    """A Bootstrap badge class with enough contrast for each status."""
    return _STATUS_CLASSES.get(status or "", "text-bg-secondary")
