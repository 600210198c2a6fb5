"""The X connector against exchanges recorded from the X API v2 documentation."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from maillage.connectors import x
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Media,
    OutgoingPost,
    connector_get,
    content_fingerprint,
)
from maillage.connectors.x import (
    ClientCredentials,
    XConnector,
    account_me,
    authorize_url,
    pkce_pair,
    token_exchange,
    tokens_refreshed,
    tweet_plain_text,
)
from maillage.connectors.x.text import text_fits, weighted_length
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.services import (
    delivery_reconcile,
)
from tests.fake_network import Failure, FakeNetwork
from tests.recordings.replay import replayed
from tests.test_publishing_engine import claim_and_publish, delivery_to

Status = Delivery.Status

ALICE = Account(
    network="x",
    external_id="2244994945",
    handle="@alice_tremblay",
    base_url="https://api.x.example",
    access_token="x-access-alice",
    refresh_token="x-refresh-alice",
)


def failure(name: str, **values: str) -> ConnectorError:
    with replayed("x", name, **values) as replay, pytest.raises(ConnectorError) as caught:
        XConnector().publish(ALICE, OutgoingPost(text="Bonjour"))
    assert replay.done
    return caught.value


def test_it_posts_a_tweet_and_keeps_its_id_and_link():
    with replayed("x", "tweet_created") as replay:
        published = XConnector().publish(
            ALICE, OutgoingPost(text="Bonjour le monde https://example.com/article")
        )
    assert replay.done
    assert json.loads(replay.seen[0].content) == {
        "text": "Bonjour le monde https://example.com/article"
    }
    assert published.external_id == "1862501294838493184"
    assert published.url == "https://x.com/alice_tremblay/status/1862501294838493184"


def test_it_asks_to_reconnect_on_401_when_nothing_can_refresh_the_token():
    error = failure("tweet_401")
    assert error.needs_reconnect and not error.permanent and not error.ambiguous
    assert error.message == "HTTP 401: Unauthorized"


@pytest.mark.django_db  # the announced tokens are stored on matching channels
def test_it_refreshes_an_expired_token_once_and_announces_the_new_pair(settings):
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "maillage-client", "secret"
    heard = []

    def receiver(sender, **values):
        heard.append(values)

    tokens_refreshed.connect(receiver)
    connector = XConnector()
    try:
        with replayed("x", "tweet_401_refreshed") as replay:
            published = connector.publish(ALICE, OutgoingPost(text="Bonjour"))
    finally:
        tokens_refreshed.disconnect(receiver)
    assert replay.done
    assert published.external_id == "1862501294838493190"
    (values,) = heard
    assert (values["access_token"], values["refresh_token"]) == (
        "x-access-alice-2",
        "x-refresh-alice-2",
    )
    assert values["expires_at"] > datetime.now(UTC) + timedelta(seconds=7100)
    # The spent refresh token is never used again by this process.
    with replayed("x", "tweet_403") as replay, pytest.raises(ConnectorError):
        connector.publish(ALICE, OutgoingPost(text="Encore"))
    assert replay.seen[0].headers["authorization"] == "Bearer x-access-alice-2"


def test_it_asks_to_reconnect_when_the_refresh_token_is_refused(settings):
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "maillage-client", ""
    error = failure("tweet_401_refresh_revoked")
    assert error.needs_reconnect and not error.permanent
    assert error.message == "HTTP 400: Value passed for the token was invalid."


def test_it_fails_for_good_on_403_with_xs_reason():
    error = failure("tweet_403")
    assert error.permanent and not error.needs_reconnect
    assert (
        error.message == "HTTP 403: You are not allowed to create a Tweet with duplicate content."
    )


def test_it_waits_until_the_rate_limit_resets_on_429():
    reset = str(int((datetime.now(UTC) + timedelta(seconds=900)).timestamp()))
    error = failure("tweet_429", reset=reset)
    assert not error.permanent and not error.ambiguous
    assert error.retry_after is not None and 895 <= error.retry_after <= 900


def test_it_retries_a_503_later():
    error = failure("tweet_503")
    assert not error.permanent and not error.ambiguous and error.status_code == 503
    assert error.message == "HTTP 503: Service Unavailable"


def test_it_treats_a_gateway_timeout_as_ambiguous():
    error = failure("tweet_504")
    assert error.ambiguous and error.message == "HTTP 504: upstream request timeout"


def test_it_treats_a_timeout_after_sending_as_ambiguous():
    error = failure("tweet_timeout_after_send")
    assert error.ambiguous
    assert error.message.startswith("No answer from the network after sending: ReadTimeout")


def test_it_uploads_an_image_with_its_alt_text_and_attaches_it():
    photo = Media("cercle.jpg", "image/jpeg", b"\xff\xd8fake jpeg", "Le cercle au petit-déjeuner")
    with replayed("x", "media_upload") as replay:
        published = XConnector().publish(
            ALICE, OutgoingPost(text="Photo du cercle", media=(photo,))
        )
    assert replay.done
    upload, metadata, tweet = replay.seen
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="media"; filename="cercle.jpg"' in upload.content
    assert json.loads(metadata.content) == {
        "id": "1880028106020515840",
        "metadata": {"alt_text": {"text": "Le cercle au petit-déjeuner"}},
    }
    assert json.loads(tweet.content) == {
        "text": "Photo du cercle",
        "media": {"media_ids": ["1880028106020515840"]},
    }
    assert published.external_id == "1862501294838493200"


def test_it_refuses_a_text_over_280_weighted_characters_before_sending():
    with (
        replayed("x", "tweet_created") as replay,
        pytest.raises(ConnectorError) as caught,
    ):
        XConnector().publish(ALICE, OutgoingPost(text="日本" * 71))
    assert caught.value.permanent
    assert caught.value.message == "The text weighs 284 characters; X accepts 280."
    assert replay.seen == []


def test_it_reads_back_page_by_page_with_links_expanded(monkeypatch):
    monkeypatch.setattr(x, "READ_BACK_PAGE", 2)
    since = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    with replayed("x", "read_back") as replay:
        read = XConnector().read_back(ALICE, since)
    assert replay.done
    assert read.complete
    assert [post.text for post in read.posts] == [
        "Merci @bob pour l'accueil & le café ! https://example.com/2026/11/article",
        "Photo du cercle",
        "Bonjour",
    ]
    assert read.posts[0].url == "https://x.com/alice_tremblay/status/1862501294838493300"
    assert read.posts[0].created_at == datetime(2026, 11, 29, 14, 30, tzinfo=UTC)


def test_it_says_the_read_back_is_incomplete_when_pages_run_out(monkeypatch):
    monkeypatch.setattr(x, "READ_BACK_PAGE", 2)
    monkeypatch.setattr(x, "READ_BACK_PAGES", 1)
    with replayed("x", "read_back"):
        read = XConnector().read_back(ALICE, datetime(2026, 11, 29, 13, 0, tzinfo=UTC))
    assert not read.complete and len(read.posts) == 2


def test_it_recognises_a_sent_text_in_xs_rendering():
    sent = "Lire <ceci> & https://example.com/a?b=1&c=2"
    tweet = {
        "text": "Lire &lt;ceci&gt; &amp; https://t.co/zzzz",
        "entities": {
            "urls": [{"url": "https://t.co/zzzz", "expanded_url": "https://example.com/a?b=1&c=2"}]
        },
    }
    assert content_fingerprint(tweet_plain_text(tweet)) == content_fingerprint(sent)


def test_it_builds_an_authorize_url_with_an_s256_challenge():
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge == expected.rstrip(b"=").decode()
    url = authorize_url("maillage-client", "https://maillage.example/cb/", "st4te", challenge)
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("x.com", "/i/oauth2/authorize")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "maillage-client",
        "redirect_uri": "https://maillage.example/cb/",
        "scope": "tweet.read tweet.write users.read media.write offline.access",
        "state": "st4te",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def test_it_exchanges_the_code_with_the_verifier_and_reads_the_account():
    client = ClientCredentials("maillage-client")
    with replayed("x", "connect") as replay:
        tokens = token_exchange(
            "https://api.x.example",
            client,
            "http://testserver/publishing/channels/x/callback/",
            "code-from-browser",
            "the-verifier",
        )
        me = account_me("https://api.x.example", tokens.access_token)
    assert replay.done
    # A public client sends no Basic credentials.
    assert "authorization" not in replay.seen[0].headers
    assert (tokens.access_token, tokens.refresh_token) == ("x-access-alice", "x-refresh-alice")
    assert tokens.expires_at is not None
    assert (me.external_id, me.handle, me.display_name) == (
        "2244994945",
        "@alice_tremblay",
        "Alice Tremblay",
    )


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("Bonjour", 7),
        ("Café", 4),
        ("Cafe\u0301", 4),  # NFC first: é is one code point
        ("日本", 4),  # CJK weighs 2
        ("한국어", 6),
        ("👍", 2),
        ("👍🏽", 2),  # skin tone: one emoji
        ("👩‍👩‍👧‍👦", 2),  # a zero-width-joined family is one emoji
        ("🇫🇷🇨🇦", 4),
        ("1️⃣", 2),
        ("“ça” — oui…", 12),  # quotes and dashes are light, the ellipsis (U+2026) is not
        ("a https://example.com/" + "x" * 200 + " b", 27),  # any link weighs 23
        ("voir example.com.", 29),  # a bare domain too, without the full stop
        ("http://a.co", 23),
    ],
)
def test_it_weighs_text_as_x_does(text, weight):
    assert weighted_length(text) == weight


def test_it_allows_280_weighted_characters_not_more():
    assert text_fits("a" * 280)
    assert not text_fits("a" * 281)
    assert text_fits("日" * 140)
    assert not text_fits("日" * 140 + "a")


# --- the engine publishing to X through the loopback fake network ---------------------------

X_ID = "2244994945"


@pytest.fixture(name="fake")
def fake_network(settings):
    with FakeNetwork() as network:
        settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "x": network.url}
        yield network
    connector = connector_get("x")
    assert isinstance(connector, XConnector)
    connector._tokens.clear()


@pytest.fixture(name="x_channel")
def alice_on_x(cast, fake):
    fake.add_account("x-access-alice", X_ID, "alice_tremblay")
    channel = Channel(owner=cast.alice, network="x", external_id=X_ID, handle="@alice_tremblay")
    channel.access_token = "x-access-alice"
    channel.refresh_token = "x-refresh-alice"
    channel.save()
    return channel


@pytest.mark.django_db
def test_it_publishes_to_x_through_the_engine(x_channel, fake):
    delivery = delivery_to(x_channel, "Un billet & un lien", link="https://example.com/a")
    done = claim_and_publish()
    assert done.pk == delivery.pk
    assert done.status == Status.PUBLISHED
    (post,) = fake.posts
    assert post.text == "Un billet & un lien\n\nhttps://example.com/a"
    assert done.external_id == post.external_id
    assert done.external_url == f"https://x.com/alice_tremblay/status/{post.external_id}"


@pytest.mark.django_db
def test_it_reconciles_an_x_timeout_after_sending_by_reading_the_timeline(
    x_channel, fake, settings
):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 60
    fake.inject(Failure("hang_after", "/2/tweets", seconds=1.0))
    text = "Un billet & un lien"
    delivery = delivery_to(x_channel, text, link="https://example.com/un/long/chemin")
    assert claim_and_publish().status == Status.UNCONFIRMED
    done = delivery_reconcile(delivery)
    (post,) = fake.posts
    assert done.status == Status.PUBLISHED
    assert done.external_id == post.external_id
    assert fake.calls[content_fingerprint(post.text)] == 1
    assert fake.created[content_fingerprint(post.text)] == 1
