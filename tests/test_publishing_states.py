"""Every delivery transition: reconcile, missed, dead workers, reconnection, the user's choices."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from maillage.connectors import mastodon
from maillage.connectors.registry import content_fingerprint
from maillage.publishing.models import Channel, Delivery, DeliveryEvent, PublishWorker
from maillage.publishing.services import (
    TRANSITIONS,
    PublishingError,
    VariantInput,
    channel_reconnected,
    deliveries_claim,
    deliveries_hold_for_reconnect,
    deliveries_mark_missed,
    deliveries_reconcile_claim,
    deliveries_recover,
    deliveries_release_orphans,
    delivery_claim,
    delivery_publish,
    delivery_publish_now,
    delivery_reconcile,
    delivery_reschedule,
    planned_post_create,
    planned_post_schedule,
    worker_heartbeat,
)
from maillage.publishing.services.transitions import delivery_move, transition_allowed
from tests.fake_network import Failure, FakeNetwork
from tests.test_publishing_engine import channel_on, claim_and_publish, delivery_to, reasons

Status = Delivery.Status
Reason = DeliveryEvent.Reason
ALL = [choice for choice, _label in Status.choices]


@pytest.fixture(name="fake")
def fake_network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as network:
        yield network


@pytest.fixture(name="alice_channel")
def alice_mastodon(cast, fake) -> Channel:
    return channel_on(fake, cast.alice)


@pytest.mark.parametrize("from_status", ALL)
@pytest.mark.parametrize("to_status", ALL)
def test_it_allows_exactly_the_documented_transitions(alice_channel, from_status, to_status):
    delivery = delivery_to(alice_channel)
    Delivery.objects.filter(pk=delivery.pk).update(status=from_status)
    if not transition_allowed(from_status, to_status):
        with pytest.raises(ValueError, match="is not a delivery transition"):
            delivery_move(delivery, from_status, to_status, Reason.RETRY)
        return
    assert delivery_move(delivery, from_status, to_status, Reason.RETRY, detail="why")
    delivery.refresh_from_db()
    assert delivery.status == to_status
    event = delivery.events.last()
    assert event is not None
    assert (event.from_status, event.to_status, event.detail) == (from_status, to_status, "why")
    # A second identical move finds the delivery no longer in from_status: nothing happens.
    assert not delivery_move(delivery, from_status, to_status, Reason.RETRY)


def test_it_documents_published_as_final():
    assert TRANSITIONS[Status.PUBLISHED] == frozenset()
    assert set(TRANSITIONS) == set(ALL)


# --- ambiguous sends are reconciled, never re-sent blindly ----------------------------------


@pytest.fixture
def timeout_after_send(settings, fake):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 60
    fake.inject(Failure("hang_after", "/api/v1/statuses", seconds=1.0))


def test_it_finds_an_ambiguous_post_on_the_account_and_calls_it_published(
    alice_channel, fake, timeout_after_send
):
    delivery = delivery_to(
        alice_channel, "Un billet\n\nhttps://example.com/un/lien/assez/long/pour/etre/coupe"
    )
    assert claim_and_publish().status == Status.UNCONFIRMED
    done = delivery_reconcile(delivery)
    (post,) = fake.posts
    assert done.status == Status.PUBLISHED
    assert done.external_id == post.external_id
    assert done.external_url.endswith(f"/@alice/{post.external_id}")
    assert reasons(done)[-2:] == [Reason.AMBIGUOUS, Reason.FOUND]
    assert fake.calls[content_fingerprint(post.text)] == 1


def test_it_sends_again_only_once_the_read_back_proves_the_post_absent(
    alice_channel, fake, settings
):
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 60
    # The connection drops after the request went out, and the instance created nothing.
    fake.inject(Failure("drop", "/api/v1/statuses"))
    delivery = delivery_to(alice_channel, "Perdu en route")
    assert claim_and_publish().status == Status.UNCONFIRMED
    # Read too soon: the post might still appear, so it stays unconfirmed, and is looked at
    # again soon (seconds after a send so recent), not after the whole delay.
    read_at = timezone.now()
    assert delivery_reconcile(delivery, read_at).status == Status.UNCONFIRMED
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - read_at == timedelta(seconds=2)
    # Twenty seconds after the send: looked at again twenty seconds later.
    sent_at = delivery.sent_at
    assert sent_at is not None
    delivery_reconcile(delivery, sent_at + timedelta(seconds=20))
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == sent_at + timedelta(seconds=40)
    later = timezone.now() + timedelta(seconds=61)
    done = delivery_reconcile(delivery, later)
    assert done.status == Status.SCHEDULED
    assert reasons(done)[-1] == Reason.ABSENT
    assert claim_and_publish(later).status == Status.PUBLISHED
    assert fake.created[content_fingerprint("Perdu en route")] == 1


def test_it_keeps_waiting_when_the_read_back_does_not_cover_the_window(
    alice_channel, fake, settings, monkeypatch
):
    monkeypatch.setattr(mastodon, "READ_BACK_PAGE", 1)
    monkeypatch.setattr(mastodon, "READ_BACK_PAGES", 1)
    settings.PUBLISHING_RECONCILE_AFTER_SECONDS = 0
    fake.inject(Failure("drop", "/api/v1/statuses"))
    delivery = delivery_to(alice_channel, "Jamais arrivé")
    assert claim_and_publish().status == Status.UNCONFIRMED
    # Two newer posts by the account: one page of one post cannot prove absence.
    fake.create_post("mastodon", "109", "Autre chose")
    fake.create_post("mastodon", "109", "Encore autre chose")
    done = delivery_reconcile(delivery, timezone.now() + timedelta(minutes=5))
    assert done.status == Status.UNCONFIRMED


def test_it_matches_two_identical_posts_to_two_different_statuses(cast, fake, settings):
    settings.CONNECTOR_READ_TIMEOUT = 0.3
    first_channel = channel_on(fake, cast.alice)
    one = delivery_to(first_channel, "Même texte")
    two = delivery_to(first_channel, "Même texte")
    fake.inject(Failure("hang_after", "/api/v1/statuses", times=2, seconds=1.0))
    assert claim_and_publish().status == Status.UNCONFIRMED
    assert claim_and_publish().status == Status.UNCONFIRMED
    from maillage.publishing.services import deliveries_reconcile

    deliveries_reconcile(
        first_channel, [Delivery.objects.get(pk=one.pk), Delivery.objects.get(pk=two.pk)]
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert {one.status, two.status} == {Status.PUBLISHED}
    assert {one.external_id, two.external_id} == {p.external_id for p in fake.posts}


def test_it_takes_unconfirmed_deliveries_for_reconciling_one_worker_at_a_time(
    alice_channel, fake, timeout_after_send
):
    delivery_to(alice_channel)
    claim_and_publish()
    later = timezone.now() + timedelta(seconds=61)
    groups = deliveries_reconcile_claim("worker-a", later)
    assert list(groups) == [alice_channel.pk]
    assert deliveries_reconcile_claim("worker-b", later) == {}


# --- missed ---------------------------------------------------------------------------------


def test_it_marks_a_delivery_missed_past_the_cutoff(alice_channel, settings):
    settings.PUBLISHING_CUTOFF_MINUTES = 60
    now = timezone.now()
    late = delivery_to(alice_channel, "Trop tard", when=now - timedelta(minutes=61))
    on_time = delivery_to(alice_channel, "Encore temps", when=now - timedelta(minutes=59))
    assert deliveries_mark_missed(now) == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.status == Status.MISSED
    assert reasons(late)[-1] == Reason.MISSED
    assert on_time.status == Status.SCHEDULED


def test_it_never_claims_a_delivery_already_past_the_cutoff(alice_channel):
    delivery_to(alice_channel, when=timezone.now() - timedelta(minutes=90))
    assert delivery_claim("worker") is None


def test_it_does_not_call_a_retry_missed(alice_channel):
    delivery = delivery_to(alice_channel, when=timezone.now() - timedelta(minutes=90))
    Delivery.objects.filter(pk=delivery.pk).update(attempts=1)
    assert deliveries_mark_missed() == 0


def test_it_marks_missed_a_dead_workers_unsent_claim_past_the_cutoff(alice_channel, settings):
    settings.PUBLISHING_LEASE_SECONDS = 300
    now = timezone.now()
    delivery = delivery_to(alice_channel, when=now - timedelta(minutes=70))
    assert delivery_claim("dead-worker", now - timedelta(minutes=20)) is not None
    assert deliveries_mark_missed(now) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.MISSED
    assert reasons(delivery)[-2:] == [Reason.CLAIMED, Reason.MISSED]


def test_it_lets_the_user_publish_a_missed_delivery_now(alice_channel, fake, cast):
    delivery = delivery_to(alice_channel, when=timezone.now() - timedelta(hours=3))
    deliveries_mark_missed()
    delivery.refresh_from_db()
    delivery_publish_now(delivery, cast.alice)
    assert delivery.status == Status.SCHEDULED
    done = claim_and_publish()
    assert done.status == Status.PUBLISHED
    assert reasons(done)[-3:] == [Reason.PUBLISH_NOW, Reason.CLAIMED, Reason.PUBLISHED]


def test_it_lets_the_user_reschedule_a_missed_delivery(alice_channel, cast):
    delivery = delivery_to(alice_channel, when=timezone.now() - timedelta(hours=3))
    deliveries_mark_missed()
    delivery.refresh_from_db()
    tomorrow = timezone.now() + timedelta(days=1)
    delivery_reschedule(delivery, cast.alice, tomorrow)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.due_at, delivery.next_attempt_at) == (
        Status.SCHEDULED,
        tomorrow,
        tomorrow,
    )
    assert delivery_claim("worker") is None


def test_it_refuses_the_users_choice_on_a_delivery_in_flight_or_unsure(alice_channel, cast):
    delivery = delivery_to(alice_channel)
    for status in (Status.CLAIMED, Status.UNCONFIRMED, Status.PUBLISHED):
        Delivery.objects.filter(pk=delivery.pk).update(status=status)
        delivery.refresh_from_db()
        with pytest.raises(PublishingError, match="cannot be changed now"):
            delivery_publish_now(delivery, cast.alice)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.MISSED)
    delivery.refresh_from_db()
    with pytest.raises(PublishingError, match="Only the author"):
        delivery_reschedule(delivery, cast.bob, timezone.now())


# --- workers that die -----------------------------------------------------------------------


def test_it_requeues_an_unsent_claim_of_a_dead_worker(alice_channel, settings):
    settings.PUBLISHING_LEASE_SECONDS = 300
    now = timezone.now()
    delivery = delivery_to(alice_channel, when=now - timedelta(minutes=10))
    delivery_claim("dead-worker", now - timedelta(minutes=6))
    assert deliveries_recover(now) == (1, 0)
    delivery.refresh_from_db()
    assert delivery.status == Status.SCHEDULED
    assert reasons(delivery)[-1] == Reason.LEASE_UNSENT


def test_it_checks_rather_than_resends_a_dead_workers_claim_that_may_have_left(
    alice_channel, settings
):
    settings.PUBLISHING_LEASE_SECONDS = 300
    now = timezone.now()
    delivery = delivery_to(alice_channel, when=now - timedelta(minutes=10))
    delivery_claim("dead-worker", now - timedelta(minutes=6))
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=now - timedelta(minutes=6))
    assert deliveries_recover(now) == (0, 1)
    delivery.refresh_from_db()
    assert delivery.status == Status.UNCONFIRMED
    assert reasons(delivery)[-1] == Reason.LEASE_SENT


def test_it_never_takes_the_claims_of_a_worker_still_alive(alice_channel, settings):
    settings.PUBLISHING_LEASE_SECONDS = 300
    now = timezone.now()
    delivery = delivery_to(alice_channel, when=now - timedelta(minutes=10))
    delivery_claim("live-worker", now - timedelta(minutes=6))
    worker_heartbeat("live-worker", "host", 1, now)
    assert deliveries_recover(now) == (0, 0)
    delivery.refresh_from_db()
    assert delivery.status == Status.CLAIMED
    # Its heartbeat gone quiet for longer than the lease, the claim comes back.
    PublishWorker.objects.update(seen_at=now - timedelta(minutes=6))
    assert deliveries_recover(now) == (1, 0)


def _dead_pid() -> int:
    """The id of a process of ours that has just ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_worker_takes_back_at_once_the_claims_of_a_worker_gone_from_this_machine(
    alice_channel, cast, fake, settings
):
    settings.PUBLISHING_LEASE_SECONDS = 300
    now = timezone.now()
    bob_channel = channel_on(fake, cast.bob, "110", "bob")
    unsent = delivery_to(alice_channel, "Pas encore parti", when=now - timedelta(minutes=1))
    sent = delivery_to(bob_channel, "Peut-être parti", when=now - timedelta(minutes=1))
    delivery_claim("crashed", now - timedelta(seconds=20))
    delivery_claim("crashed", now - timedelta(seconds=20))
    Delivery.objects.filter(pk=sent.pk).update(sent_at=now - timedelta(seconds=19))
    # Its heartbeat is fresh (seen 10 s ago), but its process is gone from this machine.
    worker_heartbeat("crashed", socket.gethostname(), _dead_pid(), now - timedelta(seconds=10))
    assert deliveries_recover(now) == (1, 1)
    unsent.refresh_from_db()
    sent.refresh_from_db()
    assert unsent.status == Status.SCHEDULED
    assert reasons(unsent)[-1] == Reason.LEASE_UNSENT
    # Perhaps sent: read back before anything else, never sent again blindly.
    assert sent.status == Status.UNCONFIRMED
    assert reasons(sent)[-1] == Reason.LEASE_SENT


