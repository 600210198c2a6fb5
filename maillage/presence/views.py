"""Presence pages: the personal dashboard, the circle dashboard and their chart data."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maillage.accounts.models import Membership, User
from maillage.accounts.selectors import circle_for_member
from maillage.presence.index import PILLAR_LABELS
from maillage.presence.models import PresenceSnapshot
from maillage.presence.selectors import (
    CircleSummary,
    circle_presence_allowed,
    circle_presence_json,
    circle_presence_summary,
    current_week,
    index_explained,
    owner_zone,
    presence_dashboard,
    presence_dashboard_json,
)


def home(request: HttpRequest) -> HttpResponse:
    """Newcomers land on the import guide (nothing to measure yet); others on their dashboard."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    if not _user(request).import_runs.exists():
        return redirect("imports:list")
    return redirect("presence:dashboard")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _chart_labels() -> dict[str, str]:
    """Translated series names for charts.js (the numbers come from the JSON endpoints)."""
    labels = {pillar: str(label) for pillar, label in PILLAR_LABELS.items()}
    labels.update({status.value: str(status.label) for status in PresenceSnapshot.Status})
    labels.update(
        score=_("Presence Index"),
        members=_("Members"),
        week=_("Week"),
        unavailable=_("n/a"),
        score_axis=_("Index (out of 100)"),
        pillar_axis=_("Pillars (out of 25)"),
    )
    return labels


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = presence_dashboard(_user(request), request.GET.get("page"))
    return render(
        request,
        "presence/dashboard.html",
        {
            "dashboard": data,
            "pillars": index_explained(data.current.result),
            "action": data.current.result.next_action,
            "chart_labels": _chart_labels(),
        },
    )


@login_required
def me_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(presence_dashboard_json(presence_dashboard(_user(request))))


def _no_access_message() -> str:
    return _(
        "Only the circle's animator and members who share their own Presence Index can see "
        "the circle's dashboard. To get access, share your index with this circle in your "
        "circle settings."
    )


def _membership(request: HttpRequest, pk: int) -> Membership:
    _circle, membership = circle_for_member(_user(request), pk)
    return membership


def _circle_summary(request: HttpRequest, membership: Membership) -> CircleSummary:
    """The circle's week as the viewer counts weeks (their own time zone)."""
    zone = owner_zone(_user(request))
    return circle_presence_summary(membership.circle, current_week(zone), zone)


@login_required
def circle(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    if not circle_presence_allowed(membership):
        return render(
            request,
            "presence/circle_forbidden.html",
            {"circle": membership.circle, "message": _no_access_message()},
            status=403,
        )
    summary = _circle_summary(request, membership)
    return render(
        request,
        "presence/circle.html",
        {"summary": summary, "membership": membership, "chart_labels": _chart_labels()},
    )


@login_required
def circle_json(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        membership = _membership(request, pk)
    except Http404:
        return JsonResponse({"error": _("No such circle.")}, status=404)
    if not circle_presence_allowed(membership):
        return JsonResponse({"error": _no_access_message()}, status=403)
    summary = _circle_summary(request, membership)
    return JsonResponse(circle_presence_json(summary))
