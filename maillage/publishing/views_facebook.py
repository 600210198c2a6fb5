"""Connecting Facebook Pages: thin views over services/channels_facebook.py."""

from __future__ import annotations

import secrets
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts.models import User
from maillage.publishing.services.channels_facebook import (
    channel_authorize_url_facebook,
    channels_connect_facebook,
)
from maillage.publishing.services.planning import PublishingError

SESSION_FACEBOOK_OAUTH = "publishing_facebook_oauth"
# Pending logins kept per session (a member may open a few tabs, not hundreds).
MAX_PENDING = 5


@login_required
@require_POST
def channel_connect_facebook_view(request: HttpRequest) -> HttpResponse:
    """Send the browser to Facebook Login; the state that must come back waits in the session."""
    state = secrets.token_urlsafe(24)
    try:
        url = channel_authorize_url_facebook(state)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    pending: list[str] = request.session.get(SESSION_FACEBOOK_OAUTH, [])
    request.session[SESSION_FACEBOOK_OAUTH] = [*pending, state][-MAX_PENDING:]
    return redirect(url)


@login_required
@require_GET
def channel_facebook_callback(request: HttpRequest) -> HttpResponse:
    pending: list[str] = request.session.get(SESSION_FACEBOOK_OAUTH, [])
    state = request.GET.get("state", "")
    if not state or state not in pending:
        messages.error(request, _("This connection link expired: connect the account again."))
        return redirect("publishing:channels")
    request.session[SESSION_FACEBOOK_OAUTH] = [s for s in pending if s != state]
    code = request.GET.get("code", "")
    if not code:
        # The person cancelled (error_reason=user_denied) or Facebook refused.
        messages.error(
            request, _("%(instance)s did not allow Maillage.") % {"instance": "Facebook"}
        )
        return redirect("publishing:channels")
    try:
        channels = channels_connect_facebook(cast(User, request.user), code)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    for channel in channels:
        messages.success(
            request, _("The Facebook Page %(name)s is connected.") % {"name": channel.handle}
        )
    return redirect("publishing:channels")
