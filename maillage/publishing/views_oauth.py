"""The two halves of an OAuth connection that LinkedIn and Facebook share: leaving for the
network with a `state` kept in the session, and coming back with a code for that state."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from maillage.publishing.services.planning import PublishingError

# Pending authorizations kept per session (a member may open a few tabs, not hundreds).
MAX_PENDING = 5


def oauth_leave(
    request: HttpRequest, session_key: str, authorize_url: Callable[[str], str]
) -> HttpResponse:
    """Send the browser to the network; the state that must come back waits in the session."""
    state = secrets.token_urlsafe(24)
    try:
        url = authorize_url(state)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    pending: list[str] = request.session.get(session_key, [])
    request.session[session_key] = [*pending, state][-MAX_PENDING:]
    return redirect(url)


def oauth_code(request: HttpRequest, session_key: str, network: str) -> str | None:
    """The code the network sent back for a state this session issued (each used once), or
    None once the reason is said to the member (an old link, a refusal or a cancellation)."""
    pending: list[str] = request.session.get(session_key, [])
    state = request.GET.get("state", "")
    if not state or state not in pending:
        messages.error(request, _("This connection link expired: connect the account again."))
        return None
    request.session[session_key] = [s for s in pending if s != state]
    code = request.GET.get("code", "")
    if not code:
        # The person cancelled (error_reason=user_denied) or the network refused.
        messages.error(request, _("%(instance)s did not allow Maillage.") % {"instance": network})
        return None
    return code
