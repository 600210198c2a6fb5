"""Reads for the Presence Index: the inputs counted from the database, and the dashboards' data.

Counting is done with a handful of aggregate queries (per day, per kind) whatever the history
length; the weekly windows are then summed in memory so every week of a history is cheap.
"""

from __future__ import annotations

import bisect
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from maillage.accounts.models import Circle, Membership, User
from maillage.lib.local_date import LocalDate
from maillage.network.models import Connection
from maillage.presence.index import (
    ACTION_MESSAGES,
    PERCENT_SIGNALS,
    PILLAR_LABELS,
    PILLAR_POINTS,
    PILLARS,
    SIGNALS_BY_CODE,
    WINDOW_WEEKS,
    IndexInputs,
    IndexResult,
    WeekActivity,
    activity_status,
    compute_index,
    is_decision_maker,
)
from maillage.presence.models import Interaction, Post, PresenceSnapshot, SocialAccount
from maillage.presence.network_selectors import (
    CircleNetworkRow,
    NetworkRow,
    circle_networks,
    circle_networks_json,
    presence_networks,
    presence_networks_json,
)
from maillage.presence.networks import AccountKind, Network

PROFILE_FIELDS = ("headline", "summary", "industry", "location", "websites")
HEATMAP_WEEKS = 52
TREND_WEEKS = 26
CIRCLE_TREND_WEEKS = 12
Kind = Interaction.Kind
ACTIVITY_SERIES = (
    "original_posts",
    "other_posts",
    "comments",
    "reactions",
    "messages_sent",
    "recommendations_given",
)


def owner_zone(owner: User) -> zoneinfo.ZoneInfo:
    """The owner's time zone; the site's when theirs is not a valid IANA name."""
    try:
        return zoneinfo.ZoneInfo(owner.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def week_of(day: date) -> date:
    """The Monday that starts the week holding this day."""
    return day - timedelta(days=day.weekday())


def current_week(zone: zoneinfo.ZoneInfo, now: datetime | None = None) -> date:
    return week_of((now or timezone.now()).astimezone(zone).date())


class WeeklySeries:
    """Counts per week with prefix sums, for "as of" and "last N weeks" totals."""

    def __init__(self, counts: Counter[date], undated: int = 0) -> None:
        self.weeks = sorted(counts)
        self.undated = undated
        self._prefix = [0]
        for week in self.weeks:
            self._prefix.append(self._prefix[-1] + counts[week])

    def upto(self, week: date) -> int:
        """Everything dated in or before this week, plus what carries no date."""
        return self._prefix[bisect.bisect_right(self.weeks, week)] + self.undated

    def window(self, week: date, weeks: int = WINDOW_WEEKS) -> int:
        """The total of this week and the weeks - 1 before it."""
        start = week - timedelta(weeks=weeks - 1)
        return (
            self._prefix[bisect.bisect_right(self.weeks, week)]
            - self._prefix[bisect.bisect_left(self.weeks, start)]
        )


@dataclass
class ActivityHistory:
    """One owner's activity bucketed per day and per week in their time zone."""

    zone: zoneinfo.ZoneInfo
    profile_fields: int = 0
    daily: dict[str, Counter[date]] = field(default_factory=lambda: defaultdict(Counter))
    undated: Counter[str] = field(default_factory=Counter)
    # Week -> conversation ids with a message sent / received that week.
    sent_conversations: dict[date, set[str]] = field(default_factory=lambda: defaultdict(set))
    received_conversations: dict[date, set[str]] = field(default_factory=lambda: defaultdict(set))
    has_data: bool = False
    # With a LinkedIn account, the decision-maker share is taken of LinkedIn connections only.
    has_linkedin: bool = False
    _series: dict[str, WeeklySeries] = field(default_factory=dict)

    def series(self, name: str) -> WeeklySeries:
        if name not in self._series:
            weekly: Counter[date] = Counter()
            for day, count in self.daily.get(name, Counter()).items():
                weekly[week_of(day)] += count
            self._series[name] = WeeklySeries(weekly, self.undated[name])
        return self._series[name]

    @property
    def first_activity(self) -> date | None:
        """The first day the owner did something (connections and things received are not)."""
        days = [min(self.daily[name]) for name in ACTIVITY_SERIES if self.daily.get(name)]
        return min(days) if days else None


# The profile fields each network's export can fill in; Facebook's export gives a name only,
# which says nothing about how complete a profile is, so it does not count.
NETWORK_PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    Network.LINKEDIN: PROFILE_FIELDS,
    Network.X: ("display_name", "summary", "location", "websites"),
    Network.MASTODON: ("display_name", "summary", "websites"),
    Network.BLUESKY: ("display_name", "summary"),
}
# Networks where people follow each other rather than connect: following is how one grows.
FOLLOW_NETWORKS = (Network.X, Network.MASTODON, Network.BLUESKY)


