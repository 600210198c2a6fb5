"""Queue slots a user manages, "add to queue", and recurring series (weekly, monthly, an end)."""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import User
from maillage.presence.networks import AccountKind
from maillage.publishing import selectors
from maillage.publishing.models import (
    Channel,
    Delivery,
    PlannedPost,
    PostMedia,
    PostVariant,
    QueueSlot,
    Series,
)
from maillage.publishing.services import (
    SERIES_MAX_OCCURRENCES,
    PublishingError,
    VariantInput,
    channel_share,
    planned_post_create,
    planned_post_queue,
    queue_slot_add,
    queue_slot_remove,
    series_cancel_future,
    series_create,
)
from maillage.publishing.services import queue as queue_module
from tests.conftest import team
from tests.fake_network import FakeNetwork
from tests.test_publishing_engine import channel_on

TORONTO = ZoneInfo("America/Toronto")
MONDAY, TUESDAY, WEDNESDAY = 0, 1, 2


@pytest.fixture(name="fake")
def fake_network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as fake:
        yield fake


@pytest.fixture(name="channel")
def alice_channel(cast, fake) -> Channel:
    return channel_on(fake, cast.alice)


def draft(owner: User, text: str = "Bonjour le cercle", zone: str = "America/Toronto"):
    return planned_post_create(owner, [VariantInput("mastodon", "fr", text)], time_zone=zone)


def targets(post: PlannedPost, *channels: Channel) -> list[tuple[Channel, PostVariant]]:
    variant = post.variants.get()
    return [(channel, variant) for channel in channels]


def toronto(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TORONTO)


def local_times(moments: list[datetime]) -> list[str]:
    return [moment.astimezone(TORONTO).strftime("%Y-%m-%d %H:%M") for moment in moments]


# --- Slots ----------------------------------------------------------------------------------


def test_it_adds_a_slot_for_the_owner(cast, channel):
    slot = queue_slot_add(channel, MONDAY, time(9, 0, 42), "America/Toronto", by=cast.alice)
    assert (slot.weekday, slot.local_time, slot.time_zone) == (
        MONDAY,
        time(9, 0),
        "America/Toronto",
    )


def test_it_refuses_a_duplicate_slot_with_a_clear_message(cast, channel):
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    with pytest.raises(PublishingError, match="already has a slot on Monday at 09:00"):
        queue_slot_add(channel, MONDAY, time(9, 0), "Europe/Paris", by=cast.alice)
    assert QueueSlot.objects.filter(channel=channel).count() == 1


def test_it_refuses_an_unknown_time_zone_and_a_bad_weekday(cast, channel):
    with pytest.raises(PublishingError, match="not a time zone"):
        queue_slot_add(channel, MONDAY, time(9, 0), "Mars/Olympus", by=cast.alice)
    with pytest.raises(PublishingError, match="day of the week"):
        queue_slot_add(channel, 7, time(9, 0), "America/Toronto", by=cast.alice)


