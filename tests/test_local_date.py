"""LocalDate gives the day Python's zoneinfo gives, on the real database, around every change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from maillage.accounts.models import User
from maillage.lib.local_date import YEARS_AHEAD, LocalDate, offset_changes
from maillage.presence.models import Post, SocialAccount

pytestmark = pytest.mark.django_db

ZONES = [
    "America/Toronto",
    "America/St_Johns",  # -3:30, with daylight saving time
    "America/Regina",  # no daylight saving time
    "Europe/Paris",
    "Asia/Kathmandu",  # +5:45
    "Australia/Lord_Howe",  # a half-hour daylight saving time
    "Pacific/Kiritimati",  # +14
    "UTC",
]


def _moments(zone: ZoneInfo) -> list[datetime]:
    """Both sides of each offset change, local midnights and random moments, from 2000 to the
    end of next year (what LocalDate covers: activity that has happened)."""
    until = datetime.now(UTC).year + YEARS_AHEAD
    moments: list[datetime] = []
    for at, _minutes in offset_changes(zone.key, until)[1:]:
        change = datetime.fromisoformat(at).replace(tzinfo=UTC)
        moments += [change + timedelta(seconds=s) for s in (-3601, -1, 0, 1, 3599)]
    rng = random.Random(zone.key)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    span = int((datetime(until, 1, 1, tzinfo=UTC) - start).total_seconds()) - 86400
    for _ in range(300):
        moment = start + timedelta(seconds=rng.randrange(span))
        local_midnight = moment.astimezone(zone).replace(hour=0, minute=0, second=0)
        moments += [moment, local_midnight, local_midnight - timedelta(seconds=1)]
    moments.append(datetime(1999, 12, 31, 23, 30, tzinfo=UTC))  # before the first change read
    return moments


@pytest.mark.parametrize("zone_key", ZONES)
def test_the_database_gives_each_moment_its_local_day(zone_key) -> None:
    zone = ZoneInfo(zone_key)
    owner = User.objects.create_user(email="marie@example.com", password=None)
    account = SocialAccount.objects.create(owner=owner, network="linkedin", handle="marie")
    moments = _moments(zone)
    Post.objects.bulk_create(
        Post(owner=owner, account=account, network="linkedin", key=str(n), published_at=moment)
        for n, moment in enumerate(moments)
    )

    read = Post.objects.annotate(day=LocalDate("published_at", zone)).values_list(
        "published_at", "day"
    )

    wrong = {moment: day for moment, day in read if day != moment.astimezone(zone).date()}
    assert len(read) == len(moments)
    assert wrong == {}


def test_it_groups_by_local_day_in_one_query(django_assert_num_queries) -> None:
    from django.db.models import Count

    zone = ZoneInfo("America/Toronto")
    owner = User.objects.create_user(email="marie@example.com", password=None)
    account = SocialAccount.objects.create(owner=owner, network="linkedin", handle="marie")
    # 23:30 and 00:30 in Toronto on the night of 2026-11-01 (the day daylight time ends).
    for n, moment in enumerate(["2026-11-01 03:30", "2026-11-01 05:30", "2026-11-02 04:59"]):
        Post.objects.create(
            owner=owner,
            account=account,
            network="linkedin",
            key=str(n),
            published_at=datetime.fromisoformat(moment).replace(tzinfo=UTC),
        )

    with django_assert_num_queries(1):
        counts = {
            row["day"].isoformat(): row["n"]
            for row in Post.objects.annotate(day=LocalDate("published_at", zone))
            .values("day")
            .annotate(n=Count("id"))
        }

    assert counts == {"2026-10-31": 1, "2026-11-01": 2}
