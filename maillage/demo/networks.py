"""What the members on other networks did there: Facebook, X, Mastodon and Bluesky (fictional).

Each member's LinkedIn activity (`plan.member_activity`) sets the pace: a network's activity
keeps to the same last moment (`Activity.latest`), so a member who is occasional or inactive on
LinkedIn is not made active by another network, and part of what they post on LinkedIn is
posted again elsewhere. Everything comes from the seed: one `random.Random` per member and
network, and one per fictional account, so nothing depends on the order things are built in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from maillage.demo import texts
from maillage.demo.plan import (
    Activity,
    Archetype,
    Contact,
    DemoPlan,
    MemberPlan,
    WeekClock,
    ascii_slug,
    poisson,
)
from maillage.presence.networks import Network

# The network names every app shares (presence.networks), as plain strings for keys and files.
FACEBOOK, X, MASTODON, BLUESKY = (
    Network.FACEBOOK.value,
    Network.X.value,
    Network.MASTODON.value,
    Network.BLUESKY.value,
)
# Fictional Mastodon servers: the reserved `.example` names can never be someone's server.
INSTANCES = ("mastodon.example", "piaille.example", "social.example.org")
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
FACEBOOK_REACTIONS = ("LIKE",) * 5 + ("LOVE", "LOVE", "CARE", "HAHA", "WOW")
# How far back activity goes: the demo year and the year before. The Presence Index history
# starts at the first activity, and more years of weekly snapshots would slow the build down.
HISTORY_WEEKS = 52 * 2


@dataclass(frozen=True, slots=True)
class NetworkRates:
    """Weekly means for the animator; other archetypes do a fraction (`PACE`)."""

    posts: float
    replies: float  # replies on X, Mastodon and Bluesky; comments on Facebook
    reshares: float  # retweets, boosts, reposts
    reactions: float  # dated reactions and likes given (Facebook, Bluesky)
    crosspost: float  # share of the member's LinkedIn posts also posted here
    joined: tuple[float, float]  # years ago the account was opened
    audience: tuple[
        float, float
    ]  # friends, followers or follows, as a share of the LinkedIn network


RATES: dict[str, NetworkRates] = {
    FACEBOOK: NetworkRates(1.0, 1.2, 0.0, 3.0, 0.2, (9, 16), (0.2, 0.5)),
    X: NetworkRates(1.5, 1.2, 0.8, 0.0, 0.35, (8, 15), (0.1, 0.4)),
    # Most Québec accounts on Mastodon and Bluesky date from the 2022 and 2024 waves.
    MASTODON: NetworkRates(1.0, 0.8, 0.6, 0.0, 0.35, (2.0, 4.0), (0.0, 0.0)),
    BLUESKY: NetworkRates(1.0, 0.7, 0.5, 2.5, 0.35, (1.3, 2.7), (0.03, 0.1)),
}
# How much of the animator's pace each archetype keeps: inactive members barely post anywhere.
PACE: dict[Archetype, float] = {
    Archetype.COACH: 1.0,
    Archetype.ACTIVE: 0.6,
    Archetype.OCCASIONAL: 0.15,
    Archetype.INACTIVE: 0.03,
}


@dataclass(frozen=True, slots=True)
class Account:
    """Someone's account on one network (fictional)."""

    network: str
    name: str
    # X and Mastodon user name, Facebook profile slug, Bluesky handle.
    username: str
    # X account id, Facebook profile id, Bluesky DID.
    number: str
    instance: str = ""  # Mastodon server

    @property
    def actor(self) -> str:
        """The Mastodon actor URI; statuses' URIs start with it."""
        return f"https://{self.instance}/users/{self.username}"


@dataclass(slots=True)
class SocialPost:
    when: datetime
    text: str
    kind: str = "original"  # "original", "reply" or "reshare"
    # Whom a reply answers or whose post a reshare shares.
    target: Account | None = None
    link: str = ""
    photo: bool = False
    likes: int = 0
    reshares: int = 0


@dataclass(slots=True)
class NetworkActivity:
    """One member's account and activity on one network, before it is written as an export."""

    network: str
    me: Account
    joined: datetime
    bio: str
    posts: list[SocialPost] = field(default_factory=list)
    # Facebook comments on someone's post: when, text, whose post.
    comments: list[tuple[datetime, str, Account]] = field(default_factory=list)
    # Dated reactions given: when, type (Facebook) or "like" (Bluesky), whose post.
    reactions: list[tuple[datetime, str, Account]] = field(default_factory=list)
    # Facebook friends, X followers, Bluesky follows, with when it happened.
    audience: list[tuple[Account, datetime]] = field(default_factory=list)


