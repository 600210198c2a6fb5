"""Notifications: a delivery that needs its author shows in the app and is e-mailed in batches."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from maillage.notifications.models import Notification, NotificationPreference
from maillage.notifications.receivers import deliveries_moved_receive
from maillage.notifications.selectors import notifications_unread_count
from maillage.notifications.services import notifications_email_send, notifications_record
from maillage.notifications.tasks import notifications_email_task
from maillage.presence.networks import AccountKind
from maillage.publishing.models import Channel, Delivery, DeliveryEvent
from maillage.publishing.services import (
    channel_reconnected,
    channel_share,
    deliveries_mark_missed,
    delivery_publish_now,
)
from maillage.publishing.services.transitions import delivery_move
from tests.conftest import make_user, team
from tests.fake_network import Failure, FakeNetwork
from tests.test_publishing_engine import channel_on, claim_and_publish, delivery_to

Status = Delivery.Status
Reason = DeliveryEvent.Reason
Kind = Notification.Kind

Committed = Callable[[], AbstractContextManager[Any]]

REFUSED = "Validation failed: Text character limit of 500 exceeded"


@pytest.fixture(name="fake")
def fake_network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as network:
        yield network


@pytest.fixture(name="committed")
def committed_fixture(django_capture_on_commit_callbacks) -> Committed:
    """Run what the block registers for after the commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(name="queued")
