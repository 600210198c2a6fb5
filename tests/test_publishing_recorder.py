"""The worker's recorder: sends the network accepted are written many at a time, exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from maillage.accounts.models import User
from maillage.publishing.models import Delivery, DeliveryEvent
from maillage.publishing.services.engine import (
    Sent,
    deliveries_claim,
    deliveries_record_sent,
    delivery_publish,
)
from maillage.publishing.services.transitions import delivery_move
from maillage.publishing.worker import PublishWorker, WorkerOptions
from tests.fake_network import FakeNetwork
from tests.test_publishing_engine import channel_on, delivery_to

Status = Delivery.Status
Reason = DeliveryEvent.Reason


@pytest.fixture(name="fake")
def fake_network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as network:
        yield network


def handed_over(count: int, fake: FakeNetwork, owner: User) -> list[Sent]:
    channels = [channel_on(fake, owner, str(200 + n), f"user{n}") for n in range(count)]
    for number, channel in enumerate(channels):
        delivery_to(channel, f"Publication {number}")
    sent: list[Sent] = []
    for delivery in deliveries_claim("worker-a", timezone.now(), count):
        delivery_publish(delivery, hand_over=sent.append)
    return sent


def test_a_handed_over_send_stays_claimed_with_its_send_noted_until_recorded(cast, fake) -> None:
    (sent,) = handed_over(1, fake, cast.alice)
    stored = Delivery.objects.get(pk=sent.delivery.pk)
    assert stored.status == Status.CLAIMED
    assert stored.sent_at is not None  # a crash now is settled by reading the account back
    assert len(fake.posts) == 1


def test_the_recorder_publishes_a_batch_in_one_go_with_one_event_each(cast, fake) -> None:
    sent = handed_over(3, fake, cast.alice)
    done = deliveries_record_sent(sent)
    assert [d.status for d in done] == [Status.PUBLISHED] * 3
    by_text = {post.text: post for post in fake.posts}
    for delivery in Delivery.objects.select_related("variant"):
        post = by_text[delivery.variant.outgoing_text]
        assert delivery.status == Status.PUBLISHED
        assert (delivery.external_id, delivery.external_url) == (
            post.external_id,
            f"{fake.url}/@{fake.usernames[post.account_id]}/{post.external_id}",
        )
        assert list(delivery.events.values_list("reason", "worker"))[-2:] == [
            (Reason.CLAIMED, "worker-a"),
            (Reason.PUBLISHED, "worker-a"),
        ]
    # Recording twice changes nothing: the claim is spent.
    deliveries_record_sent(sent)
    assert DeliveryEvent.objects.filter(reason=Reason.PUBLISHED).count() == 3


def test_a_send_whose_claim_was_taken_back_meanwhile_is_still_recorded_once(cast, fake) -> None:
    (sent,) = handed_over(1, fake, cast.alice)
    # The worker looked dead: its claim, noted as sent, became unconfirmed.
    delivery = Delivery.objects.get(pk=sent.delivery.pk)
    assert delivery_move(delivery, Status.CLAIMED, Status.UNCONFIRMED, Reason.LEASE_SENT)
    (done,) = deliveries_record_sent([sent])
    assert done.status == Status.PUBLISHED
    stored = Delivery.objects.get(pk=delivery.pk)
    assert stored.status == Status.PUBLISHED
    assert stored.external_id == fake.posts[0].external_id
    assert stored.events.filter(reason=Reason.PUBLISHED).count() == 1


def test_a_batch_where_one_claim_was_taken_back_records_every_send_once(cast, fake) -> None:
    sent = handed_over(3, fake, cast.alice)
    taken = Delivery.objects.get(pk=sent[1].delivery.pk)
    assert delivery_move(taken, Status.CLAIMED, Status.UNCONFIRMED, Reason.LEASE_SENT)
    done = deliveries_record_sent(sent)
    assert [d.status for d in done] == [Status.PUBLISHED] * 3
    for item in sent:
        stored = Delivery.objects.get(pk=item.delivery.pk)
        assert stored.status == Status.PUBLISHED
        assert stored.external_id == item.published.external_id
        assert stored.events.filter(reason=Reason.PUBLISHED).count() == 1
    # The taken-back one moved from where it was, the others from their claim.
    moves = dict(
        DeliveryEvent.objects.filter(reason=Reason.PUBLISHED).values_list(
            "delivery_id", "from_status"
        )
    )
    assert moves == {
        item.delivery.pk: Status.UNCONFIRMED if item.delivery.pk == taken.pk else Status.CLAIMED
        for item in sent
    }


@pytest.mark.django_db(transaction=True)
def test_a_worker_stopping_writes_every_accepted_send_before_it_says_so(cast, fake) -> None:
    for n in range(12):
        delivery_to(channel_on(fake, cast.alice, str(300 + n), f"member{n}"), f"Message {n}")
    stats = PublishWorker(WorkerOptions(threads=4, poll=0.01, exit_when_idle=True)).run()
    assert stats.outcomes == {Status.PUBLISHED: 12}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert len(fake.posts) == 12