def test_a_worker_elsewhere_or_whose_process_lives_keeps_its_claims_until_the_lease_ends(
    cast, fake, settings
):
    settings.PUBLISHING_LEASE_SECONDS = 300
    now = timezone.now()
    dead = _dead_pid()
    for number, (worker, host, pid) in enumerate(
        (
            ("other-machine", "another-host", dead),
            ("alive-here", socket.gethostname(), os.getppid()),
            ("other-container", socket.gethostname(), dead),
        )
    ):
        channel = channel_on(fake, cast.alice, str(200 + number), f"compte{number}")
        delivery_to(channel, f"Billet de {worker}", when=now - timedelta(minutes=1))
        delivery_claim(worker, now - timedelta(seconds=20))
        worker_heartbeat(worker, host, pid, now - timedelta(seconds=10))
    # Same host name, another PID namespace: its process ids mean nothing here.
    PublishWorker.objects.filter(pk="other-container").update(pid_namespace="pid:[4026531836x]")
    assert deliveries_recover(now) == (0, 0)
    assert Delivery.objects.filter(status=Status.CLAIMED).count() == 3
    # Heartbeats silent past the lease: every claim comes back.
    assert deliveries_recover(now + timedelta(minutes=6)) == (3, 0)


def test_it_releases_a_live_workers_claim_no_thread_holds(alice_channel):
    now = timezone.now()
    delivery = delivery_to(alice_channel, when=now - timedelta(minutes=2))
    delivery_claim("me", now - timedelta(minutes=1))
    assert deliveries_release_orphans("me", [delivery.pk], 30.0, now) == 0
    assert deliveries_release_orphans("me", [], 30.0, now) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SCHEDULED


