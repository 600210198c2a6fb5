"""Publishing pages: channels (connect Mastodon), calendar, a post's deliveries.

The composer lives in views_compose.py.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts.models import Circle, User
from maillage.connectors import x as x_connector
from maillage.connectors.registry import ConnectorError
from maillage.presence.networks import Network
from maillage.publishing import views_facebook, views_linkedin
from maillage.publishing.forms import (
    BlueskyConnectForm,
    MastodonConnectForm,
    RescheduleForm,
)
from maillage.publishing.ical import ical_feed, ical_renew, ical_token, ical_user
from maillage.publishing.models import Channel, Delivery, PlannedPost
from maillage.publishing.selectors import (
    channels_usable_by,
    deliveries_of,
    publishing_paused_for,
)
from maillage.publishing.services import (
    PublishingError,
    channel_authorize_url_mastodon,
    channel_authorize_url_x,
    channel_connect_bluesky,
    channel_connect_mastodon,
    channel_connect_x,
    channel_share,
    delivery_publish_now,
    delivery_reschedule,
)
from maillage.publishing.ui_services import channel_forget

# The OAuth `state` -> instance address, kept in the session between leaving and returning.
SESSION_OAUTH = "publishing_mastodon_oauth"
# The OAuth `state` -> PKCE code verifier for X (the verifier never leaves the server).
SESSION_X_OAUTH = "publishing_x_oauth"
NETWORK_COLOURS: dict[str, str] = {
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


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.time_zone)


# --- Channels ------------------------------------------------------------------------------


def _channels_page(
    request: HttpRequest,
    form: MastodonConnectForm | None = None,
    status: int = 200,
    bluesky_form: BlueskyConnectForm | None = None,
) -> Any:
    user = _user(request)
    own = (
        Channel.objects.filter(owner=user)
        .select_related("shared_with_circle")
        .order_by("network", "handle")
    )
    shared = channels_usable_by(user).exclude(owner=user).select_related("owner")
    return render(
        request,
        "publishing/channels.html",
        {
            "channels": own,
            "shared": shared,
            "form": form or MastodonConnectForm(),
            "bluesky_form": bluesky_form or BlueskyConnectForm(),
            # Pages are shared with a team circle the owner belongs to.
            "team_circles": Circle.objects.filter(
                kind=Circle.Kind.TEAM, memberships__user=user
            ).order_by("name"),
        },
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
        form.add_error("instance", _connect_error(exc, form.cleaned_data["instance"]))
        return cast(HttpResponse, _channels_page(request, form, status=400))


def _connect_error(exc: PublishingError, instance: str) -> str:
    """No HTTP answer at all means the server is unreachable: say so plainly."""
    cause = exc.__cause__
    if isinstance(cause, ConnectorError) and isinstance(cause.__cause__, httpx.TransportError):
        return _(
            "Maillage could not reach %(instance)s (%(reason)s): check the address, "
            "or try again later if the server is down."
        ) % {"instance": instance, "reason": cause.message}
    return str(exc)


@login_required
@require_POST
def channel_connect_bluesky_view(request: HttpRequest) -> HttpResponse:
    form = BlueskyConnectForm(request.POST)
    if form.is_valid():
        try:
            channel = channel_connect_bluesky(
                _user(request), form.cleaned_data["handle"], form.cleaned_data["app_password"]
            )
        except PublishingError as exc:
            form.add_error("app_password", str(exc))
        else:
            messages.success(request, _("%(handle)s is connected.") % {"handle": channel.handle})
            return redirect("publishing:channels")
    return cast(HttpResponse, _channels_page(request, status=400, bluesky_form=form))


@login_required
@require_POST
def channel_connect_x_view(request: HttpRequest) -> HttpResponse:
    """Send the browser to X with a PKCE challenge; the verifier waits in the session."""
    state = secrets.token_urlsafe(24)
    verifier, challenge = x_connector.pkce_pair()
    try:
        url = channel_authorize_url_x(state, challenge)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    pending = request.session.get(SESSION_X_OAUTH, {})
    pending[state] = verifier
    request.session[SESSION_X_OAUTH] = pending
    return redirect(url)


@login_required
@require_GET
def channel_x_callback(request: HttpRequest) -> HttpResponse:
    pending: dict[str, str] = request.session.get(SESSION_X_OAUTH, {})
    verifier = pending.pop(request.GET.get("state", ""), None)
    request.session[SESSION_X_OAUTH] = pending
    if verifier is None:
        messages.error(request, _("This connection link expired: connect the account again."))
        return redirect("publishing:channels")
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("%(instance)s did not allow Maillage.") % {"instance": "X"})
        return redirect("publishing:channels")
    try:
        channel = channel_connect_x(_user(request), code, verifier)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    messages.success(request, _("%(handle)s is connected.") % {"handle": channel.handle})
    return redirect("publishing:channels")


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
    """The network's own way in again; the channel is updated, never duplicated, and the posts
    waiting for it go out (`_channel_store` then `channel_reconnected`)."""
    channel = get_object_or_404(Channel, pk=channel_id, owner=_user(request))
    if channel.network == Network.BLUESKY:
        # No redirection: a new app password typed here.
        form = BlueskyConnectForm(initial={"handle": channel.handle})
        messages.info(
            request,
            _("Type a new app password for %(handle)s to reconnect it.")
            % {"handle": channel.handle},
        )
        return cast(HttpResponse, _channels_page(request, bluesky_form=form))
    connect = {
        Network.X: channel_connect_x_view,
        Network.LINKEDIN: views_linkedin.channel_connect_linkedin_view,
        Network.FACEBOOK: views_facebook.channel_connect_facebook_view,
    }.get(cast(Network, channel.network))
    if connect is not None:
        return cast(HttpResponse, connect(request))
    try:
        return _authorize(request, channel.instance_url)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")


@login_required
@require_POST
def channel_share_view(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Share a page with one of the owner's team circles, or stop sharing it (empty circle)."""
    user = _user(request)
    channel = get_object_or_404(Channel, pk=channel_id, owner=user)
    raw = request.POST.get("circle", "")
    circle = None
    if raw:
        circle = Circle.objects.filter(pk=raw if raw.isdigit() else 0).first()
        if circle is None:
            messages.error(request, _("This circle does not exist any more."))
            return redirect("publishing:channels")
    try:
        channel_share(channel, circle, user)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:channels")
    if circle is None:
        messages.success(
            request,
            _("%(handle)s is no longer shared: only you can plan posts to it now.")
            % {"handle": channel.handle},
        )
    else:
        messages.success(
            request,
            _("The members of %(circle)s can now plan posts to %(handle)s.")
            % {"circle": circle.name, "handle": channel.handle},
        )
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