def account_for(seed: int, network: str, name: str) -> Account:
    """A person's account on a network, the same wherever it is asked for (by name and seed)."""
    rng = random.Random(f"{seed}:{network}:{name}")
    first, _space, last = name.partition(" ")
    slug = ascii_slug(name).replace("-", "")
    if network == X:
        # CamelCase handles of at most 15 characters, as X allows.
        handle = (ascii_slug(first).title() + ascii_slug(last).title()).replace("-", "")
        suffix = rng.choice(("", "", "Qc", "_qc", str(rng.randint(1, 99))))
        username = handle[: 15 - len(suffix)] + suffix
        # Accounts opened before 2012 have short ids, later ones X's 19-digit snowflakes.
        number = str(rng.choice((rng.randint(10**7, 10**9), rng.randint(10**17, 10**19))))
        return Account(network, name, username, number)
    if network == MASTODON:
        username = rng.choice((slug, ascii_slug(first) + ascii_slug(last)[:1], slug + "_qc"))
        return Account(network, name, username.replace("-", ""), "", rng.choice(INSTANCES))
    if network == BLUESKY:
        did = "did:plc:" + "".join(rng.choice(BASE32) for _ in range(24))
        return Account(network, name, f"{slug}.bsky.social", did)
    number = str(rng.randint(100_000_000_000_000, 100_099_999_999_999))
    return Account(
        network, name, f"{ascii_slug(name).replace('-', '.')}.{rng.randint(1, 999)}", number
    )


def _fill(rng: random.Random, template: str, member: MemberPlan) -> str:
    return texts.fill(
        template,
        rng,
        place=member.place,
        company=member.company,
        sector=member.industry.lower(),
        position=member.position,
        name=member.first_name,
    )


def _own_text(rng: random.Random, member: MemberPlan, network: str) -> str:
    english = rng.random() < (0.8 if member.language == "en" else 0.1)
    if network == FACEBOOK:
        choices = texts.FACEBOOK_POSTS_EN if english else texts.FACEBOOK_POSTS_FR
    else:
        choices = texts.SHORT_POSTS_EN if english else texts.SHORT_POSTS_FR
    return _fill(rng, rng.choice(choices), member)


def _reply_text(rng: random.Random, member: MemberPlan) -> str:
    english = rng.random() < (0.7 if member.language == "en" else 0.1)
    return _fill(rng, rng.choice(texts.COMMENTS_EN if english else texts.COMMENTS_FR), member)


