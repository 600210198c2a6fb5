"""Queue slots are wall-clock times in an IANA zone: daylight saving never shifts them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from maillage.publishing.models import Channel, QueueSlot
from maillage.publishing.selectors import queue_next_free_slot
from tests.fake_network import FakeNetwork
from tests.test_publishing_engine import channel_on, delivery_to

TORONTO = ZoneInfo("America/Toronto")
MONDAY, WEDNESDAY, SUNDAY = 0, 2, 6


@pytest.fixture(name="channel")
def mastodon_channel(cast) -> Iterator[Channel]:
    with FakeNetwork() as fake:
        yield channel_on(fake, cast.alice)


def slot(channel: Channel, weekday: int, hour: int, minute: int = 0) -> QueueSlot:
    return QueueSlot.objects.create(
        channel=channel, weekday=weekday, local_time=time(hour, minute), time_zone="America/Toronto"
    )


def take_slots(channel: Channel, after: datetime, count: int) -> list[datetime]:
    """Fill the queue `count` times, as "add to queue" would, and return the instants taken."""
    taken: list[datetime] = []
    for _ in range(count):
        moment = queue_next_free_slot(channel, after)
        assert moment is not None
        delivery_to(channel, f"Post {len(taken)}", when=moment)
        taken.append(moment)
    return taken


def test_it_keeps_a_9_oclock_toronto_slot_at_9_across_the_march_change(channel):
    slot(channel, MONDAY, 9)
    taken = take_slots(channel, datetime(2027, 3, 1, 12, 0, tzinfo=UTC), 3)
    assert taken == [
        datetime(2027, 3, 1, 14, 0, tzinfo=UTC),  # 09:00 EST (UTC-5)
        datetime(2027, 3, 8, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 15, 13, 0, tzinfo=UTC),  # 09:00 EDT (UTC-4), after March 14
    ]
    assert {moment.astimezone(TORONTO).time() for moment in taken} == {time(9, 0)}


def test_it_keeps_a_9_oclock_toronto_slot_at_9_across_the_november_change(channel):
    slot(channel, MONDAY, 9)
    taken = take_slots(channel, datetime(2027, 11, 1, 0, 0, tzinfo=UTC), 2)
    assert taken == [
        datetime(2027, 11, 1, 13, 0, tzinfo=UTC),  # 09:00 EDT
        datetime(2027, 11, 8, 14, 0, tzinfo=UTC),  # 09:00 EST, after November 7
    ]
    assert {moment.astimezone(TORONTO).time() for moment in taken} == {time(9, 0)}


def test_it_keeps_the_slot_on_the_very_day_of_each_change(channel):
    slot(channel, SUNDAY, 9)
    march = queue_next_free_slot(channel, datetime(2027, 3, 13, tzinfo=UTC))
    november = queue_next_free_slot(channel, datetime(2027, 11, 6, tzinfo=UTC))
    assert march == datetime(2027, 3, 14, 13, 0, tzinfo=UTC)
    assert november == datetime(2027, 11, 7, 14, 0, tzinfo=UTC)


def test_it_moves_a_slot_in_the_spring_gap_forward_by_the_gap(channel):
    slot(channel, SUNDAY, 2, 30)  # 02:30 does not exist on 2027-03-14 in Toronto
    moment = queue_next_free_slot(channel, datetime(2027, 3, 13, tzinfo=UTC))
    assert moment == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert moment.astimezone(TORONTO).time() == time(3, 30)


def test_it_takes_the_first_of_a_time_that_happens_twice_in_the_fall(channel):
    slot(channel, SUNDAY, 1, 30)  # 01:30 happens twice on 2027-11-07
    moment = queue_next_free_slot(channel, datetime(2027, 11, 6, tzinfo=UTC))
    assert moment == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_it_takes_slots_of_several_days_in_time_order(channel):
    slot(channel, WEDNESDAY, 17)
    slot(channel, MONDAY, 9)
    taken = take_slots(channel, datetime(2027, 1, 4, 0, 0, tzinfo=UTC), 4)
    local = [moment.astimezone(TORONTO).strftime("%a %H:%M") for moment in taken]
    assert local == ["Mon 09:00", "Wed 17:00", "Mon 09:00", "Wed 17:00"]
    assert taken[0] == datetime(2027, 1, 4, 14, 0, tzinfo=UTC)


def test_it_reuses_a_slot_whose_delivery_failed(channel):
    from maillage.publishing.models import Delivery

    slot(channel, MONDAY, 9)
    after = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    (first,) = take_slots(channel, after, 1)
    Delivery.objects.filter(due_at=first).update(status=Delivery.Status.FAILED)
    assert queue_next_free_slot(channel, after) == first


def test_it_has_no_slot_for_a_channel_without_queue(channel):
    assert queue_next_free_slot(channel, datetime(2027, 1, 1, tzinfo=UTC)) is None
