"""Who is in the demo circle, whom they know and twelve months of what they did (fictional).

Everything comes from the seed and `now`: a seeded Faker `fr_CA` for names and one
`random.Random` per member for activity, so a member's activity does not depend on the others'.
"""

from __future__ import annotations

import dataclasses
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from faker import Faker

from maillage.demo import texts
from maillage.demo.providers import QuebecBusinessProvider

ZONE = ZoneInfo("America/Toronto")
CIRCLE_NAME = "Cercle des directeurs des ventes (démo)"
ANIMATOR_EMAIL = "animateur@example.com"
MEMBER_EMAIL = "membre@example.com"
PASSWORD = "demo-maillage-2026"  # noqa: S105 - the documented demo password, for the demo only
DEFAULT_MEMBERS = 25
# Connection rows written for the whole circle at most, so `make run` stays fast.
CONNECTION_BUDGET = 20_000

REACTION_TYPES = ("LIKE",) * 6 + ("PRAISE", "INTEREST", "APPRECIATION", "EMPATHY", "ENTERTAINMENT")

# Every member is on LinkedIn; this share of the circle is also on one or two of these
# (importer kinds), so the dashboards' network-by-network table has something to show.
OTHER_NETWORKS = ("facebook", "x", "mastodon", "bluesky")
ELSEWHERE_SHARE = 0.4


class Archetype(StrEnum):
    """How a member uses LinkedIn; about 80% of the circle is occasional or inactive."""

    COACH = "coach"  # the animator: posts twice a week
    ACTIVE = "active"  # posts every week
    OCCASIONAL = "occasional"  # posts now and then; reacted in the last three weeks
    INACTIVE = "inactive"  # nothing in the last five weeks, often nothing in a year


# Network size range (connections) of each archetype.
NETWORK_SIZES: dict[Archetype, tuple[int, int]] = {
    Archetype.COACH: (2_000, 2_500),
    Archetype.ACTIVE: (800, 1_800),
    Archetype.OCCASIONAL: (300, 1_000),
    Archetype.INACTIVE: (150, 600),
}


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone in the members' networks (fictional)."""

    first_name: str
    last_name: str
    company: str
    position: str
    url: str
    email: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class MemberPlan:
    index: int
    email: str
    first_name: str
    last_name: str
    feminine: bool
    company: str
    position: str
    industry: str
    place: str
    archetype: Archetype
    language: str
    network_size: int
    linkedin_since: int
    share_index: bool
    show_name: bool
    pool_connections: bool
    url: str
    # Networks besides LinkedIn (importer kinds, in OTHER_NETWORKS order).
    networks: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_animator(self) -> bool:
        return self.archetype is Archetype.COACH

    def as_contact(self) -> Contact:
        return Contact(self.first_name, self.last_name, self.company, self.position, self.url)


@dataclass(slots=True)
class DemoPlan:
    seed: int
    now: datetime
    members: list[MemberPlan]
    contacts: list[Contact] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.astimezone(ZONE).date()

    @property
    def archive_name(self) -> str:
        return f"Basic_LinkedInDataExport_{self.today:%m-%d-%Y}.zip"


def faker_for(seed: int) -> Faker:
    fake = Faker("fr_CA")
    fake.add_provider(QuebecBusinessProvider)
    fake.seed_instance(seed)
    return fake


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _profile_url(rng: random.Random, first: str, last: str) -> str:
    return f"https://www.linkedin.com/in/{ascii_slug(first)}-{ascii_slug(last)}-{rng.getrandbits(28):07x}"


def _archetypes(count: int) -> list[Archetype]:
    """The animator first, then ~20% active, ~32% occasional and the rest inactive (5/8/12)."""
    active = max(1, round(count * 0.2))
    occasional = round(count * 0.32)
    inactive = max(0, count - active - occasional)
    return (
        [Archetype.COACH]
        + [Archetype.ACTIVE] * (active - 1)
        + [Archetype.OCCASIONAL] * occasional
        + [Archetype.INACTIVE] * inactive
    )[:count]


def _consents(index: int, archetype: Archetype) -> tuple[bool, bool, bool]:
    """(share_index, show_name, pool_connections): most share, about half named, 3 in 25 nothing."""
    if archetype is Archetype.COACH:
        return True, True, True
    if index % 8 == 6:
        return False, False, False
    named = index % 2 == 1
    return True, named, named and index % 4 == 1


