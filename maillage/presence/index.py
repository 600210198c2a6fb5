"""The Presence Index: a pure, database-free formula (docs/presence-index.md explains every number).

Inputs are plain counts "as of" the end of a week; the result is four pillars of 25 points, each
signal with its value and points, and the next best action. Arithmetic is exact (fractions) and
rounded half-up to one decimal, so the same inputs always give the same index.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PILLARS: tuple[str, ...] = ("brand", "audience", "engagement", "relationships")
PILLAR_LABELS: dict[str, Promise] = {
    "brand": _("Brand"),
    "audience": _("Audience"),
    "engagement": _("Engagement"),
    "relationships": _("Relationships"),
}
PILLAR_POINTS = 25
PERCENT_SIGNALS = frozenset({"decision_maker_share", "reciprocity"})
WINDOW_WEEKS = 12


@dataclass(frozen=True, slots=True)
class IndexInputs:
    """Everything the formula reads, counted as of the end of one week (windows: last 12 weeks)."""

    profile_fields: int = 0  # of 5: headline, summary, industry, location, websites
    post_weeks: int = 0  # weeks with at least one original post, of the last 12
    original_posts: int = 0  # original posts in the last 12 weeks
    recommendations_received: int = 0  # all time
    endorsements_received: int = 0  # all time
    connections: int = 0  # all time
    new_connections: int = 0  # last 12 weeks
    decision_makers: int = 0  # connections whose position names a decision-maker
    # Connections that state a position (LinkedIn): the decision-maker share is taken of these,
    # so friends and followers, who never carry one, do not dilute it. None: all connections.
    positioned_connections: int | None = None
    invitations_accepted: int = 0  # last 12 weeks
    comments_given: int = 0  # last 12 weeks
    reactions_given: int = 0  # last 12 weeks
    conversations: int = 0  # distinct conversations with a sent message, last 12 weeks
    active_weeks: int = 0  # weeks with any activity, of the last 12
    recommendations_given: int = 0  # all time
    two_way_conversations: int = 0  # conversations with sent and received messages, 12 weeks


@dataclass(frozen=True, slots=True)
class SignalSpec:
    code: str
    pillar: str
    points: int
    target: int  # value at which the signal earns all its points (linear below, flat above)
    label: Promise
    explanation: Promise


SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec(
        "profile_fields", "brand", 5, 5, _("Profile completeness"),
        _("LinkedIn headline, summary, industry, location and website: 1 point each; "
          "elsewhere, the share of the profile's fields filled in. Your best profile counts."),
    ),
    SignalSpec(
        "post_weeks", "brand", 10, 8, _("Posting regularity"),
        _("Weeks with at least one original post in the last 12; full points at 8 weeks."),
    ),
    SignalSpec(
        "original_posts", "brand", 4, 12, _("Posting volume"),
        _("Original posts on every network in the last 12 weeks; full points at 12 posts."),
    ),
    SignalSpec(
        "recommendations_received", "brand", 3, 5, _("Recommendations received"),
        _("Recommendations others wrote about you; full points at 5."),
    ),
    SignalSpec(
        "endorsements_received", "brand", 3, 20, _("Endorsements received"),
        _("Skills others endorsed; full points at 20."),
    ),
    SignalSpec(
        "connections", "audience", 8, 500, _("Network size"),
        _("Your connections, friends and followers on every network; full points at 500."),
    ),
    SignalSpec(
        "new_connections", "audience", 5, 36, _("Network growth"),
        _("New connections, friends and follows in the last 12 weeks; full points at 36 "
          "(3 a week)."),
    ),
    SignalSpec(
        "decision_maker_share", "audience", 8, 30, _("Decision-makers"),
        _("Share of your connections whose position names a decision-maker; "
          "full points at 30 percent."),
    ),
    SignalSpec(
        "invitations_accepted", "audience", 4, 12, _("Invitations accepted"),
        _("Invitations in the last 12 weeks that became connections; full points at 12."),
    ),
    SignalSpec(
        "comments_given", "engagement", 8, 24, _("Comments"),
        _("Comments and replies you wrote in the last 12 weeks; full points at 24 (2 a week)."),
    ),
    SignalSpec(
        "reactions_given", "engagement", 4, 48, _("Reactions"),
        _("Reactions and likes you gave in the last 12 weeks; full points at 48 (4 a week)."),
    ),
    SignalSpec(
        "conversations", "engagement", 5, 12, _("Conversations"),
        _("Conversations where you sent a message in the last 12 weeks; full points at 12."),
    ),
    SignalSpec(
        "active_weeks", "engagement", 8, 10, _("Regularity"),
        _("Weeks with any activity in the last 12; full points at 10 weeks."),
    ),
    SignalSpec(
        "recommendations_given", "relationships", 5, 5, _("Recommendations given"),
        _("Recommendations you wrote for others; full points at 5."),
    ),
    SignalSpec(
        "recommendations_received_rel", "relationships", 5, 5, _("Recommendations received"),
        _("Recommendations others wrote about you; full points at 5."),
    ),
    SignalSpec(
        "two_way_conversations", "relationships", 10, 10, _("Two-way conversations"),
        _("Conversations with messages both sent and received in the last 12 weeks; "
          "full points at 10."),
    ),
    SignalSpec(
        "reciprocity", "relationships", 5, 100, _("Reciprocity"),
        _("Balance between recommendations given and received (100 percent when equal)."),
    ),
)  # fmt: skip
SIGNALS_BY_CODE: dict[str, SignalSpec] = {spec.code: spec for spec in SIGNALS}


@dataclass(frozen=True, slots=True)
class SignalResult:
    code: str
    pillar: str
    value: float  # the raw value shown to the user (a count or a percentage)
    points: float
    max_points: int


@dataclass(frozen=True, slots=True)
class NextAction:
    code: str
    gain: float

    @property
    def message(self) -> Promise:
        """The step to take, translatable (resolved in the language of whoever reads it)."""
        return ACTION_MESSAGES[self.code]


@dataclass(frozen=True, slots=True)
class IndexResult:
    score: float
    pillars: dict[str, float]
    signals: tuple[SignalResult, ...]
    next_action: NextAction | None

    def as_json(self) -> dict[str, Any]:
        """What a snapshot stores: enough to explain the number without recomputing it."""
        return {
            "signals": [dataclasses.asdict(signal) for signal in self.signals],
            "next_action": dataclasses.asdict(self.next_action) if self.next_action else None,
        }


def round_half_up(value: Fraction) -> float:
    """One decimal, half up, from an exact fraction (no float drift between databases)."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def _ratio(numerator: int, denominator: int) -> Fraction:
    return Fraction(numerator, denominator) if denominator else Fraction(0)


