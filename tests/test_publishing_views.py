"""The publishing pages: channels, compose, calendar, a post's page, the iCal feed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from maillage.connectors.http import http_transport_replaced
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.models import Channel
from tests.fake_network import FakeNetwork

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings) -> Iterator[FakeNetwork]:
    settings.SITE_URL = "http://testserver"
    with FakeNetwork() as network:
        yield network


def mastodon_channel(owner, handle: str = "@alice@mastodon.example", **extra) -> Channel:
    channel = Channel(
        owner=owner,
        network=Network.MASTODON,
        external_id=handle,
        handle=handle,
        instance_url="https://mastodon.example",
        **extra,
    )
    channel.access_token = "token"
    channel.save()
    return channel


# --- Channels ------------------------------------------------------------------------------


def test_it_lists_the_users_channels_with_their_status(cast):
    mastodon_channel(cast.alice)
    mastodon_channel(cast.alice, "@alice@other.example", status=Channel.Status.NEEDS_RECONNECT)
    mastodon_channel(cast.bob, "@bob@mastodon.example")
    response = cast.client_for(cast.alice).get("/publishing/channels/")
    page = response.content.decode()
    assert response.status_code == 200
    # French by default; the msgids show until the lead translates them.
    assert 'lang="fr-CA"' in page
    assert "Accounts to publish to" in page
    assert "@alice@mastodon.example" in page and "@alice@other.example" in page
    assert "@bob@mastodon.example" not in page
    assert page.count('data-status="active"') == 1
    assert page.count('data-status="needs_reconnect"') == 1


def test_it_shows_pages_shared_with_my_circles(cast):
    page = mastodon_channel(
        cast.bob, "Boulangerie Gagnon", kind=AccountKind.PAGE, shared_with_circle=cast.circle
    )
    body = cast.client_for(cast.alice).get("/publishing/channels/").content.decode()
    assert page.handle in body


def test_it_connects_a_mastodon_account_through_oauth(cast, fake):
    fake.add_account("tok-alice", "42", "alice", "Alice Tremblay")
    fake.codes["the-code"] = "tok-alice"
    fake.max_characters = 1000
    client = cast.client_for(cast.alice)
    response = client.post("/publishing/channels/mastodon/", {"instance": fake.url})
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert response["Location"].startswith(f"{fake.url}/oauth/authorize?")
    query = parse_qs(authorize.query)
    assert query["redirect_uri"] == ["http://testserver/publishing/channels/mastodon/callback/"]
    state = query["state"][0]
    back = client.get(
        "/publishing/channels/mastodon/callback/", {"state": state, "code": "the-code"}
    )
    assert back.status_code == 302
    channel = Channel.objects.get(owner=cast.alice)
    assert channel.handle == "@alice@127.0.0.1"
    assert channel.max_characters == 1000
    assert channel.access_token == "tok-alice"
    page = client.get("/publishing/channels/").content.decode()
    assert "@alice@127.0.0.1 is connected." in page


def test_it_refuses_a_callback_with_an_unknown_state(cast, fake):
    client = cast.client_for(cast.alice)
    response = client.get(
        "/publishing/channels/mastodon/callback/", {"state": "forged", "code": "x"}
    )
    assert response.status_code == 302
    assert not Channel.objects.exists()


def test_it_says_when_the_instance_is_unreachable(cast, settings):
    settings.SITE_URL = "http://testserver"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    with http_transport_replaced(httpx.MockTransport(refuse)):
        response = cast.client_for(cast.alice).post(
            "/publishing/channels/mastodon/", {"instance": "nowhere.example"}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "https://nowhere.example" in page
    assert "Could not connect" in page


def test_it_reconnects_a_channel_through_its_instance(cast, fake):
    channel = mastodon_channel(cast.alice, status=Channel.Status.NEEDS_RECONNECT)
    Channel.objects.filter(pk=channel.pk).update(instance_url=fake.url)
    response = cast.client_for(cast.alice).post(f"/publishing/channels/{channel.pk}/reconnect/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake.url}/oauth/authorize?")


def test_it_disconnects_a_channel_and_forgets_its_token(cast):
    channel = mastodon_channel(cast.alice)
    response = cast.client_for(cast.alice).post(f"/publishing/channels/{channel.pk}/disconnect/")
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.status == Channel.Status.NEEDS_RECONNECT
    assert channel.access_token_encrypted == ""


def test_it_hides_someone_elses_channel(cast):
    channel = mastodon_channel(cast.bob, "@bob@mastodon.example")
    client = cast.client_for(cast.alice)
    assert client.post(f"/publishing/channels/{channel.pk}/disconnect/").status_code == 404
    assert client.post(f"/publishing/channels/{channel.pk}/reconnect/").status_code == 404
    channel.refresh_from_db()
    assert channel.status == Channel.Status.ACTIVE