# --- A post and its deliveries -------------------------------------------------------------


def _paused(user: User) -> dict[str, Any]:
    """For publishing/_paused.html: is the user's publishing waiting for a stopped worker?"""
    return {
        "publishing_paused": publishing_paused_for(user),
        "cutoff_minutes": settings.PUBLISHING_CUTOFF_MINUTES,
    }


def _own_post(request: HttpRequest, post_id: int) -> PlannedPost:
    return get_object_or_404(PlannedPost, pk=post_id, owner=_user(request))


def _own_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("planned_post", "channel"),
        pk=delivery_id,
        planned_post__owner=_user(request),
    )


@login_required
@require_GET
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _own_post(request, post_id)
    deliveries = post.deliveries.select_related("channel", "variant").order_by("pk")
    return render(
        request,
        "publishing/post.html",
        {
            "post": post,
            "variants": post.variants.order_by("network", "language"),
            "deliveries": deliveries,
            "actionable": ACTIONABLE,
            "reschedule_form": RescheduleForm(time_zone=_user(request).time_zone),
            **_paused(_user(request)),
        },
    )


@login_required
@require_POST
def delivery_publish_now_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = _own_delivery(request, delivery_id)
    try:
        delivery_publish_now(delivery, _user(request))
    except PublishingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("It will be published in a moment."))
    return redirect("publishing:post", post_id=delivery.planned_post_id)


def _reschedule(delivery: Delivery, user: User, when: datetime) -> str:
    """Move a delivery; the error message for the user, or "" when it moved."""
    if delivery.status == Delivery.Status.PUBLISHED:
        return _("This post is already published: it cannot move.")
    try:
        delivery_reschedule(delivery, user, when)
    except PublishingError as exc:
        return str(exc)
    return ""


@login_required
@require_POST
def delivery_reschedule_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = _own_delivery(request, delivery_id)
    form = RescheduleForm(request.POST, time_zone=_user(request).time_zone)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("publishing:post", post_id=delivery.planned_post_id)
    error = _reschedule(delivery, _user(request), form.cleaned_data["scheduled_at"])
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Rescheduled."))
    return redirect("publishing:post", post_id=delivery.planned_post_id)


# --- Calendar ------------------------------------------------------------------------------