def _signal_values(inputs: IndexInputs) -> dict[str, Fraction]:
    """The value of each signal, on the scale of its target."""
    values = {
        "profile_fields": Fraction(min(inputs.profile_fields, 5)),
        "post_weeks": Fraction(inputs.post_weeks),
        "original_posts": Fraction(inputs.original_posts),
        "recommendations_received": Fraction(inputs.recommendations_received),
        "endorsements_received": Fraction(inputs.endorsements_received),
        "connections": Fraction(inputs.connections),
        "new_connections": Fraction(inputs.new_connections),
        "decision_maker_share": 100
        * _ratio(
            inputs.decision_makers,
            inputs.connections
            if inputs.positioned_connections is None
            else inputs.positioned_connections,
        ),
        "invitations_accepted": Fraction(inputs.invitations_accepted),
        "comments_given": Fraction(inputs.comments_given),
        "reactions_given": Fraction(inputs.reactions_given),
        "conversations": Fraction(inputs.conversations),
        "active_weeks": Fraction(inputs.active_weeks),
        "recommendations_given": Fraction(inputs.recommendations_given),
        "recommendations_received_rel": Fraction(inputs.recommendations_received),
        "two_way_conversations": Fraction(inputs.two_way_conversations),
    }
    given, received = inputs.recommendations_given, inputs.recommendations_received
    values["reciprocity"] = 100 * _ratio(min(given, received), max(given, received))
    return values


def compute_index(inputs: IndexInputs, *, with_action: bool = True) -> IndexResult:
    """The index for these inputs: each signal linear up to its target, then flat."""
    values = _signal_values(inputs)
    signals: list[SignalResult] = []
    pillar_totals: dict[str, Fraction] = {pillar: Fraction(0) for pillar in PILLARS}
    for spec in SIGNALS:
        value = values[spec.code]
        earned = spec.points * min(value / spec.target, Fraction(1))
        pillar_totals[spec.pillar] += earned
        signals.append(
            SignalResult(
                spec.code, spec.pillar, round_half_up(value), round_half_up(earned), spec.points
            )
        )
    total = sum(pillar_totals.values(), Fraction(0))
    return IndexResult(
        score=round_half_up(total),
        pillars={pillar: round_half_up(points) for pillar, points in pillar_totals.items()},
        signals=tuple(signals),
        next_action=next_best_action(inputs) if with_action else None,
    )


def _exact_total(inputs: IndexInputs) -> Fraction:
    values = _signal_values(inputs)
    return sum(
        (spec.points * min(values[spec.code] / spec.target, Fraction(1)) for spec in SIGNALS),
        Fraction(0),
    )


def _capped_weeks(weeks: int) -> int:
    return min(weeks, WINDOW_WEEKS)


