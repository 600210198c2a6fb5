"""Tokens at rest are encrypted (Fernet), and the key can be rotated without losing them."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.utils import timezone

from maillage.publishing.crypto import TokenKeyError, token_decrypt, token_encrypt
from maillage.publishing.models import Channel, Delivery, OAuthApplication
from maillage.publishing.services import delivery_claim, delivery_publish
from tests.fake_network import FakeNetwork
from tests.test_publishing_engine import channel_on, delivery_to

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(channel: Channel) -> str:
    return Channel.objects.values_list("access_token_encrypted", flat=True).get(pk=channel.pk)


def test_it_never_stores_a_token_in_clear(cast, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    channel = Channel(owner=cast.alice, network="mastodon", external_id="1", handle="@a@x")
    channel.access_token = "secret-token-123"
    channel.refresh_token = "refresh-456"
    channel.save()
    raw = stored(channel)
    assert "secret-token-123" not in raw
    assert Fernet(OLD_KEY.encode()).decrypt(raw.encode()) == b"secret-token-123"
    reloaded = Channel.objects.get(pk=channel.pk)
    assert (reloaded.access_token, reloaded.refresh_token) == ("secret-token-123", "refresh-456")


def test_it_derives_a_key_from_the_secret_key_when_none_is_configured(settings):
    settings.TOKEN_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "first secret"
    sealed = token_encrypt("token")
    assert token_decrypt(sealed) == "token"
    settings.SECRET_KEY = "another secret"
    with pytest.raises(TokenKeyError):
        token_decrypt(sealed)


def test_it_rotates_every_token_to_the_new_key(cast, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    channel = Channel(owner=cast.alice, network="mastodon", external_id="1", handle="@a@x")
    channel.access_token = "secret-token-123"
    channel.save()
    app = OAuthApplication(network="mastodon", instance_url="https://x", redirect_uri="r")
    app.client_secret = "client-secret"
    app.save()
    # Step 1: the new key goes first, the old one stays so every token still opens.
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Channel.objects.get(pk=channel.pk).access_token == "secret-token-123"
    # Step 2: re-encrypt everything with the new key.
    out = io.StringIO()
    call_command("rotate_tokens", stdout=out)
    assert "Tokens re-encrypted with the first key: 2" in out.getvalue()
    assert Fernet(NEW_KEY.encode()).decrypt(stored(channel).encode()) == b"secret-token-123"
    # Step 3: the old key can go.
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]
    assert Channel.objects.get(pk=channel.pk).access_token == "secret-token-123"
    assert OAuthApplication.objects.get().client_secret == "client-secret"


def test_it_refuses_to_rotate_when_a_token_opens_with_no_key(cast, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    channel = Channel(owner=cast.alice, network="mastodon", external_id="1", handle="@a@x")
    channel.access_token = "secret"
    channel.save()
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]  # the old key was dropped too early
    with pytest.raises(CommandError, match="keep the old key in the list"):
        call_command("rotate_tokens", stdout=io.StringIO())
    assert Fernet(OLD_KEY.encode()).decrypt(stored(channel).encode()) == b"secret"


def test_it_prints_a_fresh_key_to_rotate_to():
    out = io.StringIO()
    call_command("rotate_tokens", "--new-key", stdout=out)
    key = out.getvalue().strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"


def test_it_asks_to_reconnect_a_channel_whose_token_no_key_opens(cast, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    with FakeNetwork() as fake:
        channel = channel_on(fake, cast.alice)
        delivery_to(channel, when=timezone.now())
        settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]
        claimed = delivery_claim("worker")
        assert claimed is not None
        done = delivery_publish(claimed)
        assert done.status == Delivery.Status.NEEDS_RECONNECT
        assert fake.requests == {}
