"""Preferences, circles, invitations, consents, data export and account deletion pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from maillage.accounts import selectors, services
from maillage.accounts.forms import (
    CircleForm,
    ConsentForm,
    DeleteAccountForm,
    PreferencesForm,
)
from maillage.accounts.models import CircleInvitation, Membership, User


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm.for_user(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(user, **form.cleaned_data)
        # The new language applies to this very response, not only the next request.
        translation.activate(user.language)
        messages.success(request, _("Your preferences are saved."))
        return _set_language_cookie(redirect("accounts:settings"), user.language)
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice for a signed-in user."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_preferences_update(_user(request), language=language)
    return django_set_language(request)


@login_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    user = _user(request)
    # Streamed: a heavy account's export is tens of MB (accounts.services).
    response = StreamingHttpResponse(
        services.user_data_export_chunks(user), content_type="application/json; charset=utf-8"
    )
    filename = f"maillage-{user.email}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user)
        logout(request)
        messages.success(request, _("Your account and all your data have been deleted."))
        return redirect("account_login")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
def circle_list(request: HttpRequest) -> HttpResponse:
    memberships = selectors.circles_for_user(_user(request))
    return render(request, "accounts/circle_list.html", {"memberships": memberships})


@login_required
def circle_create(request: HttpRequest) -> HttpResponse:
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        circle = services.circle_create(_user(request), **form.cleaned_data)
        messages.success(request, _("The circle is created. Invite its members with a link."))
        return redirect("circles:detail", pk=circle.pk)
    return render(request, "accounts/circle_form.html", {"form": form})


@login_required
def circle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    circle, membership = selectors.circle_for_member(user, pk)
    context = {
        "circle": circle,
        "membership": membership,
        "members": selectors.circle_members(circle, user),
        "invitations": (
            selectors.circle_invitations_active(circle) if membership.is_animator else []
        ),
        "invitation_days": settings.CIRCLE_INVITATION_DAYS,
    }
    return render(request, "accounts/circle_detail.html", context)


def _animator(request: HttpRequest, pk: int) -> Membership:
    """The asker's membership if they animate the circle: 404 outside it, 403 for members."""
    _circle, membership = selectors.circle_for_member(_user(request), pk)
    if not membership.is_animator:
        raise PermissionDenied(_("Only the circle's animators can do this."))
    return membership


@login_required
@require_POST
def circle_invite(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _animator(request, pk)
    services.circle_invitation_create(membership.circle, _user(request))
    messages.success(request, _("A new invitation link is ready. Copy it and send it."))
    return redirect("circles:detail", pk=pk)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    membership = _animator(request, pk)
    invitation = get_object_or_404(CircleInvitation, pk=invitation_pk, circle=membership.circle)
    services.circle_invitation_revoke(invitation)
    messages.success(request, _("The link no longer works."))
    return redirect("circles:detail", pk=pk)


@login_required
def circle_join(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token)
    user = _user(request)
    existing = selectors.membership_for(user, invitation.circle_id)
    if existing is not None:
        messages.info(request, _("You are already a member of this circle."))
        return redirect("circles:detail", pk=invitation.circle_id)
    if not invitation.is_valid:
        return render(request, "accounts/join_invalid.html", {"invitation": invitation}, status=410)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_join(invitation, user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("circles:join", token=token)
        messages.success(request, _("Welcome to the circle."))
        return redirect("circles:detail", pk=invitation.circle_id)
    return render(
        request,
        "accounts/join.html",
        {"invitation": invitation, "circle": invitation.circle, "form": form},
    )


@login_required
def circle_consent(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    circle, membership = selectors.circle_for_member(user, pk)
    form = ConsentForm.for_membership(
        membership, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        services.membership_consent_update(membership, user, **form.cleaned_data)
        messages.success(request, _("Your choices for this circle are saved."))
        return redirect("circles:consent", pk=pk)
    context = {
        "circle": circle,
        "membership": membership,
        "form": form,
        "history": selectors.consent_history(membership),
    }
    return render(request, "accounts/consent.html", context)


@login_required
def circle_leave(request: HttpRequest, pk: int) -> HttpResponse:
    circle, membership = selectors.circle_for_member(_user(request), pk)
    if request.method == "POST":
        try:
            services.membership_leave(membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("circles:detail", pk=pk)
        messages.success(request, _("You left the circle “%(name)s”.") % {"name": circle.name})
        return redirect("circles:list")
    return render(request, "accounts/leave.html", {"circle": circle, "membership": membership})


def _target(actor: Membership, membership_pk: int) -> Membership:
    return get_object_or_404(Membership, pk=membership_pk, circle_id=actor.circle_id)


def _member_action(
    request: HttpRequest,
    pk: int,
    membership_pk: int,
    action: Callable[[Membership, Membership], object],
    done: str,
) -> HttpResponse:
    """An animator acts on one membership; a refused action comes back as an error message."""
    actor = _animator(request, pk)
    try:
        action(actor, _target(actor, membership_pk))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("circles:detail", pk=pk)


@login_required
@require_POST
def circle_remove_member(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _member_action(
        request,
        pk,
        membership_pk,
        services.membership_remove,
        _("The member was removed from the circle."),
    )


@login_required
@require_POST
def circle_promote_member(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _member_action(
        request,
        pk,
        membership_pk,
        services.membership_promote,
        _("The member is now an animator of the circle."),
    )


@login_required
@require_POST
def circle_demote_member(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _member_action(
        request,
        pk,
        membership_pk,
        services.membership_demote,
        _("The animator is now a member of the circle."),
    )
