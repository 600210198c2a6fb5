"""Weekly Presence Index history: snapshots, status, time-zone weeks, idempotent recompute."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.accounts.models import User
from maillage.network.models import Connection, Person
from maillage.presence.models import Interaction, Post, PresenceSnapshot, SocialAccount
from maillage.presence.selectors import index_inputs, presence_history
from maillage.presence.services import presence_recompute, presence_recompute_all
from maillage.presence.tasks import presence_recompute_task

# Wednesday 25 November 2026, 10:00 in Montréal: the current week starts Monday 23 November.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 23)
Kind = Interaction.Kind


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


_keys = itertools.count(1)


def linkedin(owner: User, **profile: str) -> SocialAccount:
    account, _ = SocialAccount.objects.get_or_create(
        owner=owner, network="linkedin", handle=f"https://www.linkedin.com/in/{owner.pk}"
    )
    for name, value in profile.items():
        setattr(account, name, value)
    account.save()
    return account


def post(owner: User, at: datetime, kind: str = Post.Kind.ORIGINAL, text: str = "") -> Post:
    return Post.objects.create(
        owner=owner,
        account=linkedin(owner),
        network="linkedin",
        key=f"post-{next(_keys)}",
        kind=kind,
        published_at=at,
        text=text or f"Post {at:%Y-%m-%d}",
    )


def interaction(
    owner: User,
    kind: str,
    at: datetime | None,
    conversation: str = "",
    person: Person | None = None,
    counterpart: str = "",
) -> Interaction:
    return Interaction.objects.create(
        owner=owner,
        account=linkedin(owner),
        network="linkedin",
        key=f"interaction-{next(_keys)}",
        kind=kind,
        occurred_at=at,
        conversation=conversation,
        person=person,
        counterpart=counterpart,
    )


def connection(owner: User, on: date | None, position: str = "", name: str = "") -> Connection:
    key = f"person-{next(_keys)}"
    person = Person.objects.create(
        owner=owner, network="linkedin", key=key, name=name or key, position=position
    )
    return Connection.objects.create(
        owner=owner, person=person, network="linkedin", connected_on=on
    )


def weeks_ago(n: int) -> date:
    return THIS_WEEK - timedelta(weeks=n)


def test_it_keeps_twelve_inactive_weeks_for_someone_without_data(cast):
    presence_recompute(cast.bob)
    snapshots = list(PresenceSnapshot.objects.filter(owner=cast.bob).order_by("week_start"))
    assert [s.week_start for s in snapshots] == [weeks_ago(n) for n in range(11, -1, -1)]
    assert {(s.score, s.status) for s in snapshots} == {(0.0, "inactive")}


def test_it_starts_the_history_at_the_first_activity(cast):
    post(cast.bob, datetime(2026, 7, 1, 16, 0, tzinfo=UTC))  # a Wednesday, 20 weeks ago
    presence_recompute(cast.bob)
    weeks = PresenceSnapshot.objects.filter(owner=cast.bob).values_list("week_start", flat=True)
    assert min(weeks) == date(2026, 6, 29)
    assert len(weeks) == 22


def test_it_fades_from_active_to_occasional_to_inactive_after_a_post(cast):
    post(cast.bob, datetime(2026, 10, 28, 16, 0, tzinfo=UTC))  # week of 26 October
    presence_recompute(cast.bob)
    status = dict(
        PresenceSnapshot.objects.filter(owner=cast.bob).values_list("week_start", "status")
    )
    assert status[date(2026, 10, 19)] == "inactive"
    assert status[date(2026, 10, 26)] == "active"
    assert status[date(2026, 11, 2)] == "occasional"
    assert status[date(2026, 11, 16)] == "occasional"
    assert status[THIS_WEEK] == "inactive"


def test_it_places_a_sunday_night_post_in_the_owners_week_not_the_utc_week(cast):
    # Sunday 22 November 23:30 in Montréal is Monday 04:30 UTC.
    post(cast.bob, datetime(2026, 11, 23, 4, 30, tzinfo=UTC))
    cast.carol.time_zone = "Europe/Paris"
    cast.carol.save()
    post(cast.carol, datetime(2026, 11, 23, 4, 30, tzinfo=UTC))  # Monday 05:30 in Paris

    bob_history = presence_history(cast.bob)
    assert bob_history.series("original_posts").window(weeks_ago(1), 1) == 1
    assert bob_history.series("original_posts").window(THIS_WEEK, 1) == 0
    carol_history = presence_history(cast.carol)
    assert carol_history.series("original_posts").window(THIS_WEEK, 1) == 1


def test_it_falls_back_to_the_site_time_zone_when_the_users_is_unknown(cast):
    cast.bob.time_zone = "Mars/Olympus"
    cast.bob.save()
    post(cast.bob, datetime(2026, 11, 23, 4, 30, tzinfo=UTC))
    presence_recompute(cast.bob)
    status = dict(
        PresenceSnapshot.objects.filter(owner=cast.bob).values_list("week_start", "status")
    )
    assert status[weeks_ago(1)] == "active"


def test_it_only_uses_data_dated_before_the_end_of_each_week(cast):
    connection(cast.bob, date(2026, 11, 10), position="Présidente")
    connection(cast.bob, THIS_WEEK + timedelta(days=1), position="Analyste")
    history = presence_history(cast.bob)
    assert index_inputs(history, weeks_ago(3)).connections == 0
    last_week = index_inputs(history, weeks_ago(1))
    assert (last_week.connections, last_week.decision_makers) == (1, 1)
    this_week = index_inputs(history, THIS_WEEK)
    assert (this_week.connections, this_week.decision_makers, this_week.new_connections) == (
        2,
        1,
        2,
    )


def test_it_counts_conversations_invitations_and_recommendations_from_the_database(cast):
    day = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    interaction(cast.bob, Kind.MESSAGE_SENT, day, conversation="c1")
    interaction(cast.bob, Kind.MESSAGE_RECEIVED, day, conversation="c1")
    interaction(cast.bob, Kind.MESSAGE_SENT, day, conversation="c2")
    interaction(cast.bob, Kind.MESSAGE_RECEIVED, day, conversation="c3")
    accepted = connection(cast.bob, date(2026, 11, 19), name="Julie Tremblay")
    interaction(cast.bob, Kind.INVITATION_SENT, day, person=accepted.person)
    interaction(cast.bob, Kind.INVITATION_RECEIVED, day, counterpart="Julie Tremblay")
    interaction(cast.bob, Kind.INVITATION_SENT, day, counterpart="Nobody Connected")
    interaction(cast.bob, Kind.RECOMMENDATION_GIVEN, None)
    interaction(cast.bob, Kind.RECOMMENDATION_RECEIVED, day)
    interaction(cast.bob, Kind.RECOMMENDATION_RECEIVED, day)
    interaction(cast.bob, Kind.COMMENT, day)
    linkedin(cast.bob, headline="Directeur des ventes", industry="Logiciels")

    inputs = index_inputs(presence_history(cast.bob), THIS_WEEK)
    assert inputs.conversations == 2
    assert inputs.two_way_conversations == 1
    assert inputs.invitations_accepted == 2
    assert (inputs.recommendations_given, inputs.recommendations_received) == (1, 2)
    assert inputs.comments_given == 1
    assert inputs.active_weeks == 1
    assert inputs.profile_fields == 2


def test_it_reads_the_history_in_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for n in range(30):
        post(cast.bob, NOW - timedelta(days=3 * n))
        interaction(cast.bob, Kind.REACTION, NOW - timedelta(days=2 * n))
        connection(cast.bob, date(2025, 1, 1) + timedelta(days=n), position="CEO")
    with django_assert_max_num_queries(7):
        presence_history(cast.bob)


def test_it_gives_the_same_rows_when_recomputed_twice(cast):
    post(cast.bob, datetime(2026, 9, 2, 16, 0, tzinfo=UTC))
    interaction(cast.bob, Kind.COMMENT, datetime(2026, 11, 4, 16, 0, tzinfo=UTC))
    presence_recompute(cast.bob)
    first = list(
        PresenceSnapshot.objects.filter(owner=cast.bob)
        .order_by("week_start")
        .values("id", "week_start", "score", "status", "signals")
    )
    presence_recompute(cast.bob)
    second = list(
        PresenceSnapshot.objects.filter(owner=cast.bob)
        .order_by("week_start")
        .values("id", "week_start", "score", "status", "signals")
    )
    assert first == second
    assert first[-1]["signals"]["next_action"]["code"]


def test_it_drops_weeks_that_no_longer_belong_to_the_history(cast):
    old = post(cast.bob, datetime(2026, 3, 4, 16, 0, tzinfo=UTC))
    presence_recompute(cast.bob)
    assert PresenceSnapshot.objects.filter(owner=cast.bob).count() > 12
    old.delete()
    presence_recompute(cast.bob)
    assert PresenceSnapshot.objects.filter(owner=cast.bob).count() == 12


def test_it_recomputes_every_user_from_the_nightly_command(cast, capsys):
    assert presence_recompute_all() == 4
    call_command("recompute_presence")
    assert PresenceSnapshot.objects.filter(week_start=THIS_WEEK).count() == 4
    assert "4" in capsys.readouterr().out


def test_it_recomputes_only_the_users_named_and_reports_unknown_e_mails(cast, capsys):
    call_command("recompute_presence", "BOB@example.com", "nobody@example.com")
    owners = set(PresenceSnapshot.objects.values_list("owner__email", flat=True))
    assert owners == {"bob@example.com"}
    output = capsys.readouterr()
    assert "nobody@example.com" in output.err
    assert "1 user" in output.out


def test_it_recomputes_after_an_import_through_the_task(cast):
    presence_recompute_task.enqueue(cast.bob.pk)
    assert PresenceSnapshot.objects.filter(owner=cast.bob, week_start=THIS_WEEK).exists()