def _accounts_read(owner: User, history: ActivityHistory) -> None:
    """Profile completeness (of 5), followers and whether LinkedIn is there, in one query.

    LinkedIn fields count one point each; elsewhere the share filled; the best profile wins.
    """
    best = followers = 0
    for account in SocialAccount.objects.filter(owner=owner).values(
        "network", "kind", "followers_count", "display_name", *PROFILE_FIELDS
    ):
        # Followers come as a count only (X's follower.js): audience, with no date.
        followers += account["followers_count"] or 0
        if account["network"] == Network.LINKEDIN:
            history.has_linkedin = True
        names = NETWORK_PROFILE_FIELDS.get(account["network"])
        if names and account["kind"] == AccountKind.PROFILE:
            filled = sum(1 for name in names if str(account[name]).strip())
            best = max(best, filled * len(PROFILE_FIELDS) // len(names))
    history.profile_fields = best
    history.undated["connections"] += followers


# A quote adds the owner's words: an original post. A reply on X, Mastodon or Bluesky is the
# public comment of those networks. Reshares (retweets, boosts, reposts) are other activity.
_POST_SERIES = {
    Post.Kind.ORIGINAL: "original_posts",
    Post.Kind.QUOTE: "original_posts",
    Post.Kind.REPLY: "comments",
}

_INTERACTION_SERIES = {
    Kind.COMMENT: "comments",
    Kind.REACTION: "reactions",
    Kind.MESSAGE_SENT: "messages_sent",
    Kind.RECOMMENDATION_GIVEN: "recommendations_given",
    Kind.RECOMMENDATION_RECEIVED: "recommendations_received",
    Kind.ENDORSEMENT_RECEIVED: "endorsements_received",
    Kind.FOLLOW: "follows",
}


def presence_history(owner: User) -> ActivityHistory:
    """Count the owner's posts, interactions and connections per day (about seven queries)."""
    zone = owner_zone(owner)
    history = ActivityHistory(zone=zone)
    _accounts_read(owner, history)
    day = LocalDate("published_at", zone)
    for row in (
        Post.objects.filter(owner=owner)
        .annotate(day=day)
        .values("day", "kind")
        .annotate(n=Count("id"))
    ):
        history.daily[_POST_SERIES.get(row["kind"], "other_posts")][row["day"]] += row["n"]

    # Following someone on X, Mastodon or Bluesky is how one grows there ("follows").
    interactions = Interaction.objects.filter(owner=owner).filter(
        Q(kind__in=[kind for kind in _INTERACTION_SERIES if kind != Kind.FOLLOW])
        | Q(kind=Kind.FOLLOW, network__in=FOLLOW_NETWORKS)
    )
    for row in (
        interactions.filter(occurred_at__isnull=False)
        .annotate(day=LocalDate("occurred_at", zone))
        .values("day", "kind")
        .annotate(n=Count("id"))
    ):
        history.daily[_INTERACTION_SERIES[row["kind"]]][row["day"]] += row["n"]
    for row in interactions.filter(occurred_at__isnull=True).values("kind").annotate(n=Count("id")):
        # Undated recommendations and endorsements still count from the start.
        history.undated[_INTERACTION_SERIES[row["kind"]]] += row["n"]

    for row in (
        Interaction.objects.filter(
            owner=owner,
            kind__in=[Kind.MESSAGE_SENT, Kind.MESSAGE_RECEIVED],
            occurred_at__isnull=False,
        )
        .exclude(conversation="")
        .annotate(day=LocalDate("occurred_at", zone))
        .values("conversation", "kind", "day")
        .order_by()  # the model's ordering would add occurred_at to the DISTINCT
        .distinct()
    ):
        target = (
            history.sent_conversations
            if row["kind"] == Kind.MESSAGE_SENT
            else history.received_conversations
        )
        target[week_of(row["day"])].add(row["conversation"])

    # Connections are read once, for two uses: counted by day below, and matched with the
    # invitations here. An invitation was accepted when its person, or someone of its name,
    # became a connection; matched in Python rather than with EXISTS, where SQLite, with no
    # index on names, scanned every connection for each invitation (0.2-0.3 s for a heavy
    # LinkedIn export).
    connected_ids: set[int] = set()
    connected_names: set[str] = set()
    # Grouped by position so each distinct title is matched once, not once per connection.
    grouped: Counter[tuple[date | None, str, str]] = Counter()
    for person_id, name, connected_on, position, network in Connection.objects.filter(
        owner=owner
    ).values_list("person_id", "person__name", "connected_on", "person__position", "network"):
        connected_ids.add(person_id)
        connected_names.add(name)
        grouped[connected_on, position or "", network] += 1
    connected_names.discard("")
    for day, person_id, counterpart in (
        Interaction.objects.filter(
            owner=owner,
            kind__in=[Kind.INVITATION_SENT, Kind.INVITATION_RECEIVED],
            occurred_at__isnull=False,
        )
        .annotate(day=LocalDate("occurred_at", zone))
        .values_list("day", "person_id", "counterpart")
    ):
        if person_id in connected_ids or counterpart in connected_names:
            history.daily["invitations_accepted"][day] += 1

    for (connected_on, position, network), n in grouped.items():
        names = ["connections"]
        if network == Network.LINKEDIN:
            names.append("positioned_connections")
        if is_decision_maker(position):
            names.append("decision_makers")
        for name in names:
            if connected_on is None:
                history.undated[name] += n
            else:
                history.daily[name][connected_on] += n

    history.has_data = bool(
        history.profile_fields
        or any(history.daily.values())
        or any(history.undated.values())
        or history.sent_conversations
        or history.received_conversations
    )
    return history


def _conversations(by_week: dict[date, set[str]], week: date) -> set[str]:
    found: set[str] = set()
    for offset in range(WINDOW_WEEKS):
        found |= by_week.get(week - timedelta(weeks=offset), set())
    return found


def week_activity(history: ActivityHistory, week: date) -> WeekActivity:
    other = sum(
        history.series(name).window(week, 1)
        for name in ("other_posts", "comments", "reactions", "messages_sent")
    )
    return WeekActivity(
        original_posts=history.series("original_posts").window(week, 1), other_actions=other
    )


def index_inputs(history: ActivityHistory, week: date) -> IndexInputs:
    """The formula's inputs as of the end of this week."""
    activity = [week_activity(history, week - timedelta(weeks=n)) for n in range(WINDOW_WEEKS)]
    sent = _conversations(history.sent_conversations, week)
    received = _conversations(history.received_conversations, week)
    s = history.series
    return IndexInputs(
        profile_fields=history.profile_fields,
        post_weeks=sum(1 for item in activity if item.original_posts),
        original_posts=s("original_posts").window(week),
        recommendations_received=s("recommendations_received").upto(week),
        endorsements_received=s("endorsements_received").upto(week),
        connections=s("connections").upto(week),
        new_connections=s("connections").window(week) + s("follows").window(week),
        decision_makers=s("decision_makers").upto(week),
        positioned_connections=(
            s("positioned_connections").upto(week) if history.has_linkedin else None
        ),
        invitations_accepted=s("invitations_accepted").window(week),
        comments_given=s("comments").window(week),
        reactions_given=s("reactions").window(week),
        conversations=len(sent),
        active_weeks=sum(1 for item in activity if item.any),
        recommendations_given=s("recommendations_given").upto(week),
        two_way_conversations=len(sent & received),
    )


def week_status(history: ActivityHistory, week: date) -> str:
    weeks = [week - timedelta(weeks=n) for n in range(3, -1, -1)]
    return activity_status([week_activity(history, item) for item in weeks])


@dataclass(frozen=True)
class WeekResult:
    week: date
    result: IndexResult
    status: str


def presence_weeks(history: ActivityHistory, weeks: Iterable[date]) -> list[WeekResult]:
    """The index and status of each week; only the last one carries a next best action."""
    weeks = list(weeks)
    return [
        WeekResult(
            week,
            compute_index(index_inputs(history, week), with_action=week == weeks[-1]),
            week_status(history, week),
        )
        for week in weeks
    ]


def weeks_between(first: date, last: date) -> list[date]:
    count = (last - first).days // 7
    return [first + timedelta(weeks=n) for n in range(count + 1)]


# --- personal dashboard -----------------------------------------------------------------------

HEAT_SERIES = ("original_posts", "other_posts", "comments", "reactions")
RECENT_POSTS = 10


@dataclass(frozen=True)
class HeatDay:
    day: date
    count: int
    level: int  # 0-4, the CSS shade
    future: bool


def _heat_level(count: int) -> int:
    if count <= 0:
        return 0
    if count == 1:
        return 1
    if count <= 3:
        return 2
    if count <= 6:
        return 3
    return 4


def presence_heatmap(history: ActivityHistory, today: date) -> list[HeatDay]:
    """Posts, comments and reactions per day for 52 weeks, Monday to Sunday, oldest first."""
    start = week_of(today) - timedelta(weeks=HEATMAP_WEEKS - 1)
    days: list[HeatDay] = []
    for offset in range(HEATMAP_WEEKS * 7):
        day = start + timedelta(days=offset)
        count = sum(history.daily.get(name, Counter()).get(day, 0) for name in HEAT_SERIES)
        days.append(HeatDay(day, count, _heat_level(count), day > today))
    return days


@dataclass
class PersonalDashboard:
    has_data: bool
    current: WeekResult
    trend: list[WeekResult]
    heatmap: list[HeatDay]
    posts: Page[Post]
    networks: list[NetworkRow] = field(default_factory=list)

    @property
    def heat_total(self) -> int:
        return sum(day.count for day in self.heatmap)

    @property
    def heat_active_days(self) -> int:
        return sum(1 for day in self.heatmap if day.count)


def presence_dashboard(owner: User, page: int | str | None = 1) -> PersonalDashboard:
    """Everything the personal dashboard shows, computed fresh from the owner's data."""
    history = presence_history(owner)
    this_week = current_week(history.zone)
    today = timezone.now().astimezone(history.zone).date()
    trend = presence_weeks(
        history, weeks_between(this_week - timedelta(weeks=TREND_WEEKS - 1), this_week)
    )
    posts = Paginator(
        Post.objects.filter(owner=owner).order_by("-published_at", "-pk"), RECENT_POSTS
    ).get_page(page)
    return PersonalDashboard(
        has_data=history.has_data,
        current=trend[-1],
        trend=trend,
        heatmap=presence_heatmap(history, today),
        posts=posts,
        networks=presence_networks(owner, this_week, history.zone),
    )


def presence_dashboard_json(dashboard: PersonalDashboard) -> dict[str, Any]:
    """The chart data of the personal dashboard."""
    trend = dashboard.trend
    action = dashboard.current.result.next_action
    return {
        "week": dashboard.current.week.isoformat(),
        "next_action": (
            {"code": action.code, "message": str(ACTION_MESSAGES[action.code]), "gain": action.gain}
            if action
            else None
        ),
        "score": dashboard.current.result.score,
        "status": dashboard.current.status,
        "pillars": dashboard.current.result.pillars,
        "trend": {
            "labels": [item.week.isoformat() for item in trend],
            "score": [item.result.score for item in trend],
            **{pillar: [item.result.pillars[pillar] for item in trend] for pillar in PILLARS},
            "status": [item.status for item in trend],
        },
        "heatmap": [
            {"date": day.day.isoformat(), "count": day.count}
            for day in dashboard.heatmap
            if not day.future
        ],
        "networks": presence_networks_json(dashboard.networks),
    }


# --- circle dashboard -------------------------------------------------------------------------

STATUSES = ("active", "occasional", "inactive")


def circle_presence_allowed(membership: Membership) -> bool:
    """The animator sees the circle; a member sees it only while sharing their own index."""
    return membership.is_animator or membership.share_index


@dataclass(frozen=True)
class MemberRow:
    name: str | None  # None: shown as "Anonymous member N"
    anonymous_number: int | None
    status: str | None  # None: no snapshot yet this week
    score: float | None


@dataclass
class CircleSummary:
    circle: Circle
    week: date
    members: list[MemberRow]
    not_shared: int
    counts: dict[str, int]  # this week, per status, among shared members with data
    no_data: int
    trend: list[tuple[date, dict[str, int]]]
    histogram: list[int]  # 10 buckets: 0-9, 10-19, ..., 90-100
    pillars: dict[str, float | None]
    networks: list[CircleNetworkRow] = field(default_factory=list)

    @property
    def with_data(self) -> int:
        return sum(self.counts.values())

    @property
    def occasional_or_inactive_percent(self) -> int | None:
        if not self.with_data:
            return None
        share = (self.counts["occasional"] + self.counts["inactive"]) * 100 / self.with_data
        return int(share + 0.5)

    @property
    def histogram_labels(self) -> list[str]:
        return [f"{low}-{low + 9 if low < 90 else 100}" for low in range(0, 100, 10)]

    @property
    def histogram_rows(self) -> list[tuple[str, int]]:
        return list(zip(self.histogram_labels, self.histogram, strict=True))

    @property
    def pillar_rows(self) -> list[tuple[str, str, float | None]]:
        return [(code, str(PILLAR_LABELS[code]), self.pillars[code]) for code in PILLARS]


def circle_presence_summary(
    circle: Circle, week: date, zone: zoneinfo.ZoneInfo | None = None
) -> CircleSummary:
    """The circle's week: only members who share their index are shown; the rest are counted."""
    memberships = list(circle.memberships.select_related("user").order_by("pk"))
    shared = [m for m in memberships if m.share_index]
    first = week - timedelta(weeks=CIRCLE_TREND_WEEKS - 1)
    snapshots: dict[tuple[int, date], PresenceSnapshot] = {
        (snapshot.owner_id, snapshot.week_start): snapshot
        for snapshot in PresenceSnapshot.objects.filter(
            owner_id__in=[m.user_id for m in shared], week_start__range=(first, week)
        ).only(*["owner_id", "week_start", "score", "status", *PILLARS])
    }
    current = [(m, snapshots.get((m.user_id, week))) for m in shared]
    # Best score first, so the order says nothing about who joined when.
    current.sort(key=lambda pair: (pair[1] is None, -(pair[1].score if pair[1] else 0)))
    members: list[MemberRow] = []
    anonymous = 0
    for membership, snapshot in current:
        number = None
        if not membership.show_name:
            anonymous += 1
            number = anonymous
        members.append(
            MemberRow(
                name=membership.user.display_name if membership.show_name else None,
                anonymous_number=number,
                status=snapshot.status if snapshot else None,
                score=snapshot.score if snapshot else None,
            )
        )
    present = [snapshot for _, snapshot in current if snapshot is not None]
    histogram = [0] * 10
    for snapshot in present:
        histogram[min(int(snapshot.score // 10), 9)] += 1
    trend = []
    for item in weeks_between(first, week):
        counts = Counter(
            snapshots[(m.user_id, item)].status for m in shared if (m.user_id, item) in snapshots
        )
        trend.append((item, {status: counts[status] for status in STATUSES}))
    return CircleSummary(
        circle=circle,
        week=week,
        members=members,
        not_shared=len(memberships) - len(shared),
        counts={status: sum(1 for s in present if s.status == status) for status in STATUSES},
        no_data=len(shared) - len(present),
        trend=trend,
        histogram=histogram,
        pillars={
            pillar: (
                round(sum(getattr(s, pillar) for s in present) / len(present), 1)
                if present
                else None
            )
            for pillar in PILLARS
        },
        networks=circle_networks(circle, week, zone or zoneinfo.ZoneInfo(settings.TIME_ZONE)),
    )


def circle_presence_json(summary: CircleSummary) -> dict[str, Any]:
    """The circle dashboard's chart data (same consent rules as the page)."""
    return {
        "circle": summary.circle.pk,
        "week": summary.week.isoformat(),
        "counts": summary.counts,
        "not_shared": summary.not_shared,
        "no_data": summary.no_data,
        "occasional_or_inactive_percent": summary.occasional_or_inactive_percent,
        "status_trend": {
            "labels": [week.isoformat() for week, _ in summary.trend],
            **{status: [counts[status] for _, counts in summary.trend] for status in STATUSES},
        },
        "histogram": {"labels": summary.histogram_labels, "counts": summary.histogram},
        "pillars": summary.pillars,
        "members": [
            {
                "name": row.name,
                "anonymous_number": row.anonymous_number,
                "status": row.status,
                "score": row.score,
            }
            for row in summary.members
        ],
        "networks": circle_networks_json(summary.networks),
    }


# --- explanations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRow:
    code: str
    label: str
    explanation: str
    value: float
    is_percent: bool
    points: float
    max_points: int


@dataclass(frozen=True)
class PillarRow:
    code: str
    label: str
    points: float
    signals: list[SignalRow]

    @property
    def percent(self) -> int:
        return int(self.points * 100 / PILLAR_POINTS + 0.5)


def index_explained(result: IndexResult) -> list[PillarRow]:
    """The pillars with each signal's label, explanation, value and points, in display order."""
    rows: dict[str, list[SignalRow]] = {pillar: [] for pillar in PILLARS}
    for signal in result.signals:
        spec = SIGNALS_BY_CODE[signal.code]
        rows[signal.pillar].append(
            SignalRow(
                code=signal.code,
                label=str(spec.label),
                explanation=str(spec.explanation),
                value=signal.value,
                is_percent=signal.code in PERCENT_SIGNALS,
                points=signal.points,
                max_points=signal.max_points,
            )
        )
    return [
        PillarRow(pillar, str(PILLAR_LABELS[pillar]), result.pillars[pillar], rows[pillar])
        for pillar in PILLARS
    ]
