"""The main menu's current entry, a template filter available in every template (builtins)."""

from __future__ import annotations

from django import template
from django.urls import ResolverMatch

register = template.Library()

# Pages of the publishing app that belong to "Accounts to publish to"; the rest to the calendar.
CHANNEL_PAGES = frozenset(
    {"channels", "reconnect", "disconnect", "share", "queue", "queue_slot_remove"}
)


@register.filter
def menu_section(match: ResolverMatch | None) -> str:
    """Which menu entry the page belongs to ("" for none), so the menu can mark it current."""
    if match is None:
        return ""
    namespace, name = match.namespace, match.url_name or ""
    if namespace == "presence":
        # A circle's dashboard is reached from the circle: it is part of "Circles".
        return "circles" if name in {"circle", "circle_json"} else "presence"
    if namespace == "publishing":
        return "channels" if name in CHANNEL_PAGES or name.startswith("channel_") else "calendar"
    if namespace in {"circles", "imports"}:
        return namespace
    return "presence" if name == "home" else ""
