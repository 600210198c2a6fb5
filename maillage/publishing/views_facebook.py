"""Connecting Facebook Pages: thin views over services/channels_facebook.py."""

from __future__ import annotations

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
from maillage.publishing.views_oauth import oauth_code, oauth_leave

SESSION_FACEBOOK_OAUTH = "publishing_facebook_oauth"


@login_required
@require_POST
def channel_connect_facebook_view(request: HttpRequest) -> HttpResponse:
    """Send the browser to Facebook Login; the state that must come back waits in the session."""
    return oauth_leave(request, SESSION_FACEBOOK_OAUTH, channel_authorize_url_facebook)


@login_required
@require_GET
def channel_facebook_callback(request: HttpRequest) -> HttpResponse:
    code = oauth_code(request, SESSION_FACEBOOK_OAUTH, "Facebook")
    if code is None:
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