def _action_steps(i: IndexInputs) -> dict[str, IndexInputs]:
    """Each realistic step (about four weeks of effort) as the inputs it would lead to."""
    replace = dataclasses.replace
    return {
        "complete_profile": replace(i, profile_fields=5),
        "post_weekly": replace(
            i,
            post_weeks=_capped_weeks(i.post_weeks + 4),
            original_posts=i.original_posts + 4,
            active_weeks=_capped_weeks(i.active_weeks + 4),
        ),
        "comment_twice_weekly": replace(
            i, comments_given=i.comments_given + 8, active_weeks=_capped_weeks(i.active_weeks + 4)
        ),
        "react_weekly": replace(
            i,
            reactions_given=i.reactions_given + 16,
            active_weeks=_capped_weeks(i.active_weeks + 4),
        ),
        "invite_decision_makers": replace(
            i,
            connections=i.connections + 12,
            new_connections=i.new_connections + 12,
            decision_makers=i.decision_makers + 12,
            positioned_connections=(
                None if i.positioned_connections is None else i.positioned_connections + 12
            ),
            invitations_accepted=i.invitations_accepted + 12,
        ),
        "start_conversations": replace(
            i, conversations=i.conversations + 4, two_way_conversations=i.two_way_conversations + 4
        ),
        "give_recommendation": replace(i, recommendations_given=i.recommendations_given + 1),
        "ask_recommendation": replace(i, recommendations_received=i.recommendations_received + 1),
    }


ACTION_MESSAGES: dict[str, Promise] = {
    "complete_profile": _(
        "Complete your LinkedIn profile: headline, summary, industry, location and website."
    ),
    "post_weekly": _("Publish one original post a week for the next 4 weeks."),
    "comment_twice_weekly": _("Comment on two posts from your network each week for 4 weeks."),
    "react_weekly": _("React to four posts from your network each week for 4 weeks."),
    "invite_decision_makers": _("Invite 3 decision-makers from your market each week for 4 weeks."),
    "start_conversations": _("Start a conversation with 4 contacts and keep it going."),
    "give_recommendation": _("Write a recommendation for a client or partner."),
    "ask_recommendation": _("Ask a satisfied client for a recommendation."),
}


def next_best_action(inputs: IndexInputs) -> NextAction | None:
    """The step that raises the total most (first listed wins ties); None when nothing would."""
    current = _exact_total(inputs)
    best: NextAction | None = None
    best_gain = Fraction(0)
    for code, after in _action_steps(inputs).items():
        gain = _exact_total(after) - current
        if gain > best_gain:
            best, best_gain = NextAction(code, round_half_up(gain)), gain
    return best


# --- activity status --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """What the owner did in one week: original posts, and every other action they took."""

    original_posts: int = 0
    other_actions: int = 0  # reshares, replies, comments, reactions, messages sent

    @property
    def any(self) -> bool:
        return self.original_posts > 0 or self.other_actions > 0


ACTIVE_INTERACTIONS = 5
STATUS_WEEKS = 4


def activity_status(weeks: Sequence[WeekActivity]) -> str:
    """active / occasional / inactive for the last week given, looking back 4 weeks in all."""
    recent = list(weeks[-STATUS_WEEKS:])
    if not recent:
        return "inactive"
    this_week = recent[-1]
    posting_weeks = sum(1 for week in recent if week.original_posts > 0)
    if this_week.original_posts > 0 or this_week.other_actions >= ACTIVE_INTERACTIONS:
        return "active"
    if posting_weeks >= 3:
        return "active"
    if any(week.any for week in recent):
        return "occasional"
    return "inactive"


# --- decision-makers --------------------------------------------------------------------------

DECISION_MAKER_TERMS: tuple[str, ...] = (
    # French (matched without accents)
    "president", "presidente", "vp", "v-p", "directeur", "directrice", "direction",
    "pdg", "dg", "proprietaire", "fondateur", "fondatrice", "cofondateur", "cofondatrice",
    "co-fondateur", "co-fondatrice", "associe", "associee", "chef des finances",
    "chef de l'exploitation", "chef des operations", "chef de la technologie",
    # English
    "vice president", "director", "head", "chief", "ceo", "cfo", "coo", "cto", "cmo", "cio",
    "cro", "owner", "founder", "co-founder", "cofounder", "partner", "general manager",
    "managing partner", "principal",
)  # fmt: skip
_DECISION_MAKER_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(term) for term in DECISION_MAKER_TERMS) + r")\b"
)


def normalise_position(position: str) -> str:
    """Lower case, accents removed, typographic apostrophes made plain, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", position.replace("’", "'"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())


def is_decision_maker(position: str) -> bool:
    """Whether a position names a decision-maker (whole words, French or English)."""
    return bool(_DECISION_MAKER_RE.search(normalise_position(position)))
