"""Small display helpers for the presence templates."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import formats, translation
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


@register.filter
def long_date(value: date | None) -> str:
    """The date in the reader's format; French writes the first of the month « 1er »."""
    if value is None:
        return ""
    text = formats.date_format(value, "DATE_FORMAT")
    language = translation.get_language() or ""
    if language.startswith("fr") and value.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return str(text)
