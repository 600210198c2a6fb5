"""Every network feeds the Presence Index, and the dashboards break it down network by network."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from maillage.accounts.models import User
from maillage.network.models import Connection, Person
from maillage.presence.index import compute_index
from maillage.presence.models import Interaction, Post, SocialAccount
from maillage.presence.network_selectors import circle_networks, presence_networks
from maillage.presence.selectors import index_inputs, presence_history

# Wednesday 25 November 2026 in Montréal: the week starts Monday 23 November.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 23)
ZONE = zoneinfo.ZoneInfo("America/Toronto")
Kind = Interaction.Kind
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def account(owner: User, network: str, **fields: object) -> SocialAccount:
    found, _ = SocialAccount.objects.get_or_create(
        owner=owner, network=network, handle=f"{network}:{owner.email}"
    )
    for name, value in fields.items():
        setattr(found, name, value)
    found.save()
    return found


def post(owner: User, network: str, days_ago: int, kind: str = Post.Kind.ORIGINAL, **extra):
    return Post.objects.create(
        owner=owner,
        account=account(owner, network),
        network=network,
        key=f"p{next(_keys)}",
        kind=kind,
        published_at=NOW - timedelta(days=days_ago),
        **extra,
    )


def interaction(owner: User, network: str, kind: str, days_ago: int | None) -> Interaction:
    return Interaction.objects.create(
        owner=owner,
        account=account(owner, network),
        network=network,
        key=f"i{next(_keys)}",
        kind=kind,
        occurred_at=None if days_ago is None else NOW - timedelta(days=days_ago),
    )


def friend(owner: User, network: str, position: str = "") -> Connection:
    key = f"f{next(_keys)}"
    person = Person.objects.create(
        owner=owner, network=network, key=key, name=key, position=position
    )
    return Connection.objects.create(
        owner=owner, person=person, network=network, connected_on=date(2025, 1, 1)
    )


def inputs_now(owner: User):
    return index_inputs(presence_history(owner), THIS_WEEK)


def test_it_gives_a_mastodon_only_member_a_meaningful_index(cast):
    account(
        cast.bob,
        "mastodon",
        display_name="Bob",
        summary="Conseiller en ventes B2B",
        websites="https://example.com",
    )
    for week in range(6):
        post(cast.bob, "mastodon", 7 * week + 1, language="fr")
    for n in range(5):
        post(cast.bob, "mastodon", n + 2, Post.Kind.REPLY)
    post(cast.bob, "mastodon", 3, Post.Kind.RESHARE)
    interaction(cast.bob, "mastodon", Kind.REACTION, None)  # favourites carry no date

    inputs = inputs_now(cast.bob)
    result = compute_index(inputs)

    assert inputs.profile_fields == 5  # name, bio and links: all Mastodon's fields
    assert inputs.original_posts == 6
    assert inputs.post_weeks == 6
    assert inputs.comments_given == 5  # replies are the comments of Mastodon
    assert inputs.reactions_given == 0
    assert result.pillars["brand"] > 10
    assert result.pillars["engagement"] > 5
    assert result.score > 20


def test_it_counts_a_quote_as_an_original_post_and_a_reshare_as_activity(cast):
    post(cast.bob, "bluesky", 1, Post.Kind.QUOTE)
    post(cast.bob, "bluesky", 2, Post.Kind.RESHARE)
    inputs = inputs_now(cast.bob)
    assert inputs.original_posts == 1
    assert inputs.active_weeks == 1


def test_it_adds_x_followers_and_facebook_friends_to_the_network_size(cast):
    account(cast.bob, "x", followers_count=240)
    for _ in range(3):
        friend(cast.bob, "facebook")
    assert inputs_now(cast.bob).connections == 243


def test_it_takes_the_decision_maker_share_of_linkedin_connections_only(cast):
    account(cast.bob, "linkedin")
    friend(cast.bob, "linkedin", position="Présidente")
    friend(cast.bob, "linkedin", position="Représentant")
    for _ in range(8):
        friend(cast.bob, "facebook")  # friends never carry a position
    result = compute_index(inputs_now(cast.bob))
    share = next(s for s in result.signals if s.code == "decision_maker_share")
    assert share.value == 50.0


def test_it_counts_dated_follows_as_growth_on_follow_networks_only(cast):
    interaction(cast.bob, "bluesky", Kind.FOLLOW, 10)
    interaction(cast.bob, "bluesky", Kind.FOLLOW, 20)
    interaction(cast.bob, "linkedin", Kind.FOLLOW, 10)  # a company followed is not growth
    interaction(cast.bob, "mastodon", Kind.FOLLOW, None)  # the CSV export has no dates
    assert inputs_now(cast.bob).new_connections == 2


def test_it_scores_an_x_profile_by_the_share_of_its_fields_filled(cast):
    account(cast.bob, "x", display_name="Bob", summary="Ventes", location="", websites="")
    assert inputs_now(cast.bob).profile_fields == 2  # 2 of 4 fields -> 2.5, rounded down


def test_it_breaks_the_presence_down_network_by_network(cast):
    account(cast.bob, "linkedin", display_name="Bob Gagnon")
    account(cast.bob, "x", display_name="@bob", followers_count=120)
    post(cast.bob, "linkedin", 3)
    post(cast.bob, "x", 2, reactions_count=4)
    post(cast.bob, "x", 5, reactions_count=8)
    post(cast.bob, "x", 6, Post.Kind.REPLY)
    post(cast.bob, "x", 200)  # outside the 12 weeks
    interaction(cast.bob, "linkedin", Kind.COMMENT, 4)
    interaction(cast.bob, "x", Kind.REACTION, None)
    friend(cast.bob, "linkedin")

    rows = {row.network: row for row in presence_networks(cast.bob, THIS_WEEK, ZONE)}

    assert list(rows) == ["x", "linkedin"]  # most active first
    x, linkedin = rows["x"], rows["linkedin"]
    assert (x.original_posts, x.replies_and_comments, x.reactions) == (2, 1, 0)
    assert x.average_reactions == 6.0
    assert x.audience == 120
    assert x.accounts == ["@bob"]
    assert x.last_activity == NOW - timedelta(days=2)
    assert (linkedin.original_posts, linkedin.replies_and_comments) == (1, 1)
    assert linkedin.audience == 1
    assert linkedin.average_reactions is None


def test_the_circle_breakdown_counts_only_members_who_share(cast):
    post(cast.bob, "mastodon", 2)  # Bob shares his index
    post(cast.carol, "mastodon", 2)  # Carol does not
    post(cast.carol, "bluesky", 2)
    rows = circle_networks(cast.circle, THIS_WEEK, ZONE)
    assert [(r.network, r.members, r.posting_members, r.original_posts) for r in rows] == [
        ("mastodon", 1, 1, 1)
    ]


def test_the_dashboards_show_the_breakdown_and_their_json_carries_it(cast):
    account(cast.bob, "mastodon", display_name="Bob")
    post(cast.bob, "mastodon", 2)
    client = cast.client_for(cast.bob)

    page = client.get("/presence/").content.decode()
    assert 'data-network="mastodon"' in page
    assert "Réseau par réseau" in page
    data = client.get("/presence/me.json").json()
    assert data["networks"][0]["network"] == "mastodon"
    assert data["networks"][0]["original_posts"] == 1

    circle = client.get(f"/presence/circles/{cast.circle.pk}/").content.decode()
    assert 'data-testid="circle-network-breakdown"' in circle
    circle_json = client.get(f"/presence/circles/{cast.circle.pk}.json").json()
    assert circle_json["networks"] == [
        {
            "network": "mastodon",
            "label": "Mastodon",
            "members": 1,
            "posting_members": 1,
            "original_posts": 1,
        }
    ]


def test_a_member_who_does_not_share_gets_no_breakdown_of_the_circle(cast):
    post(cast.bob, "mastodon", 2)
    response = cast.client_for(cast.carol).get(f"/presence/circles/{cast.circle.pk}.json")
    assert response.status_code == 403
    assert "networks" not in response.json()
