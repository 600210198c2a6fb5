"""The worker's hand-written SQL reads and writes exactly what the ORM would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.publishing.models import Channel, Delivery, DeliveryEvent, PostMedia
from maillage.publishing.services.engine import deliveries_claim
from maillage.publishing.services.fast import (
    _preparer,
    deliveries_as_sent,
    post_media_of,
    rows_update,
    rows_update_many,
)
from tests.fake_network import FakeNetwork
from tests.test_publishing_engine import channel_on, delivery_to

Status = Delivery.Status

SAMPLES: dict[str, list[Any]] = {
    "text": ["", "Bonjour « le cercle »", Status.CLAIMED, None],
    "int": [0, 7, 2**40, True, "12", None],
    "bool": [True, False, None],
    "moment": [
        datetime(2026, 12, 6, 4, 30, 15, 123456, tzinfo=UTC),
        timezone.now() + timedelta(hours=5),
        None,
    ],
}
KINDS = {
    "CharField": "text",
    "TextField": "text",
    "URLField": "text",
    "IntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "BigAutoField": "int",
    "AutoField": "int",
    "ForeignKey": "int",
    "BooleanField": "bool",
    "DateTimeField": "moment",
}


@pytest.fixture(name="fake")
def fake_network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as network:
        yield network


@contextmanager
def no_queries() -> Iterator[None]:
    """Fails when the block reaches the database: the related objects came with the read."""
    with CaptureQueriesContext(connection) as capture:
        yield
    assert not capture.captured_queries


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Delivery, DeliveryEvent, Channel])
def test_each_value_is_prepared_for_the_driver_as_the_orm_prepares_it(
    model: type[models.Model],
) -> None:
    checked = 0
    for field in model._meta.concrete_fields:
        kind = KINDS.get(field.get_internal_type())
        if kind is None:
            continue
        for value in SAMPLES[kind]:
            expected = field.get_db_prep_save(value, connection)
            assert _preparer(model, field.name)(value, connection.ops) == expected, (
                field.name,
                value,
            )
            checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_claimed_deliveries_are_read_with_everything_sending_needs(cast, fake) -> None:
    cast.alice.language = "en"
    cast.alice.save()
    channel = channel_on(fake, cast.alice)
    first = delivery_to(channel, "Premier")
    second = delivery_to(channel, "Second", when=timezone.now() - timedelta(minutes=3))
    other = delivery_to(channel, "Autre")
    for delivery, token in ((first, "t1"), (second, "t1"), (other, "t2")):
        Delivery.objects.filter(pk=delivery.pk).update(claim_token=token, status=Status.CLAIMED)

    read = deliveries_as_sent([first.pk, second.pk, other.pk], "t1")

    # Only this claim's, oldest due first.
    assert [d.pk for d in read] == [second.pk, first.pk]
    orm = {
        d.pk: d
        for d in Delivery.objects.select_related("channel", "variant", "planned_post").filter(
            pk__in=[first.pk, second.pk]
        )
    }
    with no_queries():
        for delivery in read:
            expected = orm[delivery.pk]
            for mine, theirs in (
                (delivery, expected),
                (delivery.channel, expected.channel),
                (delivery.variant, expected.variant),
                (delivery.planned_post, expected.planned_post),
            ):
                for field in type(theirs)._meta.concrete_fields:
                    assert getattr(mine, field.attname) == getattr(theirs, field.attname)
            assert delivery.author_language == "en"
            # Neither post has an image: nothing more to look for.
            assert delivery.claimed_media == []
            assert delivery.channel.access_token == expected.channel.access_token
            assert delivery.next_attempt_at.tzinfo is not None


@pytest.mark.django_db
def test_a_posts_images_come_in_their_order(cast, fake) -> None:
    post = delivery_to(channel_on(fake, cast.alice)).planned_post
    made = []
    for position, name in ((2, "c"), (1, "a"), (1, "b")):
        item = PostMedia(planned_post=post, position=position, description=name)
        item.file.save(f"{name}.jpg", ContentFile(b"\xff\xd8"), save=True)
        made.append(item)
    found = post_media_of([post.pk, post.pk + 1000])
    assert list(found) == [post.pk]
    assert [m.description for m in found[post.pk]] == ["a", "b", "c"]
    assert found[post.pk][0].file.read() == b"\xff\xd8"
    assert post_media_of([]) == {}


@pytest.mark.django_db
def test_updates_change_only_the_rows_whose_conditions_hold(cast, fake) -> None:
    channel = channel_on(fake, cast.alice)
    a, b = delivery_to(channel, "A"), delivery_to(channel, "B")
    at = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    assert rows_update(Delivery, {"id": a.pk, "status": Status.CLAIMED}, {"attempts": 3}) == 0
    changed = rows_update_many(
        Delivery,
        [
            ({"id": a.pk, "status": Status.SCHEDULED}, {"attempts": 2, "sent_at": at}),
            ({"id": b.pk, "status": Status.CLAIMED}, {"attempts": 5, "sent_at": at}),
        ],
    )
    assert changed == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.attempts, a.sent_at) == (2, at)
    assert (b.attempts, b.sent_at) == (0, None)
    assert rows_update_many(Delivery, []) == 0


@pytest.mark.django_db
def test_a_claimed_post_with_images_says_so_and_the_claim_brings_them(cast, fake) -> None:
    # Two accounts: each takes one send at a time.
    plain = delivery_to(channel_on(fake, cast.alice, "201", "alice"), "Sans image")
    pictured = delivery_to(channel_on(fake, cast.alice, "202", "alice2"), "Avec image")
    item = PostMedia(planned_post=pictured.planned_post, description="Le cercle")
    item.file.save("cercle.jpg", ContentFile(b"\xff\xd8"), save=True)
    Delivery.objects.filter(pk__in=[plain.pk, pictured.pk]).update(claim_token="t")
    read = {d.pk: d for d in deliveries_as_sent([plain.pk, pictured.pk], "t")}
    assert read[plain.pk].claimed_media == []
    assert read[pictured.pk].claimed_media is None

    claimed = {d.pk: d for d in deliveries_claim("worker-a", timezone.now(), 5)}
    assert claimed[plain.pk].claimed_media == []
    assert [m.description for m in claimed[pictured.pk].claimed_media or []] == ["Le cercle"]