def shortened(text: str, limit: int = 280) -> str:
    """A LinkedIn post cut at a word to fit a short-post network, as people do by hand."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _others(
    plan: DemoPlan, member: MemberPlan, network: str, rng: random.Random
) -> tuple[list[Account], list[Account]]:
    """(fellow members on that network, everyone the member deals with there): replies and
    reshares name people of the same fictional world."""
    fellows = [
        account_for(plan.seed, network, other.name)
        for other in plan.members
        if other.index != member.index and network in other.networks
    ]
    people = rng.sample(plan.contacts, min(len(plan.contacts), 30))
    return fellows, fellows + [account_for(plan.seed, network, person.name) for person in people]


def network_activity(
    plan: DemoPlan, member: MemberPlan, activity: Activity, network: str
) -> NetworkActivity:
    """A member's account and activity on `network`, shaped by their archetype and LinkedIn."""
    rng = random.Random(f"{plan.seed}:{member.index}:{network}")
    clock = WeekClock(rng, plan.now)
    rates, pace = RATES[network], PACE[member.archetype]
    latest = activity.latest or plan.now
    year_ago = clock.weeks_ago(52)
    joined = clock.weeks_ago(round(52 * rng.uniform(*rates.joined)))
    bio = texts.COACH_BIO if member.is_animator else _fill(rng, rng.choice(texts.BIOS), member)
    result = NetworkActivity(network, account_for(plan.seed, network, member.name), joined, bio)
    fellows, others = _others(plan, member, network, rng)
    fame = max(1, member.network_size // 150)  # how many people see a post

    def own_post(moment: datetime, text: str) -> None:
        link = ""
        if network in (FACEBOOK, BLUESKY) and rng.random() < 0.15:
            link = f"https://{ascii_slug(member.company)}.example/nouvelles"
        photo = network == FACEBOOK and rng.random() < 0.2
        result.posts.append(
            SocialPost(
                moment,
                "" if photo and rng.random() < 0.5 else text,
                link=link,
                photo=photo,
                likes=poisson(rng, fame * 1.5),
                reshares=poisson(rng, fame * 0.3),
            )
        )

    def acts(start: datetime, end: datetime, scale: float) -> None:
        """Posts, replies, reshares and reactions between `start` and `end` at `scale` x pace."""
        for _ in range(poisson(rng, rates.posts * pace * scale)):
            own_post(clock.between(start, end), _own_text(rng, member, network))
        for _ in range(poisson(rng, rates.replies * pace * scale)):
            moment, target = clock.between(start, end), rng.choice(others)
            if network == FACEBOOK:
                result.comments.append((moment, _reply_text(rng, member), target))
            else:
                result.posts.append(SocialPost(moment, _reply_text(rng, member), "reply", target))
        for _ in range(poisson(rng, rates.reshares * pace * scale)):
            target = rng.choice(fellows or others)
            text = _fill(rng, rng.choice(texts.SHORT_POSTS_FR), member)
            result.posts.append(SocialPost(clock.between(start, end), text, "reshare", target))
        for _ in range(poisson(rng, rates.reactions * pace * scale)):
            kind = rng.choice(FACEBOOK_REACTIONS) if network == FACEBOOK else "like"
            result.reactions.append((clock.between(start, end), kind, rng.choice(others)))

    # A burst of posts after opening a recent account, the year before the demo year at a
    # slower pace, then the demo year week by week, up to the member's last moment.
    history_start = max(joined, clock.weeks_ago(HISTORY_WEEKS))
    start_of_year = max(year_ago, joined)
    first_weeks = min(joined + timedelta(weeks=8), latest)
    if joined >= history_start and first_weeks > joined:
        for _ in range(rng.randint(2, 6)):
            own_post(clock.between(joined, first_weeks), _own_text(rng, member, network))
    older = min(latest, year_ago)
    if history_start < older:
        acts(history_start, older, 0.3 * (older - history_start) / timedelta(weeks=1))
    for week in range(52, 0, -1):
        start, end = clock.weeks_ago(week), min(clock.weeks_ago(week - 1), latest)
        if start >= latest:
            break
        if end > start_of_year:
            acts(max(start, start_of_year), end, 1.0)
    if latest >= plan.now:
        acts(clock.week_start, plan.now, (plan.now - clock.week_start) / timedelta(weeks=1))
    # Part of what the member posts on LinkedIn goes here too, a little later.
    for moment, text, _shared in activity.posts:
        if text and moment > joined and rng.random() < rates.crosspost:
            later = moment + timedelta(minutes=rng.randint(2, 90))
            own_post(
                later if later < latest else moment,
                text if network == FACEBOOK else shortened(text),
            )
    _audience(plan, member, network, rng, result, latest)
    result.posts.sort(key=lambda post: post.when)
    return result


def _audience(
    plan: DemoPlan,
    member: MemberPlan,
    network: str,
    rng: random.Random,
    result: NetworkActivity,
    latest: datetime,
) -> None:
    """Friends (Facebook), followers (X) or follows (Bluesky); Mastodon's archive lists none."""
    low, high = RATES[network].audience
    size = round(member.network_size * rng.uniform(low, high))
    if not size:
        return
    # Fellow members (with the account they have there), then people of the shared pool.
    fellows = [
        account_for(plan.seed, network, other.name)
        for other in plan.members
        if other.index != member.index and rng.random() < 0.3
    ]
    people = rng.sample(plan.contacts, min(size, len(plan.contacts)))
    # Follows are the member's own doing: none after they stopped; friends and followers come
    # whatever the member does.
    end = latest if network == BLUESKY else plan.now
    span = max(1, int((end - result.joined).total_seconds()))
    pool = [_pool_account(plan, network, contact, rng) for contact in people]
    for account in (fellows + pool)[:size]:
        moment = result.joined + timedelta(seconds=rng.randint(0, span))
        result.audience.append((account, moment))
    result.audience.sort(key=lambda item: item[1])


def _pool_account(plan: DemoPlan, network: str, contact: Contact, rng: random.Random) -> Account:
    """A pool person's account: Facebook friends are names and X followers ids only (what the
    exports keep), so only Bluesky needs the person's whole account (their DID)."""
    if network == FACEBOOK:
        return Account(network, contact.name, "", "")
    if network == X:
        return Account(network, "", "", str(rng.randint(10**7, 10**19)))
    return account_for(plan.seed, network, contact.name)


def networks_activity(
    plan: DemoPlan, member: MemberPlan, activity: Activity
) -> list[NetworkActivity]:
    return [network_activity(plan, member, activity, network) for network in member.networks]