STATUS_CLASSES: dict[str, str] = {
    Delivery.Status.SCHEDULED: "is-scheduled",
    Delivery.Status.CLAIMED: "is-publishing",
    Delivery.Status.PUBLISHED: "is-published",
    Delivery.Status.FAILED: "is-failed",
    Delivery.Status.UNCONFIRMED: "is-unconfirmed",
    Delivery.Status.MISSED: "is-missed",
    Delivery.Status.NEEDS_RECONNECT: "is-waiting",
}


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "publishing/calendar.html",
        {
            # An empty grid says nothing: a newcomer is told where to start instead.
            "has_channels": channels_usable_by(user).exists(),
            "has_deliveries": deliveries_of(user).exists(),
            **_paused(user),
            "colours": NETWORK_COLOURS,
            "calendar_options": {
                "events": reverse("publishing:events"),
                "moveUrl": reverse("publishing:move", args=[0]),
                "refused": _("This post cannot move."),
            },
            "ical_url": settings.SITE_URL.rstrip("/")
            + reverse("publishing:ical", args=[ical_token(_user(request))]),
        },
    )


def _wall_clock(raw: str | None, zone: ZoneInfo) -> datetime | None:
    """A calendar date read as wall-clock time in the user's zone (any offset is ignored)."""
    value = parse_datetime(raw or "")
    if value is None:
        return None
    return timezone.make_aware(value.replace(tzinfo=None), zone)


def _local_iso(moment: datetime, zone: Any) -> str:
    return timezone.localtime(moment, zone).replace(tzinfo=None).isoformat()


@login_required
@require_GET
def calendar_events(request: HttpRequest) -> JsonResponse:
    """FullCalendar's feed: the user's deliveries between `start` and `end`.

    FullCalendar has no named time zones without a plugin, so it runs in UTC and the feed
    speaks the user's wall-clock time, with no offset, both ways.
    """
    deliveries = deliveries_of(_user(request))
    zone = _zone(_user(request))
    start = _wall_clock(request.GET.get("start"), zone)
    end = _wall_clock(request.GET.get("end"), zone)
    if start is not None:
        deliveries = deliveries.filter(due_at__gte=start)
    if end is not None:
        deliveries = deliveries.filter(due_at__lt=end)
    events = [
        {
            "id": str(delivery.pk),
            # The network named first: LinkedIn, Facebook and Bluesky are all blue, and colour
            # alone tells nothing to a colour-blind reader or a screen reader.
            "title": (
                f"{Network(delivery.channel.network).label} · {delivery.channel.handle} · "
                f"{delivery.variant.text[:60]}"
            ),
            "start": _local_iso(delivery.due_at, zone),
            "url": reverse("publishing:post", args=[delivery.planned_post_id]),
            "color": NETWORK_COLOURS.get(delivery.channel.network, "#6c757d"),
            "classNames": [STATUS_CLASSES.get(delivery.status, "")],
            "editable": delivery.status in (Delivery.Status.SCHEDULED, *ACTIONABLE),
            "extendedProps": {
                "network": delivery.channel.network,
                "status": delivery.status,
                "statusLabel": delivery.get_status_display(),
            },
        }
        for delivery in deliveries[:2000]
    ]
    return JsonResponse(events, safe=False)


@login_required
@require_POST
def calendar_move(request: HttpRequest, delivery_id: int) -> JsonResponse:
    """Drag and drop: the delivery goes to the dropped time, or the page is told why not."""
    delivery = _own_delivery(request, delivery_id)
    when = _wall_clock(request.POST.get("start"), _zone(_user(request)))
    if when is None:
        return JsonResponse({"error": _("The new time is not a date.")}, status=400)
    if when <= timezone.now():
        return JsonResponse(
            {"error": _("This time is already past: pick a time to come.")}, status=400
        )
    error = _reschedule(delivery, _user(request), when)
    if error:
        return JsonResponse({"error": error}, status=409)
    return JsonResponse({"id": delivery.pk, "start": _local_iso(when, when.tzinfo)})


# --- iCal ----------------------------------------------------------------------------------


@login_required
@require_POST
def ical_renew_view(request: HttpRequest) -> HttpResponse:
    """A new private address; the old one stops at once (it leaked, or was shared by mistake)."""
    ical_renew(_user(request))
    messages.success(
        request,
        _(
            "Your calendar has a new private address: the old one no longer works. "
            "Subscribe to the new one in your calendar app."
        ),
    )
    return redirect("publishing:calendar")


@require_GET
def ical(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the secret address is the only key (calendar apps do not log in)."""
    owner = ical_user(token)
    if owner is None:
        raise Http404
    with translation.override(owner.language):
        body = ical_feed(owner, settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="maillage.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
