"""MAILLAGE_SIGNUP: open to anyone, or only to visitors who follow a circle's invitation link."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from maillage.accounts.models import Membership, User
from maillage.accounts.services import circle_invitation_create

pytestmark = pytest.mark.django_db

NEW = {
    "email": "nouvelle@example.com",
    "password1": "une-phrase-2026!",
    "password2": "une-phrase-2026!",
}


@pytest.fixture
def invitation_only(settings):
    settings.SIGNUP = "invitation"


def _signup(client: Client, next_url: str = "") -> Any:
    data = dict(NEW, next=next_url) if next_url else NEW
    return client.post("/accounts/signup/", data)


def test_anyone_signs_up_when_sign_up_is_open(client, settings):
    settings.SIGNUP = "open"
    response = _signup(client)
    assert response.status_code == 302
    assert User.objects.filter(email=NEW["email"]).exists()


def test_without_an_invitation_the_page_explains_how_to_get_one(client, invitation_only):
    page = client.get("/accounts/signup/")
    refused = _signup(client)

    assert page.status_code == 200
    assert "Les comptes sont sur invitation" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1]
    assert not User.objects.filter(email=NEW["email"]).exists()
    assert "Les comptes sont sur invitation" in refused.content.decode()


def test_an_invitation_link_leads_through_sign_up_to_the_circle(cast, client, invitation_only):
    invitation = circle_invitation_create(cast.circle, cast.alice)
    join = f"/circles/join/{invitation.token}/"

    # The link sends a visitor without an account to the login page, which offers sign-up
    # with the same destination.
    login = client.get(join, follow=True)
    signup_link = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', login.content.decode())
    assert signup_link is not None and quote(join, safe="") in signup_link.group(1)
    form = client.get(signup_link.group(1).replace("&amp;", "&"))
    assert 'name="next"' in form.content.decode()

    created = _signup(client, join)

    assert created.status_code == 302 and created["Location"] == join
    user = User.objects.get(email=NEW["email"])
    client.post(join, {"share_index": "on", "show_name": "on"})
    assert Membership.objects.filter(circle=cast.circle, user=user).exists()


@pytest.mark.parametrize("how", ["expired", "revoked", "unknown", "elsewhere"])
def test_a_link_that_no_longer_works_opens_no_account(cast, client, invitation_only, how):
    invitation = circle_invitation_create(cast.circle, cast.alice)
    if how == "expired":
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
        invitation.save(update_fields=["expires_at"])
    elif how == "revoked":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    target = {
        "unknown": "/circles/join/not-a-token/",
        "elsewhere": "/presence/",
    }.get(how, f"/circles/join/{invitation.token}/")

    _signup(client, target)

    assert not User.objects.filter(email=NEW["email"]).exists()
