"""Connecting LinkedIn (a profile and the pages its member administers): thin views over
services/channels_linkedin.py."""

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
from maillage.publishing.services.channels_linkedin import (
    channel_authorize_url_linkedin,
    channels_connect_linkedin,
)
from maillage.publishing.services.planning import PublishingError

SESSION_LINKEDIN_OAUTH = "publishing_linkedin_oauth"
# Pending authorizations kept per session (a member may open a few tabs, not hundreds).
MAX_PENDING = 5


@login_required
@require_POST
def channel_connect_linkedin_view(request: HttpRequest) -> HttpResponse:
    """Send the browser to LinkedIn; the state that must come back waits in the session."""
    state = secrets.token_urlsafe(24)
    try:
        url = channel_authorize_url_linkedin(state)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    pending: list[str] = request.session.get(SESSION_LINKEDIN_OAUTH, [])
    request.session[SESSION_LINKEDIN_OAUTH] = [*pending, state][-MAX_PENDING:]
    return redirect(url)


@login_required
@require_GET
def channel_linkedin_callback(request: HttpRequest) -> HttpResponse:
    pending: list[str] = request.session.get(SESSION_LINKEDIN_OAUTH, [])
    state = request.GET.get("state", "")
    if not state or state not in pending:
        messages.error(request, _("This connection link expired: connect the account again."))
        return redirect("publishing:channels")
    request.session[SESSION_LINKEDIN_OAUTH] = [s for s in pending if s != state]
    code = request.GET.get("code", "")
    if not code:
        messages.error(
            request, _("%(instance)s did not allow Maillage.") % {"instance": "LinkedIn"}
        )
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