def demo_plan(
    seed: int = 42,
    *,
    members: int = DEFAULT_MEMBERS,
    scale: float = 1.0,
    now: datetime | None = None,
) -> DemoPlan:
    """Who is in the circle and who they know; `scale` shrinks every network (for tests)."""
    fake = faker_for(seed)
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    plan = DemoPlan(seed=seed, now=now, members=[])
    emails: set[str] = set()
    archetypes = _archetypes(members)
    # The printed member login is an occasional member: the typical "80%" case.
    login_index = [*archetypes, Archetype.OCCASIONAL].index(Archetype.OCCASIONAL)
    login_index = login_index if login_index < members else 1
    for index, archetype in enumerate(archetypes):
        # The coach who wrote the brief is a man; the members are a mix.
        feminine = archetype is not Archetype.COACH and rng.random() < 0.45
        first = fake.first_name_female() if feminine else fake.first_name_male()
        last = fake.last_name()
        industry = fake.quebec_industry()
        if archetype is Archetype.COACH:
            industry = "Services-conseils"
            email, company = ANIMATOR_EMAIL, f"Coaching {fake.quebec_place()} inc."
            position = "Coach en vente sociale"
        else:
            email = (
                MEMBER_EMAIL
                if index == login_index
                else f"{ascii_slug(first)}.{ascii_slug(last)}@example.com"
            )
            company = fake.quebec_company()
            position = fake.sales_leader_position(feminine=feminine)
        base, suffix = email, 2
        while email in emails:
            email = base.replace("@", f"{suffix}@")
            suffix += 1
        emails.add(email)
        low, high = NETWORK_SIZES[archetype]
        share_index, show_name, pool = _consents(index, archetype)
        if index == login_index:
            share_index, show_name = True, True
        plan.members.append(
            MemberPlan(
                index=index,
                email=email,
                first_name=first,
                last_name=last,
                feminine=feminine,
                company=company,
                position=position,
                industry=industry,
                place=fake.quebec_place(),
                archetype=archetype,
                language="en" if index % 9 == 4 else "fr",
                network_size=rng.randint(low, high),
                linkedin_since=rng.randint(2008, 2019),
                share_index=share_index,
                show_name=show_name,
                pool_connections=pool,
                url=_profile_url(rng, first, last),
            )
        )
    total = sum(member.network_size for member in plan.members)
    factor = scale * min(1.0, CONNECTION_BUDGET / total) if total else scale
    plan.members = [
        _with_size(member, max(5, round(member.network_size * factor))) for member in plan.members
    ]
    plan.members = _networks_assign(seed, plan.members)
    pool_size = max(member.network_size for member in plan.members) + 200
    plan.contacts = [_contact(fake, rng) for _ in range(pool_size)]
    return plan


def _with_size(member: MemberPlan, size: int) -> MemberPlan:
    values = {name: getattr(member, name) for name in MemberPlan.__slots__}
    values["network_size"] = size
    return MemberPlan(**values)


# How likely each archetype is to be among the members on other networks (relative weights):
# people who post on LinkedIn tend to post elsewhere too.
ELSEWHERE_WEIGHT: dict[Archetype, float] = {
    Archetype.COACH: 1.0,
    Archetype.ACTIVE: 4.0,
    Archetype.OCCASIONAL: 1.5,
    Archetype.INACTIVE: 1.0,
}
# The chance of being on two other networks rather than one (the animator always is).
TWO_NETWORKS: dict[Archetype, float] = {
    Archetype.COACH: 1.0,
    Archetype.ACTIVE: 0.6,
    Archetype.OCCASIONAL: 0.3,
    Archetype.INACTIVE: 0.25,
}