def test_only_the_owner_changes_a_queue_even_of_a_shared_page(cast, fake):
    page = channel_on(fake, cast.alice, "200", "page", kind=AccountKind.PAGE)
    channel_share(page, team(cast.circle), cast.alice)
    with pytest.raises(PublishingError, match="Only the owner"):
        queue_slot_add(page, MONDAY, time(9, 0), "America/Toronto", by=cast.bob)
    slot = queue_slot_add(page, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    with pytest.raises(PublishingError, match="Only the owner"):
        queue_slot_remove(slot, by=cast.bob)
    queue_slot_remove(slot, by=cast.alice)
    assert not QueueSlot.objects.exists()


# --- Add to queue ---------------------------------------------------------------------------


def test_it_queues_a_post_at_the_next_free_slot(cast, channel):
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    queue_slot_add(channel, WEDNESDAY, time(17, 0), "America/Toronto", by=cast.alice)
    post = draft(cast.alice)
    (delivery,) = planned_post_queue(post, targets(post, channel), after=toronto(2027, 1, 4, 10))
    assert delivery.due_at == toronto(2027, 1, 6, 17)
    post.refresh_from_db()
    assert post.status == PlannedPost.Status.SCHEDULED
    assert post.scheduled_at == toronto(2027, 1, 6, 17)


def test_two_posts_queued_take_two_slots(cast, channel):
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    after = toronto(2027, 1, 1, 0)
    first, second = draft(cast.alice, "Un"), draft(cast.alice, "Deux")
    (one,) = planned_post_queue(first, targets(first, channel), after=after)
    (two,) = planned_post_queue(second, targets(second, channel), after=after)
    assert local_times([one.due_at, two.due_at]) == ["2027-01-04 09:00", "2027-01-11 09:00"]


def test_each_channel_takes_its_own_slot_and_the_post_its_earliest(cast, fake, channel):
    other = channel_on(fake, cast.alice, "110", "alice2")
    queue_slot_add(channel, WEDNESDAY, time(8, 0), "America/Toronto", by=cast.alice)
    queue_slot_add(other, TUESDAY, time(12, 30), "Europe/Paris", by=cast.alice)
    post = draft(cast.alice)
    deliveries = planned_post_queue(
        post, targets(post, channel, other), after=toronto(2027, 1, 4, 0)
    )
    by_channel = {delivery.channel_id: delivery.due_at for delivery in deliveries}
    assert by_channel[channel.pk] == toronto(2027, 1, 6, 8)
    assert by_channel[other.pk] == datetime(2027, 1, 5, 12, 30, tzinfo=ZoneInfo("Europe/Paris"))
    post.refresh_from_db()
    assert post.scheduled_at == by_channel[other.pk]


def test_queued_posts_keep_9_oclock_across_the_march_and_november_changes(cast, channel):
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    taken = []
    for after in (toronto(2027, 3, 9), toronto(2027, 3, 9), toronto(2027, 11, 2)):
        post = draft(cast.alice)
        (delivery,) = planned_post_queue(post, targets(post, channel), after=after)
        taken.append(delivery.due_at)
    assert taken[0] == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # EDT, after March 14
    assert local_times(taken) == ["2027-03-15 09:00", "2027-03-22 09:00", "2027-11-08 09:00"]
    assert taken[2] == datetime(2027, 11, 8, 14, 0, tzinfo=UTC)  # EST, after November 7


def test_it_names_the_account_without_a_slot_and_plans_nothing(cast, fake, channel):
    other = channel_on(fake, cast.alice, "110", "alice2")
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    post = draft(cast.alice)
    with pytest.raises(PublishingError) as raised:
        planned_post_queue(post, targets(post, channel, other), after=toronto(2027, 1, 1))
    assert str(raised.value) == ("@alice2@127.0.0.1 has no queue slot: add one on its queue page.")
    assert not Delivery.objects.exists()
    post.refresh_from_db()
    assert post.status == PlannedPost.Status.DRAFT


def test_it_says_when_every_slot_of_the_coming_year_is_taken(cast, channel, monkeypatch):
    monkeypatch.setattr(selectors, "QUEUE_HORIZON_DAYS", 7)  # two weeks of slots, not a year
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    for text in ("Un", "Deux"):
        post = draft(cast.alice, text)
        planned_post_queue(post, targets(post, channel), after=toronto(2027, 1, 1))
    post = draft(cast.alice, "Trois")
    with pytest.raises(PublishingError, match=r"The queue of @alice@127\.0\.0\.1 is full"):
        planned_post_queue(post, targets(post, channel), after=toronto(2027, 1, 1))


def test_it_refuses_to_queue_to_another_users_channel(cast, fake):
    carols = channel_on(fake, cast.carol, "300", "carol")
    QueueSlot.objects.create(channel=carols, weekday=MONDAY, local_time=time(9, 0))
    post = draft(cast.alice)
    with pytest.raises(PublishingError, match="You may not publish to @carol"):
        planned_post_queue(post, targets(post, carols), after=toronto(2027, 1, 1))
    assert not Delivery.objects.exists()


def test_a_circle_member_queues_to_a_shared_page_in_its_owners_slots(cast, fake):
    page = channel_on(fake, cast.alice, "200", "page", kind=AccountKind.PAGE)
    channel_share(page, team(cast.circle), cast.alice)
    queue_slot_add(page, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    post = draft(cast.bob)
    (delivery,) = planned_post_queue(post, targets(post, page), after=toronto(2027, 1, 1))
    assert local_times([delivery.due_at]) == ["2027-01-04 09:00"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_queueing_at_once_get_two_different_slots(cast, channel, monkeypatch):
    """Each thread has its own connection (PostgreSQL when MAILLAGE_DATABASE_URL says so)."""
    queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    posts = [draft(cast.alice, "Un"), draft(cast.alice, "Deux")]
    plans = [targets(post, channel) for post in posts]
    real_lookup = selectors.queue_next_free_slot
    start = threading.Barrier(2)

    def slow_lookup(channel: Channel, after: datetime) -> datetime | None:
        moment = real_lookup(channel, after)
        clock.sleep(0.2)  # wide enough for the other request to look up the same slot
        return moment

    monkeypatch.setattr(queue_module, "queue_next_free_slot", slow_lookup)
    errors: list[BaseException] = []

    def queue(index: int) -> None:
        try:
            start.wait()
            planned_post_queue(posts[index], plans[index], after=toronto(2027, 1, 1))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=queue, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    due = sorted(Delivery.objects.values_list("due_at", flat=True))
    assert local_times(due) == ["2027-01-04 09:00", "2027-01-11 09:00"]


# --- Series ---------------------------------------------------------------------------------


def series_times(series: Series) -> list[str]:
    return local_times(
        list(
            Delivery.objects.filter(planned_post__series=series)
            .order_by("due_at")
            .values_list("due_at", flat=True)
        )
    )


def test_a_weekly_series_keeps_9_oclock_across_the_march_change(cast, channel):
    post = draft(cast.alice)
    series = series_create(
        post, targets(post, channel), toronto(2027, 3, 1, 9), "weekly", 1, date(2027, 3, 22)
    )
    assert series_times(series) == [
        "2027-03-01 09:00",
        "2027-03-08 09:00",
        "2027-03-15 09:00",
        "2027-03-22 09:00",
    ]
    utc = Delivery.objects.order_by("due_at").values_list("due_at", flat=True)
    assert [moment.hour for moment in utc] == [14, 14, 13, 13]


def test_an_every_other_week_series_keeps_9_oclock_across_the_november_change(cast, channel):
    post = draft(cast.alice)
    series = series_create(
        post, targets(post, channel), toronto(2027, 10, 25, 9), "weekly", 2, date(2027, 11, 22)
    )
    assert series_times(series) == ["2027-10-25 09:00", "2027-11-08 09:00", "2027-11-22 09:00"]
    assert series.posts.count() == 3
    assert set(series.posts.values_list("status", flat=True)) == {"scheduled"}


def test_a_monthly_series_on_the_31st_falls_on_each_months_last_day(cast, channel):
    post = draft(cast.alice)
    series = series_create(
        post, targets(post, channel), toronto(2027, 1, 31, 9), "monthly", 1, date(2027, 5, 31)
    )
    assert series_times(series) == [
        "2027-01-31 09:00",
        "2027-02-28 09:00",
        "2027-03-31 09:00",
        "2027-04-30 09:00",
        "2027-05-31 09:00",
    ]


def test_each_occurrence_is_a_copy_with_the_texts_and_the_same_image_files(cast, channel):
    post = draft(cast.alice, "Petit-déjeuner du cercle")
    PostMedia.objects.create(planned_post=post, file="publishing/2027/01/cafe.jpg")
    series = series_create(
        post, targets(post, channel), toronto(2027, 1, 4, 9), "weekly", 1, date(2027, 1, 18)
    )
    copies = series.posts.exclude(pk=post.pk)
    assert copies.count() == 2
    for copy in copies:
        assert copy.variants.get().text == "Petit-déjeuner du cercle"
        assert copy.media.get().file.name == "publishing/2027/01/cafe.jpg"
        assert copy.time_zone == post.time_zone
    post.refresh_from_db()
    assert post.series == series


def test_a_series_stops_at_the_most_occurrences_allowed(cast, channel):
    post = draft(cast.alice)
    first = toronto(2027, 1, 4, 9)
    last_allowed = (first + timedelta(weeks=SERIES_MAX_OCCURRENCES - 1)).date()
    with pytest.raises(PublishingError, match="at most 104 posts"):
        series_create(
            post,
            targets(post, channel),
            first,
            "weekly",
            1,
            last_allowed + timedelta(weeks=1),
        )
    assert not Series.objects.exists()
    assert PlannedPost.objects.count() == 1
    series = series_create(post, targets(post, channel), first, "weekly", 1, last_allowed)
    assert series.posts.count() == SERIES_MAX_OCCURRENCES


def test_a_series_cannot_end_before_it_starts(cast, channel):
    post = draft(cast.alice)
    with pytest.raises(PublishingError, match="end on or after"):
        series_create(
            post, targets(post, channel), toronto(2027, 3, 1, 9), "weekly", 1, date(2027, 2, 28)
        )
    assert not Series.objects.exists()
    assert not Delivery.objects.exists()


def test_a_series_is_planned_whole_or_not_at_all(cast, fake):
    carols = channel_on(fake, cast.carol, "300", "carol")
    post = draft(cast.alice)
    with pytest.raises(PublishingError, match="You may not publish"):
        series_create(
            post, targets(post, carols), toronto(2027, 1, 4, 9), "weekly", 1, date(2027, 2, 1)
        )
    assert not Series.objects.exists()
    assert PlannedPost.objects.count() == 1


def test_stopping_a_series_deletes_only_the_posts_to_come(cast, channel):
    post = draft(cast.alice)
    series = series_create(
        post, targets(post, channel), toronto(2027, 1, 4, 9), "weekly", 1, date(2027, 2, 1)
    )
    Delivery.objects.filter(planned_post=post).update(status=Delivery.Status.PUBLISHED)
    now = toronto(2027, 1, 12)
    with pytest.raises(PublishingError, match="Only the author"):
        series_cancel_future(series, cast.bob, now)
    assert series_cancel_future(series, cast.alice, now) == 3
    assert series_times(series) == ["2027-01-04 09:00", "2027-01-11 09:00"]
    assert series_cancel_future(series, cast.alice, now) == 0


def test_stopping_a_series_keeps_a_post_already_being_sent(cast, channel):
    post = draft(cast.alice)
    series = series_create(
        post, targets(post, channel), toronto(2027, 1, 4, 9), "weekly", 1, date(2027, 1, 11)
    )
    Delivery.objects.filter(due_at=toronto(2027, 1, 11, 9)).update(status=Delivery.Status.CLAIMED)
    assert series_cancel_future(series, cast.alice, toronto(2027, 1, 1)) == 1
    assert series_times(series) == ["2027-01-11 09:00"]


def test_it_uses_the_current_time_when_none_is_given(cast, channel):
    post = draft(cast.alice)
    soon = timezone.now() + timedelta(days=1)
    series = series_create(
        post, targets(post, channel), soon, "weekly", 1, (soon + timedelta(weeks=1)).date()
    )
    assert series_cancel_future(series, cast.alice) == 2


# --- The queue page -------------------------------------------------------------------------


def english_client(cast, user: User):
    """A logged-in browser for a user who reads Maillage in English."""
    user.language = "en"
    user.save(update_fields=["language"])
    return cast.client_for(user)


def queue_url(channel: Channel) -> str:
    return reverse("publishing:queue", args=[channel.pk])


def test_the_channels_page_links_each_account_to_its_queue(cast, channel):
    page = cast.client_for(cast.alice).get(reverse("publishing:channels"))
    assert queue_url(channel) in page.content.decode()


def test_the_owner_adds_a_slot_and_sees_its_next_times_in_their_zone(cast, channel):
    cast.alice.time_zone = "Europe/Paris"
    cast.alice.save()
    client = english_client(cast, cast.alice)
    page = client.get(queue_url(channel))
    assert page.status_code == 200
    assert page.context["form"]["time_zone"].value() == "America/Toronto"
    answer = client.post(
        queue_url(channel),
        {"weekday": "1", "local_time": "09:00", "time_zone": "America/Toronto"},
        follow=True,
    )
    html = answer.content.decode()
    assert "Slot added: Tuesday at 09:00." in html
    slot = QueueSlot.objects.get(channel=channel)
    ((_day, rows),) = answer.context["days"]
    (row,) = rows
    assert len(row.upcoming) == 3
    first = row.upcoming[0].astimezone(ZoneInfo("Europe/Paris"))
    # 09:00 in Toronto is 15:00 in Paris (14:00 during the weeks their changes differ).
    assert first.strftime("%H:%M") in {"14:00", "15:00"}
    assert reverse("publishing:queue_slot_remove", args=[channel.pk, slot.pk]) in html


def test_the_queue_page_says_a_slot_already_exists(cast, channel):
    client = english_client(cast, cast.alice)
    QueueSlot.objects.create(channel=channel, weekday=MONDAY, local_time=time(9, 0))
    answer = client.post(
        queue_url(channel), {"weekday": "0", "local_time": "09:00", "time_zone": "Europe/Paris"}
    )
    assert answer.status_code == 400
    assert "@alice@127.0.0.1 already has a slot on Monday at 09:00." in answer.content.decode()
    assert QueueSlot.objects.count() == 1


def test_the_queue_page_refuses_a_missing_time(cast, channel):
    client = english_client(cast, cast.alice)
    answer = client.post(
        queue_url(channel), {"weekday": "0", "local_time": "", "time_zone": "America/Toronto"}
    )
    assert answer.status_code == 400
    assert not QueueSlot.objects.exists()


def test_the_owner_removes_a_slot_and_queued_posts_keep_their_time(cast, channel):
    slot = queue_slot_add(channel, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    post = draft(cast.alice)
    (delivery,) = planned_post_queue(post, targets(post, channel), after=timezone.now())
    client = english_client(cast, cast.alice)
    page = client.get(queue_url(channel))
    assert reverse("publishing:post", args=[post.pk]) in page.content.decode()
    answer = client.post(
        reverse("publishing:queue_slot_remove", args=[channel.pk, slot.pk]), follow=True
    )
    assert "Slot removed" in answer.content.decode()
    assert not QueueSlot.objects.exists()
    assert Delivery.objects.get().due_at == delivery.due_at


def test_another_user_gets_404_on_a_queue_even_of_a_page_shared_with_them(cast, fake):
    page = channel_on(fake, cast.alice, "200", "page", kind=AccountKind.PAGE)
    channel_share(page, team(cast.circle), cast.alice)
    slot = queue_slot_add(page, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    for user in (cast.bob, cast.dave):
        client = cast.client_for(user)
        assert client.get(queue_url(page)).status_code == 404
        form = {"weekday": "2", "local_time": "10:00", "time_zone": "America/Toronto"}
        assert client.post(queue_url(page), form).status_code == 404
        remove = reverse("publishing:queue_slot_remove", args=[page.pk, slot.pk])
        assert client.post(remove).status_code == 404
    assert list(QueueSlot.objects.all()) == [slot]


def test_the_owner_sees_a_circle_members_post_on_a_shared_page_without_opening_it(cast, fake):
    page = channel_on(fake, cast.alice, "200", "page", kind=AccountKind.PAGE)
    channel_share(page, team(cast.circle), cast.alice)
    queue_slot_add(page, MONDAY, time(9, 0), "America/Toronto", by=cast.alice)
    post = draft(cast.bob, "Le mot de Bob")
    planned_post_queue(post, targets(post, page), after=timezone.now())
    html = english_client(cast, cast.alice).get(queue_url(page)).content.decode()
    assert "Le mot de Bob" in html and "Bob Gagnon" in html
    assert reverse("publishing:post", args=[post.pk]) not in html


# --- The series page ------------------------------------------------------------------------


def test_the_series_page_lists_occurrences_and_stops_the_series(cast, channel):
    post = draft(cast.alice)
    now = timezone.now()
    series = series_create(
        post,
        targets(post, channel),
        now + timedelta(days=1),
        "weekly",
        1,
        (now + timedelta(weeks=3, days=1)).date(),
    )
    Delivery.objects.filter(planned_post=post).update(status=Delivery.Status.PUBLISHED)
    client = english_client(cast, cast.alice)
    post_page = client.get(reverse("publishing:post", args=[post.pk])).content.decode()
    assert reverse("publishing:series", args=[series.pk]) in post_page
    page = client.get(reverse("publishing:series", args=[series.pk]))
    html = page.content.decode()
    assert len(page.context["posts"]) == 4
    assert 'data-status="published"' in html and 'data-status="scheduled"' in html
    answer = client.post(reverse("publishing:series_stop", args=[series.pk]), follow=True)
    assert "Series stopped: 3 posts to come were cancelled" in answer.content.decode()
    assert list(series.posts.all()) == [post]


def test_another_user_gets_404_on_a_series(cast, channel):
    post = draft(cast.alice)
    soon = timezone.now() + timedelta(days=1)
    series = series_create(
        post, targets(post, channel), soon, "monthly", 1, (soon + timedelta(days=70)).date()
    )
    client = cast.client_for(cast.bob)
    assert client.get(reverse("publishing:series", args=[series.pk])).status_code == 404
    assert client.post(reverse("publishing:series_stop", args=[series.pk])).status_code == 404
    assert series.posts.count() == 3