# --- tokens refused, reconnection -----------------------------------------------------------


def test_it_holds_posts_while_a_channel_needs_reconnecting_and_loses_none(
    alice_channel, fake, cast
):
    now = timezone.now()
    first = delivery_to(alice_channel, "Premier")
    second = delivery_to(alice_channel, "Deuxième")
    later = delivery_to(alice_channel, "Plus tard", when=now + timedelta(hours=2))
    # The user revoked Maillage on the instance: the token no longer works.
    fake.accounts.pop(alice_channel.access_token)
    done = claim_and_publish()
    assert done.status == Status.NEEDS_RECONNECT
    assert done.last_error == "HTTP 401: The access token is invalid"
    alice_channel.refresh_from_db()
    assert alice_channel.status == Channel.Status.NEEDS_RECONNECT
    assert alice_channel.status_reason == "HTTP 401: The access token is invalid"
    second.refresh_from_db()
    assert second.status == Status.NEEDS_RECONNECT
    assert reasons(second)[-1] == Reason.CHANNEL_DISCONNECTED
    # Hours pass: the later post waits too, and nothing becomes missed.
    much_later = now + timedelta(hours=3)
    assert deliveries_mark_missed(much_later) == 0
    assert deliveries_hold_for_reconnect(much_later) == 1
    # Reconnected (a new token): everything goes out, once.
    fake.add_account("token-new", "109", "alice")
    alice_channel.access_token = "token-new"
    alice_channel.save()
    assert channel_reconnected(alice_channel, much_later) == 3
    published = [claim_and_publish(much_later) for _ in range(3)]
    assert [d.status for d in published] == [Status.PUBLISHED] * 3
    assert sorted(p.text for p in fake.posts) == ["Deuxième", "Plus tard", "Premier"]
    for delivery in (first, second, later):
        delivery.refresh_from_db()
        assert delivery.status == Status.PUBLISHED
    assert reasons(first)[-3:] == [Reason.RECONNECTED, Reason.CLAIMED, Reason.PUBLISHED]