def _networks_assign(seed: int, members: list[MemberPlan]) -> list[MemberPlan]:
    """Give about 40% of the members one or two other networks (their own seeded draw).

    The animator and the printed member login are always among them, so both dashboards show
    the network-by-network table. Networks are dealt in shuffled rounds of four, so every one
    of them appears once there are four places to fill.
    """
    rng = random.Random(f"{seed}:networks")
    wanted = max(1, round(len(members) * ELSEWHERE_SHARE))
    first = [m for m in members if m.is_animator or m.email == MEMBER_EMAIL]
    rest = [m for m in members if m not in first]
    # Weighted sampling without replacement (Efraimidis-Spirakis): the largest u^(1/w) wins.
    keys = [rng.random() ** (1 / ELSEWHERE_WEIGHT[m.archetype]) for m in rest]
    ranked = [m for _, m in sorted(zip(keys, rest, strict=True), key=lambda item: -item[0])]
    chosen = (first + ranked)[:wanted]
    deck: list[str] = []
    networks: dict[int, tuple[str, ...]] = {}
    for member in chosen:
        count = 2 if rng.random() < TWO_NETWORKS[member.archetype] else 1
        picked: list[str] = []
        while len(picked) < count:
            if len(deck) < len(OTHER_NETWORKS):
                dealt = list(OTHER_NETWORKS)
                rng.shuffle(dealt)
                deck += dealt
            network = next(name for name in deck if name not in picked)
            deck.remove(network)
            picked.append(network)
        networks[member.index] = tuple(n for n in OTHER_NETWORKS if n in picked)
    return [
        dataclasses.replace(member, networks=networks.get(member.index, ())) for member in members
    ]


def _contact(fake: Faker, rng: random.Random) -> Contact:
    feminine = rng.random() < 0.45
    first = fake.first_name_female() if feminine else fake.first_name_male()
    last = fake.last_name()
    email = ""
    if rng.random() < 0.015:
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@example.org"
    return Contact(
        first_name=first,
        last_name=last,
        company=fake.quebec_company(),
        position=fake.sales_position(feminine=feminine),
        url=_profile_url(rng, first, last),
        email=email,
    )


# --- one member's activity --------------------------------------------------------------------


@dataclass(slots=True)
class Activity:
    """Everything one member did or received, before it is written as files."""

    connections: list[tuple[Contact | None, date]] = field(default_factory=list)
    posts: list[tuple[datetime, str, str]] = field(default_factory=list)  # when, text, shared url
    comments: list[tuple[datetime, str]] = field(default_factory=list)
    reactions: list[tuple[datetime, str]] = field(default_factory=list)
    invitations: list[tuple[datetime, Contact, bool]] = field(default_factory=list)  # outgoing?
    conversations: list[tuple[Contact, list[tuple[datetime, bool, str]]]] = field(
        default_factory=list
    )  # with whom, [(when, sent by the member?, text)]
    recommendations_given: list[tuple[datetime, Contact, str]] = field(default_factory=list)
    recommendations_received: list[tuple[datetime, Contact, str]] = field(default_factory=list)
    endorsements: list[tuple[datetime, Contact, str]] = field(default_factory=list)
    follows: list[tuple[datetime, str]] = field(default_factory=list)
    # The last moment the member may act (it decides this week's status); other networks keep
    # to it too.
    latest: datetime | None = None


class WeekClock:
    """Random business-hour moments (Québec time) in a window, never after `now`."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        local = now.astimezone(ZONE)
        self.week_start = datetime.combine(
            local.date() - timedelta(days=local.weekday()), time(), ZONE
        )

    def weeks_ago(self, weeks: int) -> datetime:
        return self.week_start - timedelta(weeks=weeks)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A weekday-ish 8:00-18:59 moment in [start, end); the middle if the window is tiny."""
        end = min(end, self.now)
        first, last = start.astimezone(ZONE).date(), end.astimezone(ZONE).date()
        span = (last - first).days
        for _ in range(12):
            day = first + timedelta(days=self.rng.randint(0, max(span, 0)))
            moment = datetime.combine(
                day,
                time(self.rng.randint(8, 18), self.rng.randint(0, 59), self.rng.randint(0, 59)),
                ZONE,
            )
            if start <= moment < end:
                return moment
        return start + (end - start) / 2


def _text(rng: random.Random, member: MemberPlan, choices: Sequence[str], contact: Contact) -> str:
    return texts.fill(
        rng.choice(choices),
        rng,
        place=member.place,
        company=member.company,
        sector=member.industry.lower(),
        name=contact.first_name,
    )


