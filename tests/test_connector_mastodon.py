"""The Mastodon connector against exchanges recorded from the API documentation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from maillage.connectors import mastodon
from maillage.connectors.mastodon.markup import status_plain_text
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Media,
    OutgoingPost,
    connector_get,
    content_fingerprint,
)
from maillage.presence.networks import Network
from maillage.publishing.models import Channel, OAuthApplication
from maillage.publishing.services import channel_connect_mastodon
from tests.recordings.replay import replayed

ALICE = Account(
    network="mastodon",
    external_id="109",
    handle="@alice@mastodon.example",
    base_url="https://mastodon.example",
    access_token="token-alice",
)


def publish(post: OutgoingPost | None = None):
    return connector_get("mastodon").publish(ALICE, post or OutgoingPost(text="Bonjour"))


def failure(name: str, **values: str) -> ConnectorError:
    with replayed("mastodon", name, **values) as replay, pytest.raises(ConnectorError) as caught:
        publish()
    assert replay.done
    return caught.value


def test_it_publishes_a_status_with_its_language_and_idempotency_key():
    post = OutgoingPost(
        text="Bonjour le monde\n\nhttps://example.com/article",
        language="fr",
        idempotency_key="maillage-7-abc",
    )
    with replayed("mastodon", "status_created") as replay:
        published = publish(post)
    assert replay.done
    assert published.external_id == "113371298357461112"
    assert published.url == "https://mastodon.example/@alice/113371298357461112"
    assert published.created_at == datetime(2026, 11, 29, 14, 0, 1, 123000, tzinfo=UTC)


def test_it_asks_to_reconnect_on_401():
    error = failure("status_401")
    assert error.needs_reconnect and not error.permanent and not error.ambiguous
    assert error.message == "HTTP 401: The access token is invalid"


def test_it_fails_for_good_on_403_with_mastodons_reason():
    error = failure("status_403")
    assert error.permanent and not error.needs_reconnect
    assert error.message == "HTTP 403: Your login is currently disabled"


def test_it_asks_to_reconnect_when_the_token_lacks_a_scope():
    error = failure("status_403_scope")
    assert error.needs_reconnect and not error.permanent


def test_it_fails_for_good_on_422_with_the_validation_message():
    error = failure("status_422")
    assert error.permanent
    assert "Text character limit of 500 exceeded" in error.message


def test_it_honours_retry_after_on_429():
    error = failure("status_429")
    assert not error.permanent and not error.ambiguous
    assert error.retry_after == 120.0


def test_it_reads_the_rate_limit_reset_when_429_has_no_retry_after():
    reset = (datetime.now(UTC) + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    error = failure("status_429_reset_only", reset=reset)
    assert error.retry_after is not None and 85 <= error.retry_after <= 90


def test_it_retries_a_503_later():
    error = failure("status_503")
    assert not error.permanent and not error.ambiguous and not error.needs_reconnect
    assert error.status_code == 503


def test_it_treats_a_gateway_timeout_as_ambiguous():
    error = failure("status_504")
    assert error.ambiguous and not error.permanent
    assert "504 Gateway Time-out" in error.message


def test_it_treats_a_timeout_after_sending_as_ambiguous():
    error = failure("status_timeout_after_send")
    assert error.ambiguous and not error.permanent
    assert error.message.startswith("No answer from the network after sending: ReadTimeout")


def test_it_retries_when_the_instance_could_not_be_reached():
    error = failure("status_connect_error")
    assert not error.ambiguous and not error.permanent
    assert error.message.startswith("Could not reach the network")


def test_it_uploads_media_and_waits_while_the_instance_processes_it(monkeypatch):
    monkeypatch.setattr(mastodon, "MEDIA_POLL_SECONDS", 0.0)
    photo = Media("cercle.jpg", "image/jpeg", b"\xff\xd8fake jpeg", "Le cercle au petit-déjeuner")
    with replayed("mastodon", "media_upload") as replay:
        published = publish(OutgoingPost(text="Photo du cercle", media=(photo,)))
    assert replay.done
    assert published.external_id == "113371298357461200"
    upload = replay.seen[0]
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'filename="cercle.jpg"' in upload.content


def test_it_reads_back_page_by_page_until_the_window_is_covered(monkeypatch):
    monkeypatch.setattr(mastodon, "READ_BACK_PAGE", 2)
    since = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    with replayed("mastodon", "read_back") as replay:
        read = connector_get("mastodon").read_back(ALICE, since)
    assert replay.done
    assert read.complete
    assert [post.external_id for post in read.posts] == [
        "113371298357461300",
        "113371298357461250",
        "113371298357461200",
    ]
    assert read.posts[0].text == (
        "Merci @bob@other.example pour l'accueil & le café !\n\n"
        "Lire : https://example.com/2026/11/un-tres-long-article-sur-la-vente\n"
        "À bientôt #vente"
    )


def test_it_says_the_read_back_is_incomplete_when_pages_run_out(monkeypatch):
    monkeypatch.setattr(mastodon, "READ_BACK_PAGE", 2)
    monkeypatch.setattr(mastodon, "READ_BACK_PAGES", 1)
    with replayed("mastodon", "read_back"):
        read = connector_get("mastodon").read_back(ALICE, datetime(2026, 11, 1, tzinfo=UTC))
    assert not read.complete
    assert len(read.posts) == 2


def test_it_recognises_a_posted_text_in_mastodons_markup():
    sent = (
        "Nouveau billet :\nhttps://example.com/un/chemin/vraiment/tres/long?x=1&y=2"
        "\n\nMerci @bob@other.example"
    )
    content = (
        "<p>Nouveau billet :<br />"
        '<a href="https://example.com/un/chemin/vraiment/tres/long?x=1&amp;y=2">'
        '<span class="invisible">https://</span>'
        '<span class="ellipsis">example.com/un/chemin/vraimen</span>'
        '<span class="invisible">t/tres/long?x=1&amp;y=2</span></a></p>'
        '<p>Merci <span class="h-card"><a href="https://other.example/@bob" class="u-url mention">'
        "@<span>bob</span></a></span></p>"
    )
    mentions = [{"url": "https://other.example/@bob", "acct": "bob@other.example"}]
    assert content_fingerprint(status_plain_text(content, mentions)) == content_fingerprint(sent)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("HTTPS://Mastodon.Social/", "https://mastodon.social"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ],
)
def test_it_normalises_an_instance_address(typed, normal):
    assert mastodon.instance_url_normalise(typed) == normal


@pytest.mark.django_db
def test_it_connects_an_account_registering_the_app_once_per_instance(cast, settings):
    settings.SITE_URL = "http://testserver"
    with replayed("mastodon", "connect") as replay:
        channel = channel_connect_mastodon(cast.alice, "mastodon.example", "code-from-browser")
    assert replay.done
    assert channel.network == Network.MASTODON
    assert channel.instance_url == "https://mastodon.example"
    assert channel.external_id == "14715"
    assert channel.handle == "@alice@mastodon.example"
    assert channel.display_name == "Alice Tremblay"
    assert channel.max_characters == 1000
    assert channel.access_token == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
    assert "ZA-Yj3aBD8U8Cm7lKUp" not in channel.access_token_encrypted
    app = OAuthApplication.objects.get()
    assert app.client_secret == "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
    # A second connection to the same instance reuses the registration: no POST /api/v1/apps.
    with replayed("mastodon", "connect") as replay:
        replay.exchanges.pop(0)
        again = channel_connect_mastodon(
            cast.alice, "https://mastodon.example/", "code-from-browser"
        )
    assert replay.done
    assert again.pk == channel.pk
    assert Channel.objects.count() == 1
    assert OAuthApplication.objects.count() == 1
