"""A channel's queue page (its weekly slots) and a recurring series' page."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts.models import User
from maillage.publishing.models import Channel, Delivery, QueueSlot, Series
from maillage.publishing.selectors import slot_occurrences
from maillage.publishing.services import (
    PublishingError,
    queue_slot_add,
    queue_slot_remove,
    series_cancel_future,
)

# Occurrences shown under each slot, and queued deliveries listed on the page.
NEXT_OCCURRENCES = 3
UPCOMING_LIMIT = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class QueueSlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day"), choices=sorted(WEEKDAYS.items()), coerce=int
    )
    local_time = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(format="%H:%M"))
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=_zone_choices)


@dataclass(frozen=True)
class SlotRow:
    slot: QueueSlot
    upcoming: list[datetime]


def _own_channel(request: HttpRequest, channel_id: int) -> Channel:
    # Only the owner manages the queue, even of a page shared with a circle: others get 404.
    return get_object_or_404(Channel, pk=channel_id, owner=_user(request))


def _queue_page(
    request: HttpRequest, channel: Channel, form: QueueSlotForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    days: dict[int, list[SlotRow]] = {}
    for slot in channel.queue_slots.order_by("weekday", "local_time", "pk"):
        upcoming = list(islice(slot_occurrences(slot, now), NEXT_OCCURRENCES))
        days.setdefault(slot.weekday, []).append(SlotRow(slot, upcoming))
    upcoming_deliveries = (
        channel.deliveries.filter(status=Delivery.Status.SCHEDULED, due_at__gte=now)
        .select_related("variant", "planned_post__owner")
        .order_by("due_at", "pk")[:UPCOMING_LIMIT]
    )
    return render(
        request,
        "publishing/queue.html",
        {
            "channel": channel,
            "days": [(WEEKDAYS[day], rows) for day, rows in sorted(days.items())],
            "form": form,
            "deliveries": upcoming_deliveries,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def channel_queue(request: HttpRequest, channel_id: int) -> HttpResponse:
    """The slots by weekday with their next times, a form to add one, the queued posts."""
    channel = _own_channel(request, channel_id)
    if request.method != "POST":
        initial = {"time_zone": channel.time_zone}
        return _queue_page(request, channel, QueueSlotForm(initial=initial))
    form = QueueSlotForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, channel, form, status=400)
    data = form.cleaned_data
    try:
        slot = queue_slot_add(
            channel, data["weekday"], data["local_time"], data["time_zone"], by=_user(request)
        )
    except PublishingError as exc:
        form.add_error(None, str(exc))
        return _queue_page(request, channel, form, status=400)
    messages.success(
        request,
        _("Slot added: %(weekday)s at %(time)s.")
        % {"weekday": WEEKDAYS[slot.weekday], "time": slot.local_time.strftime("%H:%M")},
    )
    return redirect("publishing:queue", channel_id=channel.pk)


@login_required
@require_POST
def queue_slot_remove_view(request: HttpRequest, channel_id: int, slot_id: int) -> HttpResponse:
    channel = _own_channel(request, channel_id)
    slot = get_object_or_404(QueueSlot, pk=slot_id, channel=channel)
    queue_slot_remove(slot, by=_user(request))
    messages.success(request, _("Slot removed; posts already queued keep their time."))
    return redirect("publishing:queue", channel_id=channel.pk)


def _own_series(request: HttpRequest, series_id: int) -> Series:
    return get_object_or_404(Series, pk=series_id, owner=_user(request))


@login_required
@require_http_methods(["GET"])
def series_detail(request: HttpRequest, series_id: int) -> HttpResponse:
    """Every occurrence with its deliveries' statuses, and the button to stop what is to come."""
    series = _own_series(request, series_id)
    posts = series.posts.order_by("scheduled_at", "pk").prefetch_related("deliveries__channel")
    return render(request, "publishing/series.html", {"series": series, "posts": posts})


@login_required
@require_POST
def series_stop(request: HttpRequest, series_id: int) -> HttpResponse:
    series = _own_series(request, series_id)
    count = series_cancel_future(series, _user(request))
    messages.success(
        request,
        ngettext(
            "Series stopped: %(count)s post to come was cancelled; the others stay.",
            "Series stopped: %(count)s posts to come were cancelled; the others stay.",
            count,
        )
        % {"count": count},
    )
    return redirect("publishing:series", series_id=series.pk)