def _post_text(rng: random.Random, member: MemberPlan, me: Contact) -> str:
    english = rng.random() < (0.8 if member.language == "en" else 0.15)
    return _text(rng, member, texts.POSTS_EN if english else texts.POSTS_FR, me)


def _comment_text(rng: random.Random, member: MemberPlan, me: Contact) -> str:
    english = rng.random() < (0.7 if member.language == "en" else 0.1)
    return _text(rng, member, texts.COMMENTS_EN if english else texts.COMMENTS_FR, me)


@dataclass(frozen=True, slots=True)
class Rates:
    """How much an archetype does: weekly means over the year, then counts for the year."""

    posts: float
    comments: float
    reactions: float
    conversations: int
    invitations: int
    recommendations_given: int
    recommendations_received: int
    endorsements: int
    follows: int
    new_connections: float  # share of the network added in the last 12 months


RATES: dict[Archetype, Rates] = {
    Archetype.COACH: Rates(2.0, 3.0, 8.0, 40, 60, 6, 12, 45, 15, 0.15),
    Archetype.ACTIVE: Rates(1.0, 1.5, 4.0, 20, 30, 2, 5, 25, 10, 0.12),
    Archetype.OCCASIONAL: Rates(0.2, 0.3, 1.0, 6, 6, 1, 2, 10, 5, 0.06),
    Archetype.INACTIVE: Rates(0.03, 0.05, 0.15, 2, 1, 0, 1, 4, 2, 0.02),
}


def poisson(rng: random.Random, mean: float) -> int:
    """A small Poisson draw (Knuth), enough for weekly counts."""
    if mean <= 0:
        return 0
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def member_activity(plan: DemoPlan, member: MemberPlan) -> Activity:
    """Twelve months of activity for one member, shaped by their archetype."""
    rng = random.Random(f"{plan.seed}:{member.index}")
    clock = WeekClock(rng, plan.now)
    me = member.as_contact()
    year_ago = clock.weeks_ago(52)
    kind = member.archetype
    rates = RATES[kind]
    # The latest moment each archetype may act: it decides this week's status.
    if kind in (Archetype.COACH, Archetype.ACTIVE):
        latest = plan.now
    elif kind is Archetype.OCCASIONAL:
        latest = clock.weeks_ago(3)
    else:
        latest = clock.weeks_ago(5)
    # Inactive members mostly stopped long ago: half of them did nothing in the year.
    if kind is Archetype.INACTIVE and rng.random() < 0.5:
        latest = year_ago
    activity = Activity(latest=latest)
    people = _network(plan, member, rng, rates.new_connections, activity)

    for week in range(52, 0, -1):
        start, end = clock.weeks_ago(week), clock.weeks_ago(week - 1)
        if start >= latest:
            break
        end = min(end, latest)
        posts = poisson(rng, rates.posts)
        # Active members post in each of the last three full weeks, so they read as active.
        if kind in (Archetype.COACH, Archetype.ACTIVE) and week <= 3:
            posts = max(posts, 1)
        for _ in range(posts):
            activity.posts.append((clock.between(start, end), _post_text(rng, member, me), ""))
        for _ in range(poisson(rng, rates.comments)):
            activity.comments.append((clock.between(start, end), _comment_text(rng, member, me)))
        for _ in range(poisson(rng, rates.reactions)):
            activity.reactions.append((clock.between(start, end), rng.choice(REACTION_TYPES)))
    if kind in (Archetype.COACH, Archetype.ACTIVE):
        if plan.now - clock.week_start > timedelta(hours=12) and rng.random() < 0.6:
            moment = clock.between(clock.week_start, plan.now)
            activity.posts.append((moment, _post_text(rng, member, me), ""))
        for _ in range(rng.randint(1, 3)):
            moment = clock.between(year_ago, plan.now)
            activity.posts.append((moment, "", f"https://www.linkedin.com/posts/{me.url[28:]}"))
    if kind is Archetype.OCCASIONAL:
        # A few reactions in the last three weeks (none this week): occasional, not inactive.
        for _ in range(rng.randint(1, 3)):
            moment = clock.between(clock.weeks_ago(3), clock.week_start)
            activity.reactions.append((moment, rng.choice(REACTION_TYPES)))
    if kind is Archetype.INACTIVE and rng.random() < 0.5:
        # Old activity, from before the demo year.
        for _ in range(rng.randint(1, 4)):
            moment = clock.between(clock.weeks_ago(52 * 3), year_ago)
            activity.posts.append((moment, _post_text(rng, member, me), ""))

    _relations(rng, member, clock, latest, people, activity, rates)
    return activity


