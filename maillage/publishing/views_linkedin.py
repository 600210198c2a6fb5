"""Connecting LinkedIn (a profile and the pages its member administers): thin views over
services/channels_linkedin.py."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts.models import User
from maillage.publishing.services.channels_linkedin import (
    channel_authorize_url_linkedin,
    channels_connect_linkedin,
)
from maillage.publishing.services.planning import PublishingError
from maillage.publishing.views_oauth import oauth_code, oauth_leave

SESSION_LINKEDIN_OAUTH = "publishing_linkedin_oauth"


@login_required
@require_POST
def channel_connect_linkedin_view(request: HttpRequest) -> HttpResponse:
    """Send the browser to LinkedIn; the state that must come back waits in the session."""
    return oauth_leave(request, SESSION_LINKEDIN_OAUTH, channel_authorize_url_linkedin)


@login_required
@require_GET
def channel_linkedin_callback(request: HttpRequest) -> HttpResponse:
    code = oauth_code(request, SESSION_LINKEDIN_OAUTH, "LinkedIn")
    if code is None:
        return redirect("publishing:channels")
    try:
        connection = channels_connect_linkedin(cast(User, request.user), code)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    messages.success(request, _("%(handle)s is connected.") % {"handle": connection.profile.handle})
    for page in connection.pages:
        messages.success(
            request, _("The LinkedIn page %(name)s is connected.") % {"name": page.display_name}
        )
    if connection.pages_refused:
        messages.warning(
            request,
            _(
                "LinkedIn did not list the pages you administer (%(reason)s): only your profile "
                "is connected."
            )
            % {"reason": connection.pages_refused},
        )
    return redirect("publishing:channels")
