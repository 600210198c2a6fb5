"""Publishing pages: channels (connect Mastodon), compose, calendar, a post's deliveries."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts.models import User
from maillage.presence.networks import Network
from maillage.publishing.forms import (
    MastodonConnectForm,
)
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.selectors import channels_usable_by
from maillage.publishing.services import (
    PublishingError,
    channel_authorize_url_mastodon,
    channel_connect_mastodon,
)
from maillage.publishing.ui_services import channel_forget

# The OAuth `state` -> instance address, kept in the session between leaving and returning.
SESSION_OAUTH = "publishing_mastodon_oauth"
NETWORK_COLOURS = {
    Network.LINKEDIN: "#0a66c2",
    Network.FACEBOOK: "#1877f2",
    Network.X: "#111111",
    Network.MASTODON: "#6364ff",
    Network.BLUESKY: "#1185fe",
}
# Deliveries the user may act on from the post page.
ACTIONABLE = (Delivery.Status.MISSED, Delivery.Status.FAILED, Delivery.Status.NEEDS_RECONNECT)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- Channels ------------------------------------------------------------------------------


def _channels_page(request: HttpRequest, form: MastodonConnectForm, status: int = 200) -> Any:
    user = _user(request)
    own = Channel.objects.filter(owner=user).order_by("network", "handle")
    shared = channels_usable_by(user).exclude(owner=user).select_related("owner")
    return render(
        request,
        "publishing/channels.html",
        {"channels": own, "shared": shared, "form": form},
        status=status,
    )


def _authorize(request: HttpRequest, instance: str) -> HttpResponse:
    """Send the browser to the instance; an unreachable server is said on the page."""
    state = secrets.token_urlsafe(24)
    url = channel_authorize_url_mastodon(instance, state)
    pending = request.session.get(SESSION_OAUTH, {})
    pending[state] = instance
    request.session[SESSION_OAUTH] = pending
    return redirect(url)


@login_required
@require_GET
def channel_list(request: HttpRequest) -> HttpResponse:
    return cast(HttpResponse, _channels_page(request, MastodonConnectForm()))


@login_required
@require_POST
def channel_connect(request: HttpRequest) -> HttpResponse:
    form = MastodonConnectForm(request.POST)
    if not form.is_valid():
        return cast(HttpResponse, _channels_page(request, form, status=400))
    try:
        return _authorize(request, form.cleaned_data["instance"])
    except PublishingError as exc:
        form.add_error("instance", str(exc))
        return cast(HttpResponse, _channels_page(request, form, status=400))


@login_required
@require_GET
def channel_mastodon_callback(request: HttpRequest) -> HttpResponse:
    pending: dict[str, str] = request.session.get(SESSION_OAUTH, {})
    instance = pending.pop(request.GET.get("state", ""), None)
    request.session[SESSION_OAUTH] = pending
    if instance is None:
        messages.error(request, _("This connection link expired: connect the account again."))
        return redirect("publishing:channels")
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("%(instance)s did not allow Maillage.") % {"instance": instance})
        return redirect("publishing:channels")
    try:
        channel = channel_connect_mastodon(_user(request), instance, code)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    messages.success(request, _("%(handle)s is connected.") % {"handle": channel.handle})
    return redirect("publishing:channels")


@login_required
@require_POST
def channel_reconnect(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_id, owner=_user(request))
    if channel.network != Network.MASTODON:
        messages.error(request, _("Reconnecting this network is not available yet."))
        return redirect("publishing:channels")
    try:
        return _authorize(request, channel.instance_url)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")


@login_required
@require_POST
def channel_disconnect(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_id, owner=_user(request))
    channel_forget(channel, _user(request))
    messages.success(
        request,
        _("%(handle)s is disconnected: its planned posts wait until you reconnect it.")
        % {"handle": channel.handle},
    )
    return redirect("publishing:channels")