def _network(
    plan: DemoPlan,
    member: MemberPlan,
    rng: random.Random,
    new_share: float,
    activity: Activity,
) -> list[Contact]:
    """The member's connections: fellow members first, then people from the shared pool."""
    since = date(member.linkedin_since, rng.randint(1, 12), rng.randint(1, 28))
    today = plan.today
    year_ago = today - timedelta(days=365)
    fellows = [
        other.as_contact()
        for other in plan.members
        if other.index != member.index
        and (other.is_animator or member.is_animator or rng.random() < 0.4)
    ]
    others = rng.sample(plan.contacts, max(0, min(len(plan.contacts), member.network_size)))
    people = (fellows + others)[: max(member.network_size, len(fellows))]
    for contact in people:
        if rng.random() < new_share:
            day = year_ago + timedelta(days=rng.randint(0, 365))
        else:
            day = since + timedelta(days=rng.randint(0, max(0, (year_ago - since).days)))
        day = min(day, today)
        # About 2% of real rows are empty except for the date (deactivated accounts).
        activity.connections.append((None if rng.random() < 0.02 else contact, day))
    activity.connections.sort(key=lambda item: item[1], reverse=True)
    return people


def _relations(
    rng: random.Random,
    member: MemberPlan,
    clock: WeekClock,
    latest: datetime,
    people: list[Contact],
    activity: Activity,
    rates: Rates,
) -> None:
    """Messages, invitations, recommendations, endorsements and company follows."""
    me = member.as_contact()
    year_ago = clock.weeks_ago(52)
    start = year_ago if latest > year_ago else clock.weeks_ago(52 * 3)
    end = latest if latest > year_ago else year_ago
    # Only people the member is connected to (and not the empty rows) write to them.
    known = [contact for contact in people if contact.first_name]
    if not known:
        return
    for _ in range(rates.conversations):
        contact = rng.choice(known)
        moment = clock.between(start, end - timedelta(days=3))
        exchange = []
        sent_by_me = rng.random() < 0.6
        for _ in range(rng.randint(1, 4)):
            exchange.append((moment, sent_by_me, _text(rng, member, texts.MESSAGES, contact)))
            moment += timedelta(hours=rng.randint(1, 20))
            sent_by_me = not sent_by_me
        activity.conversations.append((contact, exchange))
    # Invitations: recent connections the member invited, and a few received.
    recent = [c for c, day in activity.connections if c and day >= year_ago.date()]
    for contact in recent[: rates.invitations]:
        day = next(d for c, d in activity.connections if c is contact)
        at = time(rng.randint(8, 17), rng.randint(0, 59))
        sent = min(datetime.combine(day - timedelta(days=rng.randint(0, 5)), at, ZONE), clock.now)
        # Members who stopped acting still accept invitations; they no longer send any.
        outgoing = sent < latest and rng.random() < 0.7
        activity.invitations.append((sent, contact, outgoing))
    for _ in range(rates.recommendations_given):
        contact = rng.choice(known)
        text = _text(rng, member, texts.RECOMMENDATIONS, contact)
        activity.recommendations_given.append((clock.between(start, end), contact, text))
    for _ in range(rates.recommendations_received):
        contact = rng.choice(known)
        text = _text(rng, member, texts.RECOMMENDATIONS, me)
        moment = clock.between(clock.weeks_ago(52 * 4), clock.now)
        activity.recommendations_received.append((moment, contact, text))
    for _ in range(rates.endorsements):
        moment = clock.between(clock.weeks_ago(52 * 4), clock.now)
        activity.endorsements.append((moment, rng.choice(known), rng.choice(texts.SKILLS)))
    companies = sorted({contact.company for contact in known})
    for company in rng.sample(companies, min(rates.follows, len(companies))):
        activity.follows.append((clock.between(clock.weeks_ago(52 * 5), clock.now), company))