def test_it_asks_to_reconnect_when_the_token_has_expired_without_calling(alice_channel, fake):
    Channel.objects.filter(pk=alice_channel.pk).update(
        token_expires_at=timezone.now() - timedelta(days=1)
    )
    delivery_to(alice_channel)
    done = claim_and_publish()
    assert done.status == Status.NEEDS_RECONNECT
    # Said in the author's language (Alice reads French), not the worker's (English here).
    assert done.last_error == "L’accès à ce compte a expiré : reconnectez-le."
    assert fake.requests == {}


def test_it_writes_what_went_wrong_in_each_authors_language(cast, fake):
    from maillage.connectors.x.text import MAX_WEIGHTED_LENGTH

    for user, language in ((cast.alice, "fr"), (cast.bob, "en")):
        user.language = language
        user.save(update_fields=["language"])
    too_long = "mot " * MAX_WEIGHTED_LENGTH
    for user in (cast.alice, cast.bob):
        channel = Channel.objects.create(
            owner=user, network="x", external_id=f"x-{user.pk}", handle=f"@{user.first_name}"
        )
        post = planned_post_create(user, [VariantInput("x", "fr", too_long)])
        planned_post_schedule(post, timezone.now(), [(channel, post.variants.get())])
    with translation.override("de"):  # the worker's own language does not matter
        done = [delivery_publish(d) for d in deliveries_claim("worker", timezone.now(), 2)]
    errors = {d.planned_post.owner.language: d.last_error for d in done}
    assert {d.status for d in done} == {Status.FAILED}
    assert errors["en"].startswith("The text weighs")
    assert errors["fr"].startswith("Le texte pèse")


def test_it_keeps_a_future_post_for_its_time_after_reconnection(alice_channel):
    when = timezone.now() + timedelta(days=2)
    delivery = delivery_to(alice_channel, when=when)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.NEEDS_RECONNECT)
    channel_reconnected(alice_channel)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.due_at, delivery.next_attempt_at) == (
        Status.SCHEDULED,
        when,
        when,
    )
