"""Reads for the per-network breakdown: what each network brings, for one owner or a circle.

The Presence Index adds every network together (docs/presence-index.md); this breakdown shows
where the activity and the audience come from, over the same 12-week window.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Max, Q, Sum

from maillage.accounts.models import Circle, User
from maillage.network.models import Connection
from maillage.presence.index import WINDOW_WEEKS
from maillage.presence.models import Interaction, Post, SocialAccount
from maillage.presence.networks import Network

ORIGINAL_KINDS = (Post.Kind.ORIGINAL, Post.Kind.QUOTE)


@dataclass
class NetworkRow:
    """One network's share of the owner's presence over the last 12 weeks."""

    network: str
    accounts: list[str] = field(default_factory=list)
    original_posts: int = 0
    replies_and_comments: int = 0
    reshares: int = 0
    reactions: int = 0
    # Connections, friends and followers; None when the export says nothing about them.
    audience: int | None = None
    # Averages of what the network counted on the original posts, when the export says.
    average_reactions: float | None = None
    reach: int | None = None
    last_activity: datetime | None = None

    @property
    def label(self) -> str:
        return str(Network(self.network).label)

    @property
    def actions(self) -> int:
        return self.original_posts + self.replies_and_comments + self.reshares + self.reactions


def window_start(week: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """Monday 00:00, in the owner's zone, of the first week of the 12-week window."""
    return datetime.combine(week - timedelta(weeks=WINDOW_WEEKS - 1), time(), tzinfo=zone)


def _latest(current: datetime | None, other: datetime | None) -> datetime | None:
    if current is None:
        return other
    if other is None:
        return current
    return max(current, other)


def presence_networks(owner: User, week: date, zone: zoneinfo.ZoneInfo) -> list[NetworkRow]:
    """The owner's networks (those with an account or data), most active first; 4 queries."""
    since = window_start(week, zone)
    rows: dict[str, NetworkRow] = {}

    def row(network: str) -> NetworkRow:
        return rows.setdefault(network, NetworkRow(network))

    for account in SocialAccount.objects.filter(owner=owner).order_by("network", "pk"):
        item = row(account.network)
        item.accounts.append(account.display_name or account.handle)
        if account.followers_count is not None:
            item.audience = (item.audience or 0) + account.followers_count
    for found in Connection.objects.filter(owner=owner).values("network").annotate(n=Count("id")):
        item = row(found["network"])
        item.audience = (item.audience or 0) + found["n"]
    recent = Q(published_at__gte=since)
    for found in (
        Post.objects.filter(owner=owner)
        .values("network")
        .annotate(
            originals=Count("id", filter=recent & Q(kind__in=ORIGINAL_KINDS)),
            replies=Count("id", filter=recent & Q(kind=Post.Kind.REPLY)),
            reshares=Count("id", filter=recent & Q(kind=Post.Kind.RESHARE)),
            average=Avg("reactions_count", filter=recent & Q(kind__in=ORIGINAL_KINDS)),
            reach=Sum("reach", filter=recent),
            last=Max("published_at"),
        )
        .order_by()
    ):
        item = row(found["network"])
        item.original_posts = found["originals"]
        item.replies_and_comments += found["replies"]
        item.reshares = found["reshares"]
        item.average_reactions = (
            round(float(found["average"]), 1) if found["average"] is not None else None
        )
        item.reach = found["reach"]
        item.last_activity = _latest(item.last_activity, found["last"])
    given = Q(occurred_at__gte=since)
    for found in (
        Interaction.objects.filter(
            owner=owner, kind__in=[Interaction.Kind.COMMENT, Interaction.Kind.REACTION]
        )
        .values("network")
        .annotate(
            comments=Count("id", filter=given & Q(kind=Interaction.Kind.COMMENT)),
            reactions=Count("id", filter=given & Q(kind=Interaction.Kind.REACTION)),
            last=Max("occurred_at"),
        )
        .order_by()
    ):
        item = row(found["network"])
        item.replies_and_comments += found["comments"]
        item.reactions = found["reactions"]
        item.last_activity = _latest(item.last_activity, found["last"])
    order = {network: position for position, network in enumerate(Network.values)}
    return sorted(rows.values(), key=lambda r: (-r.actions, order.get(r.network, 99)))


def presence_networks_json(rows: Iterable[NetworkRow]) -> list[dict[str, Any]]:
    return [
        {
            "network": item.network,
            "label": item.label,
            "accounts": item.accounts,
            "original_posts": item.original_posts,
            "replies_and_comments": item.replies_and_comments,
            "reshares": item.reshares,
            "reactions": item.reactions,
            "audience": item.audience,
            "average_reactions": item.average_reactions,
            "reach": item.reach,
            "last_activity": item.last_activity.isoformat() if item.last_activity else None,
        }
        for item in rows
    ]


@dataclass
class CircleNetworkRow:
    """How many sharing members are on a network, and how many posted there in 12 weeks."""

    network: str
    members: int = 0
    posting_members: int = 0
    original_posts: int = 0

    @property
    def label(self) -> str:
        return str(Network(self.network).label)


def circle_networks(circle: Circle, week: date, zone: zoneinfo.ZoneInfo) -> list[CircleNetworkRow]:
    """Per network, among the members who share their index only (counts, never names)."""
    owners = list(circle.memberships.filter(share_index=True).values_list("user_id", flat=True))
    since = window_start(week, zone)
    members: dict[str, set[int]] = defaultdict(set)
    for owner_id, network in SocialAccount.objects.filter(owner_id__in=owners).values_list(
        "owner_id", "network"
    ):
        members[network].add(owner_id)
    posting: dict[str, set[int]] = defaultdict(set)
    posts: dict[str, int] = defaultdict(int)
    for found in (
        Post.objects.filter(owner_id__in=owners, published_at__gte=since, kind__in=ORIGINAL_KINDS)
        .values("owner_id", "network")
        .annotate(n=Count("id"))
        .order_by()
    ):
        posting[found["network"]].add(found["owner_id"])
        posts[found["network"]] += found["n"]
    rows = [
        CircleNetworkRow(
            network,
            members=len(members[network]),
            posting_members=len(posting[network]),
            original_posts=posts[network],
        )
        for network in Network.values
        if members[network] or posting[network]
    ]
    return sorted(rows, key=lambda r: (-r.members, -r.original_posts))


def circle_networks_json(rows: Iterable[CircleNetworkRow]) -> list[dict[str, Any]]:
    return [
        {
            "network": item.network,
            "label": item.label,
            "members": item.members,
            "posting_members": item.posting_members,
            "original_posts": item.original_posts,
        }
        for item in rows
    ]
