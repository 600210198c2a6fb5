"""Sharing a page with a team, and reconnecting an account of any network from its row."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.accounts.models import Circle, Membership
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.models import Channel
from maillage.publishing.services import PublishingError, channel_share
from tests.conftest import team

pytestmark = pytest.mark.django_db


def channel(owner, network: str = Network.FACEBOOK, kind: str = AccountKind.PAGE, **extra):
    made = Channel(
        owner=owner,
        network=network,
        kind=kind,
        external_id=extra.pop("external_id", "104512345678901"),
        handle=extra.pop("handle", "Boulangerie Tremblay"),
        **extra,
    )
    made.access_token = "token"
    made.save()
    return made


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


# --- sharing a page -------------------------------------------------------------------------


def test_a_page_is_shared_only_with_a_team_circle(cast) -> None:
    page = channel(cast.alice)
    with pytest.raises(PublishingError, match="only with a team circle"):
        channel_share(page, cast.circle, cast.alice)  # a peer circle: other companies
    channel_share(page, team(cast.circle), cast.alice)
    page.refresh_from_db()
    assert page.shared_with_circle == cast.circle


def test_the_owner_shares_a_page_from_the_channels_page_and_revokes_it(cast) -> None:
    english(cast.alice)
    page = channel(cast.alice)
    team(cast.circle)
    client = cast.client_for(cast.alice)
    listing = client.get(reverse("publishing:channels")).content.decode()
    assert f'data-testid="share-{page.pk}"' in listing
    assert f'<option value="{cast.circle.pk}">{cast.circle.name}</option>' in listing

    response = client.post(reverse("publishing:share", args=[page.pk]), {"circle": cast.circle.pk})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.shared_with_circle == cast.circle
    # Bob, a member, now sees the page among those he may plan posts to.
    bob_page = cast.client_for(cast.bob).get(reverse("publishing:channels")).content.decode()
    assert "Boulangerie Tremblay" in bob_page

    followed = client.post(reverse("publishing:share", args=[page.pk]), {"circle": ""}, follow=True)
    page.refresh_from_db()
    assert page.shared_with_circle is None
    assert "is no longer shared" in followed.content.decode()


def test_only_the_owner_shares_and_only_pages_offer_it(cast) -> None:
    english(cast.bob)
    page = channel(cast.alice)
    team(cast.circle)
    response = cast.client_for(cast.bob).post(
        reverse("publishing:share", args=[page.pk]), {"circle": cast.circle.pk}
    )
    assert response.status_code == 404
    profile = channel(cast.bob, Network.MASTODON, AccountKind.PROFILE, instance_url="https://m.ex")
    listing = cast.client_for(cast.bob).get(reverse("publishing:channels")).content.decode()
    assert f'data-testid="share-{profile.pk}"' not in listing
    followed = cast.client_for(cast.bob).post(
        reverse("publishing:share", args=[profile.pk]), {"circle": cast.circle.pk}, follow=True
    )
    assert "Only pages can be shared" in followed.content.decode()
    profile.refresh_from_db()
    assert profile.shared_with_circle is None


def test_a_page_owner_outside_any_team_is_told_how_to_share(cast) -> None:
    english(cast.dave)
    channel(cast.dave)
    listing = cast.client_for(cast.dave).get(reverse("publishing:channels")).content.decode()
    assert "Join or create a team circle" in listing


def test_sharing_with_a_team_the_owner_left_is_refused(cast) -> None:
    english(cast.alice)
    other = Circle.objects.create(name="Autre équipe", kind=Circle.Kind.TEAM, created_by=cast.dave)
    Membership.objects.create(circle=other, user=cast.dave, role=Membership.Role.ANIMATOR)
    page = channel(cast.alice)
    followed = cast.client_for(cast.alice).post(
        reverse("publishing:share", args=[page.pk]), {"circle": other.pk}, follow=True
    )
    assert "a circle you belong to" in followed.content.decode()


# --- reconnecting ---------------------------------------------------------------------------


def test_reconnecting_bluesky_asks_for_a_new_app_password_for_the_same_handle(cast) -> None:
    english(cast.alice)
    account = channel(
        cast.alice,
        Network.BLUESKY,
        AccountKind.PROFILE,
        external_id="did:plc:alice",
        handle="alice.bsky.social",
        status=Channel.Status.NEEDS_RECONNECT,
    )
    page = cast.client_for(cast.alice).post(reverse("publishing:reconnect", args=[account.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Type a new app password for alice.bsky.social" in body
    assert 'value="alice.bsky.social"' in body


def test_reconnecting_x_linkedin_and_facebook_goes_through_their_login_again(
    cast, settings
) -> None:
    settings.X_CLIENT_ID = "x-client"
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "li-client", "secret"
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "fb-app", "secret"
    client = cast.client_for(cast.alice)
    expected = {
        Network.X: ("x.com", "x-client"),
        Network.LINKEDIN: ("www.linkedin.com", "li-client"),
        Network.FACEBOOK: ("www.facebook.com", "fb-app"),
    }
    for network, (host, client_id) in expected.items():
        account = channel(cast.alice, network, external_id=f"id-{network}", handle=f"@{network}")
        response = client.post(reverse("publishing:reconnect", args=[account.pk]))
        assert response.status_code == 302, network
        location = urlsplit(response["Location"])
        assert location.hostname == host
        assert parse_qs(location.query)["client_id"] == [client_id]


def test_reconnecting_someone_elses_account_is_not_found(cast) -> None:
    account = channel(cast.alice, Network.X)
    with translation.override("en"):
        response = cast.client_for(cast.bob).post(
            reverse("publishing:reconnect", args=[account.pk])
        )
    assert response.status_code == 404
