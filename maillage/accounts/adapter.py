"""allauth's account adapter: who may sign up on this Maillage (MAILLAGE_SIGNUP)."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve

from maillage.accounts.models import CircleInvitation

# Anyone may create an account, or only someone who comes with a circle's invitation link.
SIGNUP_OPEN, SIGNUP_INVITATION = "open", "invitation"


def invitation_followed(request: HttpRequest) -> CircleInvitation | None:
    """The valid invitation the visitor is signing up to accept, if any.

    An invitation link sends a visitor without an account to the login page with
    `next=/circles/join/<token>/`, and on to the sign-up page with the same `next`.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return None
    if match.view_name != "circles:join":
        return None
    invitation = CircleInvitation.objects.filter(token=match.kwargs.get("token", "")).first()
    return invitation if invitation is not None and invitation.is_valid else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        if settings.SIGNUP == SIGNUP_OPEN:
            return True
        return invitation_followed(request) is not None
