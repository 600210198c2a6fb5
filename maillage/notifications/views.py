"""The notifications page: the list, mark read, the e-mail preference."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts.models import User
from maillage.notifications.forms import NotificationPreferenceForm
from maillage.notifications.selectors import notification_emails_wanted, notifications_page
from maillage.notifications.services import notification_preference_set, notifications_mark_read


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = notifications_page(user, request.GET.get("page"))
    form = NotificationPreferenceForm(initial={"email": notification_emails_wanted(user)})
    return render(request, "notifications/list.html", {"page": page, "form": form})


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(_user(request))
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    # Only the reader's own: someone else's id changes nothing.
    notifications_mark_read(_user(request), [notification_id])
    return redirect("notifications:list")


@login_required
@require_POST
def notification_preference(request: HttpRequest) -> HttpResponse:
    form = NotificationPreferenceForm(request.POST)
    if form.is_valid():
        notification_preference_set(_user(request), email=form.cleaned_data["email"])
        messages.success(request, _("Your notification preference is saved."))
    return redirect("notifications:list")
