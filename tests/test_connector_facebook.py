"""The Facebook Pages connector against exchanges recorded from the Graph API documentation,
then the engine and the connect views against the loopback fake network."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from maillage.connectors import facebook
from maillage.connectors.facebook import (
    AppCredentials,
    FacebookConnector,
    authorize_url,
    pages_managed,
    token_exchange,
    token_extend,
)
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Media,
    OutgoingPost,
    content_fingerprint,
)
from maillage.presence.networks import AccountKind
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.services import (
    delivery_reconcile,
)
from tests.fake_facebook import facebook_user
from tests.fake_network import Failure, FakeNetwork
from tests.recordings.replay import replayed
from tests.test_publishing_engine import claim_and_publish, delivery_to

Status = Delivery.Status
PAGE_ID = "104512345678901"
GRAPH = "https://graph.facebook.example"

PAGE = Account(
    network="facebook",
    external_id=PAGE_ID,
    handle="Cercle des ventes de Québec",
    base_url=GRAPH,
    access_token="EAAPageToken",
)


@pytest.fixture(autouse=True)
def _graph_version(settings):
    # The recordings were written for this version's paths.
    settings.FACEBOOK_GRAPH_VERSION = "v24.0"


def failure(name: str) -> ConnectorError:
    with replayed("facebook", name) as replay, pytest.raises(ConnectorError) as caught:
        FacebookConnector().publish(PAGE, OutgoingPost(text="Bonjour"))
    assert replay.done
    return caught.value


# --- Publishing -----------------------------------------------------------------------------


def test_it_posts_the_message_with_its_link_in_one_call():
    text = "Bonjour le cercle\n\nhttps://example.com/article"
    with replayed("facebook", "post_created") as replay:
        published = FacebookConnector().publish(PAGE, OutgoingPost(text=text))
    assert replay.done
    # The link stays in the message, so the text read back is the text sent.
    assert parse_qs(replay.seen[0].content.decode()) == {"message": [text]}
    assert published.external_id == f"{PAGE_ID}_122112345678901234"
    assert published.url == f"https://www.facebook.com/{PAGE_ID}_122112345678901234"


def test_it_posts_one_image_as_a_photo_with_the_message():
    photo = Media("cercle.jpg", "image/jpeg", b"\xff\xd8fake jpeg", "Le cercle")
    with replayed("facebook", "photo_post") as replay:
        published = FacebookConnector().publish(
            PAGE, OutgoingPost(text="Photo du cercle", media=(photo,))
        )
    assert replay.done
    upload = replay.seen[0]
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="source"; filename="cercle.jpg"' in upload.content
    assert published.external_id == f"{PAGE_ID}_122112345678905555"


def test_it_uploads_several_images_unpublished_then_attaches_them_to_one_post():
    photos = tuple(Media(f"p{n}.jpg", "image/jpeg", b"\xff\xd8" + bytes([n])) for n in (1, 2))
    with replayed("facebook", "several_photos") as replay:
        published = FacebookConnector().publish(
            PAGE, OutgoingPost(text="Deux photos", media=photos)
        )
    assert replay.done
    feed = parse_qs(replay.seen[2].content.decode())
    assert [json.loads(feed[f"attached_media[{n}]"][0]) for n in (0, 1)] == [
        {"media_fbid": "122100000000000011"},
        {"media_fbid": "122100000000000012"},
    ]
    assert published.external_id == f"{PAGE_ID}_122112345678907777"


def test_it_asks_to_reconnect_when_the_page_token_is_invalidated():
    error = failure("token_expired_190")
    assert error.needs_reconnect and not error.permanent and not error.ambiguous
    assert error.message.startswith("HTTP 400: Error validating access token")


def test_it_asks_to_reconnect_when_a_permission_was_removed():
    error = failure("permission_error")
    assert error.needs_reconnect and not error.permanent
    assert error.message == (
        "HTTP 403: (#200) The user hasn't authorized the application to perform this action"
    )


def test_it_waits_as_long_as_the_page_rate_limit_says():
    error = failure("rate_limit")
    assert not error.permanent and not error.needs_reconnect and not error.ambiguous
    assert error.retry_after == 15 * 60
    assert error.message == "HTTP 400: (#32) Page request limit reached"


@pytest.mark.parametrize("code", [4, 17, 613, 80001])
def test_it_waits_on_every_throttling_code_even_without_a_usage_header(code):
    import httpx

    response = httpx.Response(
        400, json={"error": {"message": "Too many calls", "type": "OAuthException", "code": code}}
    )
    error = facebook._error(response)
    assert not error.permanent and error.retry_after == facebook.DEFAULT_THROTTLE_WAIT


def test_it_retries_a_temporary_facebook_failure_later():
    error = failure("server_500")
    assert not error.permanent and not error.ambiguous and not error.needs_reconnect
    assert error.status_code == 500
    assert error.message == (
        "HTTP 500: An unexpected error has occurred. Please retry your request later."
    )


def test_it_fails_for_good_with_facebooks_reason_on_a_duplicate():
    error = failure("duplicate_post")
    assert error.permanent and not error.needs_reconnect
    assert error.message == "HTTP 400: Duplicate status message"


def test_it_treats_a_timeout_after_sending_as_ambiguous():
    error = failure("timeout_after_send")
    assert error.ambiguous
    assert error.message.startswith("No answer from the network after sending: ReadTimeout")


def test_it_refuses_a_text_over_63206_characters_before_sending():
    with replayed("facebook", "post_created") as replay, pytest.raises(ConnectorError) as caught:
        FacebookConnector().publish(PAGE, OutgoingPost(text="a" * 63_207))
    assert caught.value.permanent
    assert caught.value.message == "The text has 63207 characters; Facebook accepts 63206."
    assert replay.seen == []


# --- Reading back ---------------------------------------------------------------------------


def test_it_reads_the_page_back_following_paging_until_the_window_is_covered(monkeypatch):
    monkeypatch.setattr(facebook, "READ_BACK_PAGE", 2)
    since = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    with replayed("facebook", "read_back") as replay:
        read = FacebookConnector().read_back(PAGE, since)
    assert replay.done
    assert read.complete
    assert [post.text for post in read.posts] == [
        "Merci à tous pour l'accueil & le café !\n\nhttps://example.com/2026/11/article?a=1&b=2",
        "",  # a post without a message (a shared photo)
        "Bonjour",
    ]
    assert read.posts[0].url == f"https://www.facebook.com/{PAGE_ID}/posts/122112345678909999"
    assert read.posts[0].created_at == datetime(2026, 11, 29, 14, 30, tzinfo=UTC)
    # The next page keeps our base URL (the fake's in tests), not graph.facebook.com.
    assert replay.seen[1].url.host == "graph.facebook.example"


def test_it_says_the_read_back_is_incomplete_when_pages_run_out(monkeypatch):
    monkeypatch.setattr(facebook, "READ_BACK_PAGE", 2)
    monkeypatch.setattr(facebook, "READ_BACK_PAGES", 1)
    with replayed("facebook", "read_back"):
        read = FacebookConnector().read_back(PAGE, datetime(2026, 11, 29, 13, 0, tzinfo=UTC))
    assert not read.complete and len(read.posts) == 2


def test_it_recognises_a_sent_message_read_back():
    sent = "Lire <ceci> & https://example.com/a?b=1&c=2"
    assert content_fingerprint(sent) == content_fingerprint(sent + "\n")


# --- Connecting -----------------------------------------------------------------------------


def test_it_builds_the_login_dialog_address_with_the_page_permissions(settings):
    settings.FACEBOOK_DIALOG_URL = "https://www.facebook.com"
    url = authorize_url("maillage-app", "https://maillage.example/cb/", "st4te")
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("www.facebook.com", "/v24.0/dialog/oauth")
    assert {key: values[0] for key, values in parse_qs(parts.query).items()} == {
        "client_id": "maillage-app",
        "redirect_uri": "https://maillage.example/cb/",
        "state": "st4te",
        "scope": "pages_show_list,pages_manage_posts,pages_read_engagement",
        "response_type": "code",
    }


def test_it_exchanges_the_code_extends_the_token_and_lists_every_page():
    app = AppCredentials("maillage-app", "app-secret")
    with replayed("facebook", "connect") as replay:
        short = token_exchange(
            GRAPH,
            app,
            "http://testserver/publishing/channels/facebook/callback/",
            "code-from-browser",
        )
        long = token_extend(GRAPH, app, short.access_token)
        pages = pages_managed(GRAPH, long.access_token)
    assert replay.done
    assert long.access_token == "EAALongUserToken" and long.expires_at is not None
    assert [(p.id, p.name, p.access_token, p.can_post) for p in pages] == [
        (PAGE_ID, "Cercle des ventes de Québec", "EAAPageToken", True),
        ("109876543210987", "Boulangerie Tremblay", "EAAOtherPageToken", False),
        ("107777777777777", "Club de lecture", "EAAThirdPageToken", True),
    ]


# --- Through the loopback fake network ------------------------------------------------------


@pytest.fixture(name="fake")
def fake_network(settings):
    with FakeNetwork() as network:
        settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "facebook": network.url}
        settings.FACEBOOK_DIALOG_URL = network.url
        settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "maillage-app", "app-secret"
        yield network


@pytest.fixture(autouse=True)
def _members_read_english(request):
    # The pages quote English msgids; the cast speaks French by default.
    if "cast" in request.fixturenames:
        cast = request.getfixturevalue("cast")
        for user in (cast.alice, cast.bob):
            user.language = "en"
            user.save(update_fields=["language"])


@pytest.fixture(name="page_channel")
def page_on_facebook(cast, fake):
    facebook_user(fake, "user-alice", [("page-token-cercle", PAGE_ID, "Cercle des ventes")])
    channel = Channel(
        owner=cast.alice,
        network="facebook",
        kind=AccountKind.PAGE,
        external_id=PAGE_ID,
        handle="Cercle des ventes",
    )
    channel.access_token = "page-token-cercle"
    channel.save()
    return channel


@pytest.mark.django_db
def test_it_publishes_to_a_facebook_page_through_the_engine(page_channel, fake):
    delivery = delivery_to(page_channel, "Un billet & un lien", link="https://example.com/a")
    done = claim_and_publish()
    assert done.pk == delivery.pk
    assert done.status == Status.PUBLISHED
    (post,) = fake.posts
    assert post.text == "Un billet & un lien\n\nhttps://example.com/a"
    assert done.external_id == f"{PAGE_ID}_{post.external_id}"
    assert done.external_url == f"https://www.facebook.com/{PAGE_ID}_{post.external_id}"
    assert fake.calls[content_fingerprint(post.text)] == 1


@pytest.mark.django_db
def test_it_publishes_two_images_as_one_facebook_post(page_channel, fake):
    from django.core.files.base import ContentFile

    from maillage.publishing.models import PostMedia

    delivery = delivery_to(page_channel, "Deux photos du cercle")
    for position, name in enumerate(("un.jpg", "deux.jpg")):
        media = PostMedia(planned_post=delivery.planned_post, position=position)
        media.file.save(name, ContentFile(b"\xff\xd8 " + name.encode()), save=True)
    done = claim_and_publish()
    assert done.status == Status.PUBLISHED
    (post,) = fake.posts
    assert post.text == "Deux photos du cercle"
    assert post.media_ids == list(fake.media)
    assert [filename for filename, _data in fake.media.values()] == ["un.jpg", "deux.jpg"]
    assert fake.calls[content_fingerprint(post.text)] == 1


@pytest.mark.django_db
def test_it_reconciles_a_facebook_timeout_after_sending_by_reading_the_page(
    page_channel, fake, settings
):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 60
    fake.inject(Failure("hang_after", f"/v24.0/{PAGE_ID}/feed", seconds=1.0))
    delivery = delivery_to(page_channel, "Un billet & un lien", link="https://example.com/b")
    assert claim_and_publish().status == Status.UNCONFIRMED
    done = delivery_reconcile(delivery)
    (post,) = fake.posts
    assert done.status == Status.PUBLISHED
    assert done.external_id == f"{PAGE_ID}_{post.external_id}"
    assert fake.created[content_fingerprint(post.text)] == 1


@pytest.mark.django_db
def test_it_holds_the_delivery_until_the_page_is_reconnected_when_its_token_expired(
    page_channel, fake
):
    fake.expired_tokens.add("page-token-cercle")
    delivery_to(page_channel, "Un billet")
    done = claim_and_publish()
    page_channel.refresh_from_db()
    assert done.status == Status.NEEDS_RECONNECT
    assert page_channel.status == Channel.Status.NEEDS_RECONNECT
    assert "Error validating access token" in page_channel.status_reason
    assert fake.posts == []


def test_it_connects_every_page_the_member_can_post_to(cast, fake):
    facebook_user(
        fake,
        "user-alice",
        [("page-token-cercle", PAGE_ID, "Cercle des ventes"), ("page-token-club", "1077", "Club")],
    )
    fake.codes["fb-code"] = "user-alice"
    client = cast.client_for(cast.alice)

    start = client.post("/publishing/channels/facebook/")
    assert start.status_code == 302
    location = urlsplit(start["Location"])
    assert location.path == "/v24.0/dialog/oauth"
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query["redirect_uri"].endswith("/publishing/channels/facebook/callback/")
    assert query["scope"] == "pages_show_list,pages_manage_posts,pages_read_engagement"

    done = client.get(
        "/publishing/channels/facebook/callback/",
        {"state": query["state"], "code": "fb-code"},
        follow=True,
    )
    page = done.content.decode()
    assert "The Facebook Page Cercle des ventes is connected." in page
    assert "The Facebook Page Club is connected." in page
    channels = Channel.objects.filter(owner=cast.alice, network="facebook").order_by("handle")
    assert [(c.external_id, c.kind, c.access_token) for c in channels] == [
        (PAGE_ID, AccountKind.PAGE, "page-token-cercle"),
        ("1077", AccountKind.PAGE, "page-token-club"),
    ]
    assert all(c.token_expires_at is None for c in channels)
    # The state is spent: replaying the callback does nothing more.
    again = client.get(
        "/publishing/channels/facebook/callback/",
        {"state": query["state"], "code": "fb-code"},
        follow=True,
    )
    assert "This connection link expired" in again.content.decode()


def test_it_reconnects_a_page_waiting_for_a_new_token(cast, fake, page_channel):
    Channel.objects.filter(pk=page_channel.pk).update(status=Channel.Status.NEEDS_RECONNECT)
    facebook_user(fake, "user-alice-2", [("page-token-new", PAGE_ID, "Cercle des ventes")])
    fake.codes["fb-code-2"] = "user-alice-2"
    client = cast.client_for(cast.alice)
    start = client.post("/publishing/channels/facebook/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    client.get("/publishing/channels/facebook/callback/", {"state": state, "code": "fb-code-2"})
    page_channel.refresh_from_db()
    assert page_channel.status == Channel.Status.ACTIVE
    assert page_channel.access_token == "page-token-new"
    assert Channel.objects.filter(network="facebook").count() == 1


def test_it_tells_a_member_without_a_page_that_none_can_be_connected(cast, fake):
    facebook_user(fake, "user-bob", [])
    fake.codes["fb-code-bob"] = "user-bob"
    client = cast.client_for(cast.bob)
    start = client.post("/publishing/channels/facebook/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    done = client.get(
        "/publishing/channels/facebook/callback/",
        {"state": state, "code": "fb-code-bob"},
        follow=True,
    )
    assert "Facebook lists no Page you can post to." in done.content.decode()
    assert not Channel.objects.filter(network="facebook").exists()


def test_it_says_when_the_member_cancelled_facebook_login(cast, fake):
    client = cast.client_for(cast.alice)
    start = client.post("/publishing/channels/facebook/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    done = client.get(
        "/publishing/channels/facebook/callback/",
        {"state": state, "error": "access_denied", "error_reason": "user_denied"},
        follow=True,
    )
    assert "Facebook did not allow Maillage." in done.content.decode()


def test_it_says_facebook_needs_the_administrators_application(cast, settings):
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "", ""
    response = cast.client_for(cast.alice).post("/publishing/channels/facebook/", follow=True)
    content = response.content.decode()
    assert "Connecting a Facebook Page needs a Meta application" in content
    assert "MAILLAGE_FACEBOOK_APP_ID" in content and "MAILLAGE_FACEBOOK_APP_SECRET" in content


def test_it_shows_the_connect_button_on_the_channels_page(cast):
    page = cast.client_for(cast.alice).get("/publishing/channels/").content.decode()
    assert 'data-testid="facebook-connect"' in page