def queued_tasks(settings) -> None:
    """Tasks are only queued (with their run_after), as the database backend would keep them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(name="alice_channel")
def alice_mastodon(cast, fake) -> Channel:
    return channel_on(fake, cast.alice)


def refuse(fake: FakeNetwork, times: int = 1) -> None:
    fake.inject(
        Failure("status", "/api/v1/statuses", times=times, status=422, body={"error": REFUSED})
    )


def fail(delivery: Delivery, detail: str = REFUSED) -> None:
    """Claimed then refused, as the engine records it."""
    assert delivery_move(delivery, Status.SCHEDULED, Status.CLAIMED, Reason.CLAIMED)
    assert delivery_move(delivery, Status.CLAIMED, Status.FAILED, Reason.REFUSED, detail=detail)


def html_of(email: mail.EmailMessage) -> str:
    assert isinstance(email, mail.EmailMultiAlternatives)
    return str(email.alternatives[0][0])


def post_url(delivery: Delivery) -> str:
    return "http://testserver" + reverse("publishing:post", args=[delivery.planned_post_id])


# --- what is recorded -----------------------------------------------------------------------


def test_it_notifies_the_post_owner_of_a_refused_post_in_their_language(
    alice_channel, fake, cast, committed, settings
):
    settings.SITE_URL = "http://testserver"
    refuse(fake)
    delivery = delivery_to(alice_channel)
    with committed():
        assert claim_and_publish().status == Status.FAILED
    (notification,) = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (cast.alice, Kind.FAILED)
    assert notification.delivery == delivery
    assert notification.detail == f"HTTP 422: {REFUSED}"
    assert notification.message() == (
        "Your post to Mastodon @alice@127.0.0.1 could not be published."
    )
    # Alice reads French: her e-mail is written with French active (no French frozen in the DB).
    (email,) = mail.outbox
    assert email.to == ["alice@example.com"]
    html = html_of(email)
    assert '<html lang="fr">' in html
    assert post_url(delivery) in email.body
    assert post_url(delivery) in html


def test_it_writes_the_message_in_the_readers_language_when_read(alice_channel, cast, committed):
    with committed():
        fail(delivery_to(alice_channel))
    notification = Notification.objects.get()
    cast.alice.language = "en"
    cast.alice.save()
    page = cast.client_for(cast.alice).get(reverse("notifications:list"))
    assert page.status_code == 200
    assert "Your post to Mastodon @alice@127.0.0.1 could not be published." in page.text
    assert REFUSED in page.text
    assert notification.get_absolute_url() in page.text


def test_it_does_not_duplicate_a_second_failure_of_the_same_delivery(
    alice_channel, fake, cast, committed
):
    refuse(fake, times=2)
    delivery = delivery_to(alice_channel)
    with committed():
        assert claim_and_publish().status == Status.FAILED
    with committed():
        delivery.refresh_from_db()
        delivery_publish_now(delivery, cast.alice)
        assert claim_and_publish().status == Status.FAILED
    assert Notification.objects.filter(delivery=delivery, read_at__isnull=True).count() == 1
    assert notifications_unread_count(cast.alice) == 1


def test_it_tells_of_missed_posts_with_a_few_queries_per_batch(
    alice_channel, cast, committed, queued, django_assert_max_num_queries
):
    long_ago = timezone.now() - timedelta(hours=3)
    deliveries = [delivery_to(alice_channel, f"Billet {n}", when=long_ago) for n in range(30)]
    with committed():
        assert deliveries_mark_missed() == 30
    assert Notification.objects.filter(kind=Kind.MISSED, recipient=cast.alice).count() == 30
    # Read the deliveries, read what exists, read the queued e-mails, write once, queue once.
    more = [delivery_to(alice_channel, f"Autre {n}", when=long_ago) for n in range(30)]
    Delivery.objects.filter(pk__in=[d.pk for d in more]).update(status=Status.MISSED)
    with django_assert_max_num_queries(5):
        notifications_record([d.pk for d in more], Kind.MISSED)
    assert len(deliveries) + len(more) == Notification.objects.count()


def test_it_returns_at_once_for_the_moves_it_ignores(alice_channel, django_assert_num_queries):
    delivery = delivery_to(alice_channel)
    with django_assert_num_queries(0):
        deliveries_moved_receive(
            None,
            pks=[delivery.pk],
            from_status=Status.SCHEDULED,
            to_status=Status.CLAIMED,
            reason=Reason.CLAIMED,
        )
        deliveries_moved_receive(
            None,
            pks=[delivery.pk],
            from_status=Status.CLAIMED,
            to_status=Status.SCHEDULED,
            reason=Reason.RETRY,
        )
    # Published: one read finds nothing to clear and writes nothing.
    with django_assert_num_queries(1):
        deliveries_moved_receive(
            None,
            pks=[delivery.pk],
            from_status=Status.CLAIMED,
            to_status=Status.PUBLISHED,
            reason=Reason.PUBLISHED,
        )


@pytest.mark.django_db(transaction=True)
def test_it_notifies_nobody_when_the_move_is_rolled_back(alice_channel, cast):
    delivery = delivery_to(alice_channel)
    assert delivery_move(delivery, Status.SCHEDULED, Status.CLAIMED, Reason.CLAIMED)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert delivery_move(delivery, Status.CLAIMED, Status.FAILED, Reason.REFUSED)
        raise RuntimeError("the worker crashed before committing")
    delivery.refresh_from_db()
    assert delivery.status == Status.CLAIMED
    assert not Notification.objects.exists()
    assert mail.outbox == []
    # The same move committed for real does notify.
    assert delivery_move(delivery, Status.CLAIMED, Status.FAILED, Reason.REFUSED)
    assert Notification.objects.get().recipient == cast.alice
    assert len(mail.outbox) == 1


# --- unconfirmed: a grace period first ------------------------------------------------------


def unconfirmed(delivery: Delivery) -> None:
    assert delivery_move(delivery, Status.SCHEDULED, Status.CLAIMED, Reason.CLAIMED)
    assert delivery_move(delivery, Status.CLAIMED, Status.UNCONFIRMED, Reason.AMBIGUOUS)


def test_it_says_nothing_of_an_unconfirmed_send_settled_within_the_grace_period(
    alice_channel, cast, committed, queued
):
    delivery = delivery_to(alice_channel)
    with committed():
        unconfirmed(delivery)
    assert notifications_unread_count(cast.alice) == 0
    (queued_email,) = default_task_backend.results  # type: ignore[attr-defined]
    assert queued_email.task.run_after >= timezone.now() + timedelta(minutes=15)
    # Read back a few minutes later: it is on the account.
    with committed():
        assert delivery_move(delivery, Status.UNCONFIRMED, Status.PUBLISHED, Reason.FOUND)
    later = timezone.now() + timedelta(minutes=16)
    assert notifications_email_send(cast.alice, later) == 0
    assert mail.outbox == []
    assert notifications_unread_count(cast.alice, later) == 0
    assert not Notification.objects.exists()


def test_it_queues_an_email_for_the_unconfirmed_even_with_a_failure_email_queued(
    alice_channel, cast, committed, queued
):
    with committed():
        fail(delivery_to(alice_channel, "Refusé"))
        unconfirmed(delivery_to(alice_channel, "Incertain"))
    # The failure's e-mail goes in a minute, before the unconfirmed one shows: a second one.
    run_after = [r.task.run_after for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert len(run_after) == 2
    assert run_after[1] - run_after[0] >= timedelta(minutes=15)


def test_it_tells_of_a_send_still_unconfirmed_after_the_grace_period(
    alice_channel, cast, committed, queued
):
    delivery = delivery_to(alice_channel)
    with committed():
        unconfirmed(delivery)
    later = timezone.now() + timedelta(minutes=16)
    assert notifications_unread_count(cast.alice, later) == 1
    assert notifications_email_send(cast.alice, later) == 1
    assert "cannot confirm that your post" in mail.outbox[0].body


# --- reconnection: one notification per channel ---------------------------------------------


def test_it_groups_the_posts_waiting_for_a_reconnection_per_channel(
    alice_channel, fake, cast, committed
):
    for n in range(3):
        delivery_to(alice_channel, f"Billet {n}")
    fake.inject(Failure("status", "/api/v1/statuses", status=401, body={"error": "revoked"}))
    with committed():
        assert claim_and_publish().status == Status.NEEDS_RECONNECT
    assert Delivery.objects.filter(status=Status.NEEDS_RECONNECT).count() == 3
    (notification,) = Notification.objects.all()
    assert (notification.kind, notification.channel, notification.delivery) == (
        Kind.NEEDS_RECONNECT,
        alice_channel,
        None,
    )
    page = cast.client_for(cast.alice)
    cast.alice.language = "en"
    cast.alice.save()
    text = page.get(reverse("notifications:list")).text
    assert "3 posts wait for Mastodon @alice@127.0.0.1 to be reconnected." in text
    assert reverse("publishing:channels") in text
    # Reconnected: nothing waits any more.
    with committed():
        channel_reconnected(alice_channel)
    assert notifications_unread_count(cast.alice) == 0


# --- e-mail ---------------------------------------------------------------------------------


def test_the_email_task_sends_one_message_per_user_with_all_their_items(
    cast, fake, committed, queued, settings
):
    settings.SITE_URL = "https://maillage.example"
    alice_channel = channel_on(fake, cast.alice)
    bob_channel = channel_on(fake, cast.bob, account_id="110", username="bob")
    first, second = delivery_to(alice_channel, "Un"), delivery_to(alice_channel, "Deux")
    bobs = delivery_to(bob_channel, "Trois")
    with committed():
        fail(first)
        fail(second)
        fail(bobs)
    # Alice's second failure found her e-mail already queued: one task each.
    queued_for = [r.args[0] for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert queued_for == [[cast.alice.pk], [cast.bob.pk]]
    assert notifications_email_task.call([cast.alice.pk, cast.bob.pk]) == 2
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert set(by_recipient) == {"alice@example.com", "bob@example.com"}
    alices = by_recipient["alice@example.com"]
    # Each in their own language: both are French speakers.
    assert alices.subject == "2 publications requièrent votre attention dans Maillage"
    links = re.findall(r"https://maillage\.example\S+", str(alices.body))
    posts = [f"/publishing/posts/{d.planned_post_id}/" for d in (first, second)]
    assert [link.removeprefix("https://maillage.example") for link in links] == [
        *posts,
        "/notifications/",
    ]
    assert by_recipient["bob@example.com"].subject == (
        "Une publication requiert votre attention dans Maillage"
    )
    # Sent once: a second run finds nothing new.
    assert notifications_email_task.call([cast.alice.pk, cast.bob.pk]) == 0
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_preference_stops_the_emails_not_the_notifications(alice_channel, cast, committed):
    client = cast.client_for(cast.alice)
    response = client.post(reverse("notifications:preferences"), {})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=cast.alice).email is False
    with committed():
        fail(delivery_to(alice_channel))
    assert mail.outbox == []
    assert notifications_unread_count(cast.alice) == 1
    page = client.get(reverse("notifications:list")).text
    checkbox = re.search(r'<input type="checkbox" name="email"[^>]*>', page)
    assert checkbox is not None
    assert "checked" not in checkbox[0]
    client.post(reverse("notifications:preferences"), {"email": "on"})
    assert NotificationPreference.objects.get(user=cast.alice).email is True


# --- the page and the bell ------------------------------------------------------------------


def test_the_page_lists_newest_first_and_marks_read(alice_channel, cast, committed):
    cast.alice.language = "en"
    cast.alice.save()
    older, newer = delivery_to(alice_channel, "Ancien"), delivery_to(alice_channel, "Nouveau")
    with committed():
        fail(older)
        fail(newer)
    Notification.objects.filter(delivery=older).update(
        notify_at=timezone.now() - timedelta(hours=1)
    )
    client = cast.client_for(cast.alice)
    page = client.get(reverse("notifications:list")).text
    rows = [int(pk) for pk in re.findall(r'data-notification="(\d+)"', page)]
    ids = {n.delivery_id: n.pk for n in Notification.objects.all()}
    assert rows == [ids[newer.pk], ids[older.pk]]
    assert 'data-testid="notifications-count">2<' in page
    assert reverse("publishing:post", args=[newer.planned_post_id]) in page

    client.post(reverse("notifications:read", args=[ids[newer.pk]]))
    assert notifications_unread_count(cast.alice) == 1
    # Someone else cannot mark Alice's as read.
    cast.client_for(cast.bob).post(reverse("notifications:read", args=[ids[older.pk]]))
    assert notifications_unread_count(cast.alice) == 1

    client.post(reverse("notifications:read_all"))
    page = client.get(reverse("notifications:list")).text
    assert notifications_unread_count(cast.alice) == 0
    assert 'data-testid="notifications-count"' not in page
    assert 'data-testid="mark-all-read"' not in page
    assert len(re.findall(r'data-notification="\d+"', page)) == 2


def test_the_page_shows_only_the_readers_own_and_says_when_there_are_none(
    alice_channel, cast, committed
):
    with committed():
        fail(delivery_to(alice_channel))
    dave = cast.client_for(cast.dave).get(reverse("notifications:list"))
    assert dave.status_code == 200
    assert 'data-testid="no-notifications"' in dave.text
    assert "data-notification=" not in dave.text


def test_the_page_is_paginated(alice_channel, cast, committed):
    with committed():
        for n in range(25):
            fail(delivery_to(alice_channel, f"Billet {n}"))
    client = cast.client_for(cast.alice)
    first = client.get(reverse("notifications:list")).text
    second = client.get(reverse("notifications:list") + "?page=2").text
    assert len(re.findall(r'data-notification="\d+"', first)) == 20
    assert len(re.findall(r'data-notification="\d+"', second)) == 5


def test_the_bell_costs_one_query_and_needs_a_login(
    alice_channel, cast, committed, client, django_assert_num_queries
):
    with committed():
        fail(delivery_to(alice_channel))
    with django_assert_num_queries(1):
        assert notifications_unread_count(cast.alice) == 1
    home = cast.client_for(cast.alice).get(reverse("publishing:calendar"))
    assert 'data-testid="notifications-count">1<' in home.text
    assert client.get(reverse("notifications:list")).status_code == 302


# --- fixed: it leaves the unread ------------------------------------------------------------


def test_it_clears_the_notification_once_the_delivery_is_published(
    alice_channel, fake, cast, committed
):
    refuse(fake)
    delivery = delivery_to(alice_channel)
    with committed():
        assert claim_and_publish().status == Status.FAILED
    assert notifications_unread_count(cast.alice) == 1
    with committed():
        delivery.refresh_from_db()
        delivery_publish_now(delivery, cast.alice)
        assert claim_and_publish().status == Status.PUBLISHED
    assert notifications_unread_count(cast.alice) == 0
    assert Notification.objects.get().read_at is not None


def test_a_shared_pages_owner_and_the_author_both_hear_of_a_reconnection(cast, fake, committed):
    page = channel_on(fake, cast.alice, "200", "page", kind=AccountKind.PAGE)
    channel_share(page, team(cast.circle), cast.alice)
    bobs = delivery_to(page, "Pour la page", owner=cast.bob)
    with committed():
        assert delivery_move(bobs, Status.SCHEDULED, Status.NEEDS_RECONNECT, Reason.TOKEN_REJECTED)
    recipients = set(Notification.objects.values_list("recipient__email", flat=True))
    assert recipients == {"alice@example.com", "bob@example.com"}


def test_an_english_reader_gets_an_english_email(fake, cast, committed):
    erin = make_user("erin@example.com", "Erin", language="en")
    delivery = delivery_to(channel_on(fake, erin, "300", "erin"))
    with committed():
        fail(delivery)
    (email,) = mail.outbox
    assert email.to == ["erin@example.com"]
    assert email.subject == "A post needs you on Maillage"
    assert "Hello Erin," in email.body
    assert '<html lang="en">' in html_of(email)
