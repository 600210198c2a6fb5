"""The Bluesky connector against exchanges recorded from the AT Protocol documentation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from maillage.connectors import bluesky
from maillage.connectors.bluesky import BlueskyConnector, session_create, session_refreshed
from maillage.connectors.bluesky.text import grapheme_count, spans_find, text_fits
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Media,
    OutgoingPost,
    connector_get,
    content_fingerprint,
)
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.services import (
    delivery_reconcile,
)
from tests.fake_network import Failure, FakeNetwork
from tests.recordings.replay import replayed
from tests.test_publishing_engine import claim_and_publish, delivery_to

Status = Delivery.Status

ALICE = Account(
    network="bluesky",
    external_id="did:plc:alicealicealicealice000",
    handle="alice.bsky.social",
    base_url="https://bsky.example",
    access_token="jwt-access-alice",
    refresh_token="jwt-refresh-alice",
)


def sent_json(request) -> dict:
    return json.loads(request.content)


def failure(name: str, **values: str) -> ConnectorError:
    with replayed("bluesky", name, **values) as replay, pytest.raises(ConnectorError) as caught:
        BlueskyConnector().publish(ALICE, OutgoingPost(text="Bonjour"))
    assert replay.done
    return caught.value


def test_it_creates_a_post_with_its_language_and_facets_at_utf8_byte_offsets():
    text = "Café avec @bob.bsky.social → https://example.com/a."
    with replayed("bluesky", "post_created") as replay:
        published = BlueskyConnector().publish(ALICE, OutgoingPost(text=text, language="fr"))
    assert replay.done
    body = sent_json(replay.seen[1])
    assert body["repo"] == "did:plc:alicealicealicealice000"
    assert body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == text
    assert record["langs"] == ["fr"]
    assert record["createdAt"].endswith("Z")
    # "Café avec " is 11 bytes (é takes two); "→ " takes four.
    assert record["facets"] == [
        {
            "index": {"byteStart": 11, "byteEnd": 27},
            "features": [
                {
                    "$type": "app.bsky.richtext.facet#mention",
                    "did": "did:plc:bobbobbobbobbobbobbobbob",
                }
            ],
        },
        {
            "index": {"byteStart": 32, "byteEnd": 53},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a"}],
        },
    ]
    encoded = text.encode("utf-8")
    assert encoded[11:27] == b"@bob.bsky.social"
    assert encoded[32:53] == b"https://example.com/a"
    assert published.external_id == (
        "at://did:plc:alicealicealicealice000/app.bsky.feed.post/3lcv2kx7m5s2k"
    )
    assert published.url == "https://bsky.app/profile/alice.bsky.social/post/3lcv2kx7m5s2k"


def test_it_leaves_a_mention_it_cannot_resolve_as_plain_text():
    with replayed("bluesky", "post_unknown_mention") as replay:
        BlueskyConnector().publish(ALICE, OutgoingPost(text="Salut @personne.example !"))
    assert replay.done
    record = sent_json(replay.seen[1])["record"]
    assert record["text"] == "Salut @personne.example !"
    assert "facets" not in record


def test_it_asks_to_reconnect_on_401():
    error = failure("post_401")
    assert error.needs_reconnect and not error.permanent and not error.ambiguous
    assert error.message == "HTTP 401: AuthenticationRequired: Authentication Required"


def test_it_fails_for_good_on_403_with_the_reason():
    error = failure("post_403")
    assert error.permanent and not error.needs_reconnect
    assert error.message == "HTTP 403: AccountTakedown: Account has been taken down"


def test_it_fails_for_good_when_the_record_is_invalid():
    error = failure("post_400_invalid")
    assert error.permanent
    assert "must not be longer than 300 graphemes" in error.message


def test_it_waits_until_the_rate_limit_resets_on_429():
    reset = str(int((datetime.now(UTC) + timedelta(seconds=300)).timestamp()))
    error = failure("post_429", reset=reset)
    assert not error.permanent and not error.ambiguous
    assert error.retry_after is not None and 295 <= error.retry_after <= 300


def test_it_retries_a_500_later():
    error = failure("post_500")
    assert not error.permanent and not error.ambiguous and error.status_code == 500


def test_it_treats_a_bad_gateway_as_ambiguous():
    error = failure("post_502")
    assert error.ambiguous and not error.permanent


def test_it_treats_a_timeout_after_sending_as_ambiguous():
    error = failure("post_timeout_after_send")
    assert error.ambiguous
    assert error.message.startswith("No answer from the network after sending: ReadTimeout")


@pytest.mark.django_db  # the announced tokens are stored on matching channels
def test_it_refreshes_an_expired_session_once_and_announces_the_new_tokens():
    heard = []

    def receiver(sender, **values):
        heard.append(values)

    session_refreshed.connect(receiver)
    connector = BlueskyConnector()
    try:
        with replayed("bluesky", "post_expired_then_refreshed") as replay:
            published = connector.publish(ALICE, OutgoingPost(text="Bonjour"))
    finally:
        session_refreshed.disconnect(receiver)
    assert replay.done
    assert published.url.endswith("/post/3lcv2m2a3bc2k")
    assert heard == [
        {
            "signal": session_refreshed,
            "network": "bluesky",
            "external_id": "did:plc:alicealicealicealice000",
            "base_url": "https://bsky.example",
            "access_token": "jwt-access-alice-2",
            "refresh_token": "jwt-refresh-alice-2",
        }
    ]
    # The same process goes on with the new session (the old refresh token is spent).
    with replayed("bluesky", "post_401") as replay, pytest.raises(ConnectorError):
        connector.publish(ALICE, OutgoingPost(text="Encore"))
    assert replay.seen[0].headers["authorization"] == "Bearer jwt-access-alice-2"


def test_it_asks_to_reconnect_when_the_refresh_token_expired_too():
    error = failure("post_refresh_expired")
    assert error.needs_reconnect and not error.permanent
    assert error.message == "HTTP 400: ExpiredToken: Token has been revoked"


def test_it_uploads_an_image_as_a_blob_and_embeds_it():
    photo = Media("cercle.jpg", "image/jpeg", b"\xff\xd8fake jpeg", "Le cercle au petit-déjeuner")
    with replayed("bluesky", "media_upload") as replay:
        published = BlueskyConnector().publish(
            ALICE, OutgoingPost(text="Photo du cercle", media=(photo,))
        )
    assert replay.done
    assert replay.seen[0].content == b"\xff\xd8fake jpeg"
    embed = sent_json(replay.seen[1])["record"]["embed"]
    assert embed == {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "alt": "Le cercle au petit-déjeuner",
                "image": {
                    "$type": "blob",
                    "ref": {"$link": "bafkreibabalobzn6cd366ukcsjycp4yymjymgfxcv6xczmlgpemzkz3cfa"},
                    "mimeType": "image/jpeg",
                    "size": 13,
                },
            }
        ],
    }
    assert published.url.endswith("/post/3lcv2n5bbbb2k")


def test_it_refuses_an_image_over_one_megabyte_before_sending_anything():
    big = Media("grand.jpg", "image/jpeg", b"x" * 1_000_001)
    with (
        replayed("bluesky", "post_timeout_after_send") as replay,
        pytest.raises(ConnectorError) as caught,
    ):
        BlueskyConnector().publish(ALICE, OutgoingPost(text="Trop lourd", media=(big,)))
    assert caught.value.permanent
    assert replay.seen == []


def test_it_reads_back_page_by_page_until_the_window_is_covered(monkeypatch):
    monkeypatch.setattr(bluesky, "READ_BACK_PAGE", 2)
    since = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    with replayed("bluesky", "read_back") as replay:
        read = BlueskyConnector().read_back(ALICE, since)
    assert replay.done
    assert read.complete
    assert [post.text for post in read.posts] == [
        "Merci @bob.bsky.social pour l'accueil & le café ! https://example.com/2026/11/article",
        "Photo du cercle",
        "Bonjour",
    ]
    assert read.posts[0].url == "https://bsky.app/profile/alice.bsky.social/post/3lcv2p7ccccc2k"
    assert read.posts[0].created_at == datetime(2026, 11, 29, 14, 30, tzinfo=UTC)


def test_it_says_the_read_back_is_incomplete_when_pages_run_out(monkeypatch):
    monkeypatch.setattr(bluesky, "READ_BACK_PAGE", 2)
    monkeypatch.setattr(bluesky, "READ_BACK_PAGES", 1)
    with replayed("bluesky", "read_back"):
        read = BlueskyConnector().read_back(ALICE, datetime(2026, 11, 1, tzinfo=UTC))
    assert not read.complete and len(read.posts) == 2


def test_it_logs_in_with_an_app_password():
    with replayed("bluesky", "connect") as replay:
        session = session_create("https://bsky.example", "@alice.bsky.social", "abcd-efgh-ijkl")
    assert sent_json(replay.seen[0]) == {
        "identifier": "alice.bsky.social",
        "password": "abcd-efgh-ijkl",
    }
    assert session.did == "did:plc:alicealicealicealice000"
    assert (session.access_jwt, session.refresh_jwt) == ("jwt-access-alice", "jwt-refresh-alice")


def test_it_refuses_a_wrong_app_password_for_good():
    with replayed("bluesky", "connect_401"), pytest.raises(ConnectorError) as caught:
        session_create("https://bsky.example", "alice.bsky.social", "wrong")
    assert caught.value.permanent and not caught.value.needs_reconnect
    assert caught.value.message.endswith("Invalid identifier or password")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Bonjour", 7),
        ("e\u0301te\u0301", 3),  # decomposed accents are one grapheme each
        ("👍🏽", 1),  # skin tone
        ("👩‍👩‍👧‍👦", 1),  # zero-width-joined family
        ("🇫🇷🇨🇦", 2),  # two flags
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1),  # subdivision flag with tags
        ("1️⃣", 1),  # keycap
        ("한국어", 3),
        ("\r\n", 1),
    ],
)
def test_it_counts_graphemes_as_bluesky_does(text, count):
    assert grapheme_count(text) == count


def test_it_allows_three_hundred_graphemes_not_more():
    assert text_fits("é" * 300)
    assert not text_fits("é" * 301)
    assert text_fits("👍🏽" * 300)


def test_it_finds_no_mention_inside_a_link_nor_in_an_address():
    spans = spans_find("Écrire à alice@example.com ou voir https://x.example/@bob.example")
    assert [(span.kind, span.value) for span in spans] == [
        ("link", "https://x.example/@bob.example")
    ]


# --- the engine publishing to Bluesky through the loopback fake network ---------------------


DID = "did:plc:alicealicealicealice000"


@pytest.fixture(name="fake")
def fake_network(settings):
    with FakeNetwork() as network:
        settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "bluesky": network.url}
        yield network
    # The connector is one per process: forget sessions refreshed against this fake.
    connector = connector_get("bluesky")
    assert isinstance(connector, BlueskyConnector)
    connector._sessions.clear()


@pytest.fixture(name="bluesky_channel")
def alice_on_bluesky(cast, fake):
    fake.add_account("jwt-access-alice", DID, "alice.bsky.social")
    fake.add_account("jwt-access-bob", "did:plc:bob", "bob.bsky.social")
    fake.refresh_tokens["jwt-refresh-alice"] = "jwt-access-alice"
    channel = Channel(
        owner=cast.alice, network="bluesky", external_id=DID, handle="alice.bsky.social"
    )
    channel.access_token = "jwt-access-alice"
    channel.refresh_token = "jwt-refresh-alice"
    channel.save()
    return channel


@pytest.mark.django_db
def test_it_publishes_to_bluesky_with_facets_through_the_engine(bluesky_channel, fake):
    delivery = delivery_to(bluesky_channel, "Merci @bob.bsky.social", link="https://example.com/a")
    done = claim_and_publish()
    assert done.pk == delivery.pk
    assert done.status == Status.PUBLISHED
    (post,) = fake.posts
    assert post.text == "Merci @bob.bsky.social\n\nhttps://example.com/a"
    assert post.language == "fr"
    assert done.external_id == f"at://{DID}/app.bsky.feed.post/{post.external_id}"
    assert done.external_url == (
        f"https://bsky.app/profile/alice.bsky.social/post/{post.external_id}"
    )
    facets = fake.records[post.external_id]["facets"]
    assert [facet["features"][0] for facet in facets] == [
        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"},
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a"},
    ]
    assert [facet["index"] for facet in facets] == [
        {"byteStart": 6, "byteEnd": 22},
        {"byteStart": 24, "byteEnd": 45},
    ]


@pytest.mark.django_db
def test_it_reconciles_a_bluesky_timeout_after_sending_by_reading_the_repository(
    bluesky_channel, fake, settings
):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 60
    fake.inject(Failure("hang_after", "/xrpc/com.atproto.repo.createRecord", seconds=1.0))
    delivery = delivery_to(bluesky_channel, "Un billet sur Bluesky")
    assert claim_and_publish().status == Status.UNCONFIRMED
    done = delivery_reconcile(delivery)
    (post,) = fake.posts
    assert done.status == Status.PUBLISHED
    assert done.external_id == f"at://{DID}/app.bsky.feed.post/{post.external_id}"
    assert fake.calls[content_fingerprint("Un billet sur Bluesky")] == 1
    assert fake.created[content_fingerprint("Un billet sur Bluesky")] == 1


@pytest.mark.django_db
def test_it_refreshes_an_expired_bluesky_session_while_publishing(bluesky_channel, fake):
    fake.expired_tokens.add("jwt-access-alice")
    delivery_to(bluesky_channel, "Après expiration")
    done = claim_and_publish()
    assert done.status == Status.PUBLISHED
    assert len(fake.posts) == 1
    assert fake.requests["POST /xrpc/com.atproto.server.refreshSession"] == 1
    # The renewed pair is stored: after a worker restart the channel still works.
    bluesky_channel.refresh_from_db()
    assert bluesky_channel.access_token != "jwt-access-alice"
    assert bluesky_channel.refresh_token != "jwt-refresh-alice"
    assert bluesky_channel.status == "active"
