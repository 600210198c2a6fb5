"""The bell's unread count, for the navbar of every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from maillage.notifications.selectors import notifications_unread_count


def notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable: the template calls it (one COUNT) only where the bell is drawn.
    return {"notifications_unread": lambda: notifications_unread_count(user)}
