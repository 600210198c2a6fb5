"""The publishing engine against the loopback fake network: claim, publish, every outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from maillage.accounts.models import User
from maillage.connectors.registry import Limits, content_fingerprint
from maillage.presence.networks import AccountKind
from maillage.publishing.models import Channel, Delivery, DeliveryEvent, PostMedia
from maillage.publishing.services import (
    PublishingError,
    VariantInput,
    deliveries_claim,
    delivery_claim,
    delivery_publish,
    planned_post_create,
    planned_post_schedule,
    retry_delay,
)
from maillage.publishing.tasks import delivery_publish_task
from tests.conftest import team
from tests.fake_network import Failure, FakeNetwork

Status = Delivery.Status
Reason = DeliveryEvent.Reason


# --- helpers shared by the publishing tests -------------------------------------------------


def channel_on(
    fake: FakeNetwork,
    owner: User,
    account_id: str = "109",
    username: str = "alice",
    kind: str = AccountKind.PROFILE,
) -> Channel:
    """A Mastodon channel whose instance is the fake network (the account is added there)."""
    token = f"token-{username}-{account_id}"
    fake.add_account(token, account_id, username)
    channel = Channel(
        owner=owner,
        network="mastodon",
        kind=kind,
        external_id=account_id,
        handle=f"@{username}@127.0.0.1",
        instance_url=fake.url,
    )
    channel.access_token = token
    channel.save()
    return channel


def delivery_to(
    channel: Channel,
    text: str = "Bonjour le cercle",
    when: datetime | None = None,
    link: str = "",
    owner: User | None = None,
) -> Delivery:
    post = planned_post_create(
        owner or channel.owner, [VariantInput(channel.network, "fr", text, link)]
    )
    (delivery,) = planned_post_schedule(
        post, when or timezone.now(), [(channel, post.variants.get())]
    )
    return delivery


def claim_and_publish(now: datetime | None = None) -> Delivery:
    claimed = delivery_claim("test-worker", now)
    assert claimed is not None
    return delivery_publish(claimed)


def reasons(delivery: Delivery) -> list[str]:
    return list(delivery.events.values_list("reason", flat=True))


@pytest.fixture(name="fake")
def fake_network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as network:
        yield network


@pytest.fixture(name="alice_channel")
def alice_mastodon(cast, fake) -> Channel:
    return channel_on(fake, cast.alice)


# --- claiming -------------------------------------------------------------------------------


def test_it_claims_a_due_delivery_only_once(alice_channel):
    delivery = delivery_to(alice_channel)
    first = delivery_claim("worker-a")
    second = delivery_claim("worker-b")
    assert first is not None and first.pk == delivery.pk
    assert first.status == Status.CLAIMED and first.claimed_by == "worker-a"
    assert second is None
    assert reasons(delivery) == [Reason.SCHEDULED, Reason.CLAIMED]


def test_it_leaves_a_delivery_alone_until_it_is_due(alice_channel):
    delivery_to(alice_channel, when=timezone.now() + timedelta(minutes=5))
    assert delivery_claim("worker") is None
    assert delivery_claim("worker", timezone.now() + timedelta(minutes=6)) is not None


def test_it_claims_one_delivery_per_account_at_a_time(cast, fake, alice_channel):
    other = channel_on(fake, cast.alice, "110", "alice2")
    for text in ("un", "deux", "trois"):
        delivery_to(alice_channel, text)
    delivery_to(other, "quatre")
    claimed = deliveries_claim("worker", timezone.now(), 10)
    assert sorted(d.channel_id for d in claimed) == sorted([alice_channel.pk, other.pk])
    # The account's next post waits for the one in flight.
    assert deliveries_claim("worker", timezone.now(), 10) == []


def test_it_keeps_to_the_networks_limit_of_calls_in_flight(cast, fake, monkeypatch):
    from maillage.connectors.mastodon import MastodonConnector

    monkeypatch.setattr(MastodonConnector, "limits", lambda self: Limits(1, 2, 0.0))
    for number in range(4):
        delivery_to(channel_on(fake, cast.alice, str(200 + number), f"user{number}"))
    assert len(deliveries_claim("worker", timezone.now(), 10)) == 2
    assert deliveries_claim("worker", timezone.now(), 10) == []


def test_it_spaces_sends_on_an_account_by_the_minimum_interval(alice_channel, monkeypatch):
    from maillage.connectors.mastodon import MastodonConnector

    monkeypatch.setattr(MastodonConnector, "limits", lambda self: Limits(5, 50, 30.0))
    delivery_to(alice_channel, "un")
    delivery_to(alice_channel, "deux")
    now = timezone.now()
    assert len(deliveries_claim("worker", now, 10)) == 1
    assert deliveries_claim("worker", now + timedelta(seconds=10), 10) == []
    assert len(deliveries_claim("worker", now + timedelta(seconds=31), 10)) == 1


# --- publishing outcomes --------------------------------------------------------------------


def test_it_publishes_and_keeps_the_posts_id_and_link(alice_channel, fake):
    delivery = delivery_to(alice_channel, "Bonjour le cercle", link="https://example.com/a")
    done = claim_and_publish()
    assert done.status == Status.PUBLISHED
    (post,) = fake.posts
    assert post.text == "Bonjour le cercle\n\nhttps://example.com/a"
    assert post.language == "fr"
    assert done.external_id == post.external_id
    assert done.external_url == f"{fake.url}/@alice/{post.external_id}"
    assert done.fingerprint == content_fingerprint(post.text)
    assert done.attempts == 1
    assert reasons(delivery) == [Reason.SCHEDULED, Reason.CLAIMED, Reason.PUBLISHED]


def test_it_sends_one_idempotency_key_per_delivery(alice_channel, fake):
    delivery = delivery_to(alice_channel, "Une clé")
    claim_and_publish()
    assert list(fake.idempotency) == [
        f"maillage-{delivery.pk}-{content_fingerprint('Une clé')[:16]}"
    ]


def test_it_uploads_the_posts_images(alice_channel, fake, settings, tmp_path):
    from django.core.files.base import ContentFile

    delivery = delivery_to(alice_channel, "Avec photo")
    media = PostMedia(planned_post=delivery.planned_post, description="Le cercle")
    media.file.save("cercle.jpg", ContentFile(b"\xff\xd8 a jpeg"), save=True)
    done = claim_and_publish()
    assert done.status == Status.PUBLISHED
    ((filename, data),) = fake.media.values()
    assert filename == "cercle.jpg" and data == b"\xff\xd8 a jpeg"
    assert fake.posts[0].media_ids == list(fake.media)


def test_it_retries_a_server_error_later_with_backoff(alice_channel, fake, settings):
    settings.PUBLISHING_RETRY_BASE_SECONDS = 30
    fake.inject(Failure("status", "/api/v1/statuses", status=503, body={"error": "down"}))
    delivery_to(alice_channel)
    before = timezone.now()
    done = claim_and_publish()
    assert done.status == Status.SCHEDULED
    assert done.attempts == 1
    assert done.last_error == "HTTP 503: down"
    assert (
        before + timedelta(seconds=15)
        <= done.next_attempt_at
        <= timezone.now() + timedelta(seconds=30)
    )
    assert reasons(done)[-1] == Reason.RETRY
    assert fake.posts == []
    # Once its time comes it goes out.
    again = claim_and_publish(done.next_attempt_at)
    assert again.status == Status.PUBLISHED
    assert again.attempts == 2


def test_it_waits_as_long_as_retry_after_says_and_pauses_the_account(alice_channel, fake):
    fake.inject(
        Failure(
            "status",
            "/api/v1/statuses",
            status=429,
            body={"error": "Too many requests"},
            headers={"Retry-After": "600"},
        )
    )
    first = delivery_to(alice_channel, "un")
    delivery_to(alice_channel, "deux")
    done = claim_and_publish()
    assert done.pk == first.pk and done.status == Status.SCHEDULED
    assert done.next_attempt_at >= timezone.now() + timedelta(seconds=590)
    assert reasons(done)[-1] == Reason.RATE_LIMITED
    alice_channel.refresh_from_db()
    assert alice_channel.throttle_until is not None
    # The other post of that account waits too.
    assert delivery_claim("worker", timezone.now() + timedelta(seconds=60)) is None


def test_it_gives_up_after_the_last_attempt(alice_channel, fake, settings):
    settings.PUBLISHING_MAX_ATTEMPTS = 2
    fake.inject(Failure("status", "/api/v1/statuses", times=2, status=500, body={"error": "boom"}))
    delivery_to(alice_channel)
    first = claim_and_publish()
    second = claim_and_publish(first.next_attempt_at)
    assert second.status == Status.FAILED
    assert second.last_error == "HTTP 500: boom"
    assert reasons(second)[-1] == Reason.GAVE_UP


def test_it_fails_at_once_with_the_networks_reason_when_refused(alice_channel, fake):
    fake.inject(
        Failure(
            "status",
            "/api/v1/statuses",
            status=422,
            body={"error": "Validation failed: Text character limit of 500 exceeded"},
        )
    )
    delivery_to(alice_channel)
    done = claim_and_publish()
    assert done.status == Status.FAILED
    assert done.last_error == "HTTP 422: Validation failed: Text character limit of 500 exceeded"
    assert reasons(done)[-1] == Reason.REFUSED


def test_it_treats_a_timeout_after_sending_as_unconfirmed(alice_channel, fake, settings):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    fake.inject(Failure("hang_after", "/api/v1/statuses", seconds=1.0))
    delivery_to(alice_channel)
    done = claim_and_publish()
    assert done.status == Status.UNCONFIRMED
    # In the author's language: Alice reads French.
    assert done.last_error.startswith("Aucune réponse du réseau après l’envoi : ReadTimeout")
    assert reasons(done)[-1] == Reason.AMBIGUOUS
    # It is never claimed again blindly.
    assert delivery_claim("worker", timezone.now() + timedelta(hours=1)) is None
    assert fake.calls[content_fingerprint("Bonjour le cercle")] == 1


def test_it_refuses_to_call_a_network_inside_a_transaction(alice_channel):
    delivery_to(alice_channel)
    claimed = delivery_claim("worker")
    assert claimed is not None
    with transaction.atomic(), pytest.raises(RuntimeError):
        delivery_publish(claimed)


def test_it_publishes_through_the_django_task(alice_channel, fake):
    delivery = delivery_to(alice_channel)
    result = delivery_publish_task.enqueue(delivery.pk)
    assert result.return_value == Status.PUBLISHED
    assert len(fake.posts) == 1
    # A second task for the same delivery finds nothing to do.
    assert delivery_publish_task.enqueue(delivery.pk).return_value is None
    assert len(fake.posts) == 1


@pytest.mark.parametrize("attempts", [1, 2, 3, 6, 12])
def test_it_backs_off_exponentially_with_jitter_and_a_cap(settings, attempts):
    import random

    settings.PUBLISHING_RETRY_BASE_SECONDS = 30
    settings.PUBLISHING_RETRY_MAX_SECONDS = 3600
    backoff = min(3600, 30 * 2 ** (attempts - 1))
    delays = [retry_delay(attempts, rng=random.Random(seed)) for seed in range(50)]
    assert all(backoff / 2 <= delay <= backoff for delay in delays)
    assert len(set(delays)) > 1
    assert retry_delay(attempts, retry_after=7200.0) == 7200.0


# --- who may publish where ------------------------------------------------------------------


def test_it_lets_circle_members_schedule_to_a_shared_page(cast, fake):
    from maillage.publishing.services import channel_share

    page = channel_on(fake, cast.alice, "300", "boutique", kind=AccountKind.PAGE)
    channel_share(page, team(cast.circle), cast.alice)
    delivery = delivery_to(page, "Pour la page", owner=cast.bob)
    assert delivery.planned_post.owner == cast.bob
    with pytest.raises(PublishingError, match="ask its owner to share it"):
        delivery_to(page, "Pas membre", owner=cast.dave)
    channel_share(page, None, cast.alice)
    with pytest.raises(PublishingError):
        delivery_to(page, "Révoqué", owner=cast.bob)


def test_it_shares_only_pages_and_only_by_their_owner(cast, fake):
    from maillage.publishing.services import channel_share

    profile = channel_on(fake, cast.alice)
    with pytest.raises(PublishingError, match="Only pages can be shared"):
        channel_share(profile, cast.circle, cast.alice)
    page = channel_on(fake, cast.alice, "301", "page", kind=AccountKind.PAGE)
    with pytest.raises(PublishingError, match="Only the account's owner"):
        channel_share(page, cast.circle, cast.bob)


def test_it_schedules_a_post_to_a_channel_once(alice_channel):
    post = planned_post_create(alice_channel.owner, [VariantInput("mastodon", "en", "Hello")])
    variant = post.variants.get()
    when = timezone.now()
    assert len(planned_post_schedule(post, when, [(alice_channel, variant)])) == 1
    assert planned_post_schedule(post, when, [(alice_channel, variant)]) == []
    assert Delivery.objects.count() == 1


def test_it_refuses_a_variant_of_another_network(alice_channel):
    post = planned_post_create(alice_channel.owner, [VariantInput("bluesky", "fr", "Allô")])
    with pytest.raises(PublishingError, match="cannot go to a Mastodon account"):
        planned_post_schedule(post, timezone.now(), [(alice_channel, post.variants.get())])
