"""The LinkedIn connector against exchanges recorded from LinkedIn's API documentation, the
engine publishing through the fake network, and connecting a profile with its pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.connectors import linkedin
from maillage.connectors.linkedin import (
    LinkedInConnector,
    little_escape,
    little_plain_text,
    tokens_refreshed,
)
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Media,
    OutgoingPost,
    connector_get,
    content_fingerprint,
)
from maillage.presence.networks import AccountKind
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.services import (
    delivery_reconcile,
)
from maillage.publishing.services.channels_linkedin import (
    channel_tokens_store_linkedin,
    channels_connect_linkedin,
    linkedin_redirect_uri,
)
from tests.fake_linkedin import LinkedInRoutes
from tests.fake_network import Failure, FakeNetwork
from tests.recordings.replay import replayed
from tests.test_publishing_engine import claim_and_publish, delivery_to

Status = Delivery.Status
PERSON = "urn:li:person:782bbtaQ"

ALICE = Account(
    network="linkedin",
    external_id=PERSON,
    handle="Alice Tremblay",
    base_url="https://api.linkedin.example",
    access_token="li-access-alice",
    refresh_token="li-refresh-alice",
)
ALICE_PAGE = Account(
    network="linkedin",
    external_id="2414183",
    handle="tremblay-conseil",
    base_url="https://api.linkedin.example",
    access_token="li-access-alice",
)


@pytest.fixture(autouse=True)
def _linkedin_settings(settings):
    settings.LINKEDIN_VERSION = "202610"
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "maillage-client", "secret"
    settings.LINKEDIN_OAUTH_URL = "https://www.linkedin.example/oauth/v2"
    yield
    connector = connector_get("linkedin")
    assert isinstance(connector, LinkedInConnector)
    connector._tokens.clear()


def failure(name: str, account: Account = ALICE, **values: str) -> ConnectorError:
    with replayed("linkedin", name, **values) as replay, pytest.raises(ConnectorError) as caught:
        LinkedInConnector().publish(account, OutgoingPost(text="Bonjour"))
    assert replay.done
    return caught.value


# --- publishing, from the recordings ---------------------------------------------------------


def test_it_publishes_as_the_member_and_keeps_the_post_urn_and_link():
    with replayed("linkedin", "post_created") as replay:
        published = LinkedInConnector().publish(
            ALICE, OutgoingPost(text="Bonjour (enfin) #vente https://example.com/a_b")
        )
    assert replay.done
    assert json.loads(replay.seen[0].content) == {
        "author": PERSON,
        "commentary": "Bonjour \\(enfin\\) #vente https://example.com/a\\_b",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert published.external_id == "urn:li:share:7404913752012345678"
    assert published.url == "https://www.linkedin.com/feed/update/urn:li:share:7404913752012345678/"


def test_it_publishes_as_a_page_with_the_organization_as_author():
    with replayed("linkedin", "post_created") as replay:
        LinkedInConnector().publish(ALICE_PAGE, OutgoingPost(text="Bonjour"))
    assert json.loads(replay.seen[0].content)["author"] == "urn:li:organization:2414183"


def test_it_asks_to_reconnect_on_401_when_nothing_can_refresh_the_token():
    error = failure("post_401", account=ALICE_PAGE)
    assert error.needs_reconnect and not error.permanent and not error.ambiguous
    assert "revoked by the user (REVOKED_ACCESS_TOKEN)" in error.message


@pytest.mark.django_db
def test_it_refreshes_an_expired_token_once_and_announces_it():
    announced = []

    def receive(sender, **kwargs):
        announced.append(kwargs)

    tokens_refreshed.connect(receive)
    try:
        with replayed("linkedin", "post_401_refreshed") as replay:
            published = LinkedInConnector().publish(ALICE, OutgoingPost(text="Bonjour"))
    finally:
        tokens_refreshed.disconnect(receive)
    assert replay.done
    assert published.external_id == "urn:li:share:7404913752012345690"
    (event,) = announced
    assert event["access_token"] == "li-access-alice-2"
    assert event["refresh_token"] == "li-refresh-alice"
    assert event["previous_access_token"] == "li-access-alice"
    assert event["expires_at"] > datetime.now(UTC) + timedelta(days=59)


def test_it_fails_for_good_on_403_with_linkedins_reason():
    error = failure("post_403")
    assert error.permanent and not error.needs_reconnect
    assert "Not enough permissions" in error.message and "ACCESS_DENIED" in error.message


def test_it_waits_for_the_daily_reset_at_midnight_utc_on_429():
    error = failure("post_429")
    assert not error.permanent and not error.ambiguous
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert error.retry_after == pytest.approx((midnight - now).total_seconds(), abs=5)


@pytest.mark.parametrize("name", ["post_500", "post_503"])
def test_it_retries_a_server_error_later(name):
    error = failure(name)
    assert not error.permanent and not error.ambiguous and not error.needs_reconnect


def test_it_treats_a_timeout_after_sending_as_ambiguous():
    error = failure("post_timeout_after_send")
    assert error.ambiguous and not error.permanent


def test_it_explains_a_retired_linkedin_version_to_the_administrator(settings):
    settings.LINKEDIN_VERSION = "202401"
    error = failure("post_version_retired")
    assert error.permanent and error.status_code == 426
    assert "LinkedIn no longer accepts API version 202401" in error.message
    assert "MAILLAGE_LINKEDIN_VERSION" in error.message
    assert "Requested version 20240101 is not active" in error.message


def test_it_uploads_each_image_then_posts_them_as_a_multi_image():
    media = (
        Media("a.png", "image/png", b"\x89PNG-a", "Un graphique"),
        Media("b.jpg", "image/jpeg", b"\xff\xd8-b", ""),
    )
    with replayed("linkedin", "image_upload") as replay:
        LinkedInConnector().publish(ALICE, OutgoingPost(text="Deux images", media=media))
    assert replay.done
    initialize, upload = json.loads(replay.seen[0].content), replay.seen[1]
    assert initialize == {"initializeUploadRequest": {"owner": PERSON}}
    assert upload.content == b"\x89PNG-a"
    body = json.loads(replay.seen[4].content)
    assert body["content"] == {
        "multiImage": {
            "images": [
                {"id": "urn:li:image:D4E10AQF1", "altText": "Un graphique"},
                {"id": "urn:li:image:D4E10AQF2", "altText": ""},
            ]
        }
    }


def test_it_refuses_an_image_linkedin_cannot_take_before_sending_anything():
    media = (Media("a.webp", "image/webp", b"RIFF", ""),)
    with replayed("linkedin", "post_created") as replay, pytest.raises(ConnectorError) as caught:
        LinkedInConnector().publish(ALICE, OutgoingPost(text="Une image", media=media))
    assert replay.seen == []
    assert caught.value.permanent
    assert caught.value.message == "LinkedIn accepts JPEG, PNG and GIF images, not image/webp."


def test_it_refuses_a_text_over_3000_characters_before_sending():
    with replayed("linkedin", "post_created") as replay:
        LinkedInConnector().publish(ALICE, OutgoingPost(text="é" * 3000))
    assert replay.done
    with pytest.raises(ConnectorError) as caught:
        LinkedInConnector().publish(ALICE, OutgoingPost(text="é" * 3001))
    assert caught.value.permanent
    assert caught.value.message == "The text has 3001 characters; LinkedIn accepts 3000."


# --- reading back ----------------------------------------------------------------------------


def test_it_reads_back_newest_first_as_plain_text_and_covers_the_window():
    since = datetime.fromtimestamp(1796000000, tz=UTC)
    with replayed("linkedin", "read_back", author=PERSON) as replay:
        read = LinkedInConnector().read_back(ALICE, since)
    assert replay.done
    assert read.complete
    assert [post.external_id for post in read.posts] == [
        "urn:li:share:7404913752012345700",
        "urn:li:ugcPost:7404913752012345600",
    ]
    first, second = read.posts
    assert first.text == "Nouveau billet (enfin) #vente @Québec https://example.com/a_b"
    assert first.created_at == datetime.fromtimestamp(1796054400, tz=UTC)
    assert first.url == "https://www.linkedin.com/feed/update/urn:li:share:7404913752012345700/"
    assert second.text == "Merci Acme Corp #Ventes"


def test_it_says_the_window_is_not_covered_when_linkedin_refuses_the_read_back():
    with replayed("linkedin", "read_back_refused") as replay:
        read = LinkedInConnector().read_back(ALICE, datetime.now(UTC) - timedelta(hours=1))
    assert replay.done
    assert read.posts == [] and not read.complete


@pytest.mark.parametrize(
    "text",
    [
        "Plain words, accents: é à ç",
        "All reserved: \\ | { } @ [ ] ( ) < > # * _ ~",
        "@[Not a mention](urn:li:person:1) {hashtag|#|nope} \\# already",
        "#hashtags #stay, x#y ##no # no #_no",
    ],
)
def test_it_recognises_a_sent_text_after_the_little_round_trip(text):
    assert little_plain_text(little_escape(text)) == text
    assert content_fingerprint(little_plain_text(little_escape(text))) == content_fingerprint(text)


def test_it_keeps_hashtags_as_hashtags_and_escapes_every_other_reserved_character():
    assert little_escape("#ventes #Québec2026, x#y ##no # no #_no (a) @b") == (
        "#ventes #Québec2026, x\\#y \\#\\#no \\# no \\#\\_no \\(a\\) \\@b"
    )


# --- connecting, from the recordings ---------------------------------------------------------


def test_it_builds_an_authorization_url_with_the_scopes_and_state():
    url = linkedin.authorize_url("maillage-client", "https://maillage.example/cb/", "s-1")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.linkedin.example/oauth/v2/authorization"
    )
    assert query["response_type"] == ["code"]
    assert query["state"] == ["s-1"]
    assert query["redirect_uri"] == ["https://maillage.example/cb/"]
    scopes = query["scope"][0].split()
    assert {"openid", "profile", "email", "w_member_social", "w_organization_social"} <= set(scopes)


@pytest.mark.django_db
def test_it_connects_the_profile_and_each_page_administered(cast, settings):
    settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "linkedin": ALICE.base_url}
    with replayed("linkedin", "connect", redirect_uri=linkedin_redirect_uri()) as replay:
        connection = channels_connect_linkedin(cast.alice, "li-code")
    assert replay.done
    profile, (page,) = connection.profile, connection.pages
    assert (profile.kind, profile.external_id, profile.handle) == (
        AccountKind.PROFILE,
        PERSON,
        "Alice Tremblay",
    )
    assert (page.kind, page.external_id, page.handle, page.display_name) == (
        AccountKind.PAGE,
        "2414183",
        "tremblay-conseil",
        "Tremblay Conseil",
    )
    for channel in (profile, page):
        channel.refresh_from_db()
        assert channel.access_token == "li-access-alice"
        assert channel.refresh_token == "li-refresh-alice"
        # The refresh token's year, not the access token's 60 days: the connector renews.
        assert channel.token_expires_at is not None
        assert channel.token_expires_at > timezone.now() + timedelta(days=364)


@pytest.mark.django_db
def test_it_stores_a_renewed_token_on_the_profile_and_its_pages(cast):
    other = Channel(owner=cast.bob, network="linkedin", external_id="urn:li:person:bob")
    for owner, external_id in ((cast.alice, PERSON), (cast.alice, "2414183"), (cast.bob, "x")):
        channel = Channel(owner=owner, network="linkedin", external_id=external_id, handle="h")
        channel.access_token, channel.refresh_token = "li-access-alice", "r"
        channel.save()
    other.access_token = "li-access-bob"
    other.handle = "Bob"
    other.save()
    saved = channel_tokens_store_linkedin(
        external_id="2414183",
        access_token="li-access-alice-2",
        refresh_token="r",
        previous_access_token="li-access-alice",
    )
    assert saved == 2
    tokens = {c.external_id: c.access_token for c in Channel.objects.filter(owner=cast.alice)}
    assert tokens == {PERSON: "li-access-alice-2", "2414183": "li-access-alice-2"}
    assert Channel.objects.get(owner=cast.bob, external_id="x").access_token == "li-access-alice"


# --- the engine and the views through the loopback fake network ------------------------------


@pytest.fixture(name="fake")
def fake_network(settings):
    with FakeNetwork() as network:
        settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "linkedin": network.url}
        settings.LINKEDIN_OAUTH_URL = f"{network.url}/oauth/v2"
        network.add_account("li-access-alice", "782bbtaQ", "alice", "Alice Tremblay")
        LinkedInRoutes.of(network).add_page(
            "li-access-alice", "2414183", "Tremblay Conseil", "tremblay-conseil"
        )
        yield network


def linkedin_channel(owner, external_id: str, kind: str = AccountKind.PROFILE) -> Channel:
    channel = Channel(
        owner=owner, network="linkedin", external_id=external_id, handle="Alice", kind=kind
    )
    channel.access_token = "li-access-alice"
    channel.save()
    return channel


@pytest.mark.django_db
def test_it_publishes_to_a_linkedin_page_through_the_engine(cast, fake):
    page = linkedin_channel(cast.alice, "2414183", AccountKind.PAGE)
    delivery = delivery_to(page, "Nos offres (printemps) #ventes", link="https://example.com/a_b")
    done = claim_and_publish()
    assert done.pk == delivery.pk
    assert done.status == Status.PUBLISHED
    (post,) = fake.posts
    assert post.account_id == "urn:li:organization:2414183"
    assert post.text == "Nos offres (printemps) #ventes\n\nhttps://example.com/a_b"
    assert done.external_id == f"urn:li:share:{post.external_id}"
    assert done.external_url == (
        f"https://www.linkedin.com/feed/update/urn:li:share:{post.external_id}/"
    )
    assert fake.calls[content_fingerprint(post.text)] == 1


@pytest.mark.django_db
def test_it_reconciles_a_page_timeout_after_sending_without_posting_twice(cast, fake, settings):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 60
    page = linkedin_channel(cast.alice, "2414183", AccountKind.PAGE)
    fake.inject(Failure("hang_after", "/rest/posts", seconds=1.0))
    delivery = delivery_to(page, "Un billet & des [crochets] *étoilés*")
    assert claim_and_publish().status == Status.UNCONFIRMED
    done = delivery_reconcile(delivery)
    (post,) = fake.posts
    assert done.status == Status.PUBLISHED
    assert done.external_id == f"urn:li:share:{post.external_id}"
    assert fake.created[content_fingerprint(post.text)] == 1


@pytest.mark.django_db
def test_it_keeps_a_profile_delivery_unconfirmed_when_its_posts_cannot_be_read(
    cast, fake, settings
):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 0
    LinkedInRoutes.of(fake).read_refused.add(PERSON)
    profile = linkedin_channel(cast.alice, PERSON)
    fake.inject(Failure("hang_after", "/rest/posts", seconds=1.0))
    delivery = delivery_to(profile, "Bonjour")
    assert claim_and_publish().status == Status.UNCONFIRMED
    assert delivery_reconcile(delivery).status == Status.UNCONFIRMED
    assert len(fake.posts) == 1


@pytest.mark.django_db
def test_it_uploads_one_image_to_the_fake_and_references_it(fake):
    account = Account("linkedin", PERSON, "Alice", fake.url, "li-access-alice")
    media = (Media("a.png", "image/png", b"\x89PNG", "Alt"),)
    published = LinkedInConnector().publish(account, OutgoingPost(text="Une image", media=media))
    (post,) = fake.posts
    (image,) = post.media_ids
    assert LinkedInRoutes.of(fake).uploads[image] == b"\x89PNG"
    assert published.external_id == f"urn:li:share:{post.external_id}"


@pytest.mark.django_db
def test_it_connects_from_the_channels_page_through_linkedin(cast, fake, settings):
    fake.authorize_as = "li-access-alice"
    cast.alice.language = "en"
    cast.alice.save()
    client = cast.client_for(cast.alice)
    page = client.get(reverse("publishing:channels")).content.decode()
    assert "Connect LinkedIn" in page
    assert f'action="{reverse("publishing:channel_connect_linkedin")}"' in page
    answer = client.post(reverse("publishing:channel_connect_linkedin"))
    assert answer.status_code == 302
    authorization = answer["Location"]
    assert authorization.startswith(f"{fake.url}/oauth/v2/authorization?")
    # The member allows Maillage on LinkedIn, which sends the browser back with a code.
    allowed = httpx.get(authorization, follow_redirects=False)
    callback = urlsplit(allowed.headers["Location"])
    assert callback.path == reverse("publishing:channel_linkedin_callback")
    done = client.get(f"{callback.path}?{callback.query}", follow=True).content.decode()
    assert "Alice Tremblay is connected." in done
    assert "The LinkedIn page Tremblay Conseil is connected." in done
    channels = Channel.objects.filter(owner=cast.alice, network="linkedin").order_by("kind")
    assert [(c.kind, c.external_id) for c in channels] == [
        (AccountKind.PAGE, "2414183"),
        (AccountKind.PROFILE, PERSON),
    ]
    # The same link cannot be used twice.
    again = client.get(f"{callback.path}?{callback.query}", follow=True).content.decode()
    assert "This connection link expired" in again


@pytest.mark.django_db
def test_it_tells_the_member_the_administrator_must_configure_linkedin(cast, settings):
    settings.LINKEDIN_CLIENT_ID = ""
    cast.alice.language = "en"
    cast.alice.save()
    client = cast.client_for(cast.alice)
    answer = client.post(reverse("publishing:channel_connect_linkedin"), follow=True)
    text = answer.content.decode()
    assert "MAILLAGE_LINKEDIN_CLIENT_ID" in text
    assert "/publishing/channels/linkedin/callback/" in text


@pytest.mark.django_db
def test_it_revives_a_waiting_page_when_the_member_connects_again(cast, fake):
    page = linkedin_channel(cast.alice, "2414183", AccountKind.PAGE)
    page.status, page.status_reason = Channel.Status.NEEDS_RECONNECT, "HTTP 401"
    page.save()
    fake.codes["li-code"] = "li-access-alice"
    connection = channels_connect_linkedin(cast.alice, "li-code")
    (again,) = connection.pages
    assert again.pk == page.pk
    page.refresh_from_db()
    assert page.status == Channel.Status.ACTIVE
    assert page.display_name == "Tremblay Conseil"
    assert Channel.objects.filter(owner=cast.alice, network="linkedin").count() == 2
