"""The Presence Index formula, checked against the examples computed by hand in the doc."""

from __future__ import annotations

import dataclasses

from django.utils import translation

from maillage.presence.index import (
    IndexInputs,
    WeekActivity,
    activity_status,
    compute_index,
    is_decision_maker,
    next_best_action,
)

# Example 1 of docs/presence-index.md ("Marie").
MARIE = IndexInputs(
    profile_fields=3,
    post_weeks=4,
    original_posts=6,
    recommendations_received=2,
    endorsements_received=10,
    connections=250,
    new_connections=18,
    decision_makers=50,
    invitations_accepted=6,
    comments_given=12,
    reactions_given=24,
    conversations=6,
    active_weeks=5,
    recommendations_given=1,
    two_way_conversations=5,
)

FULL = IndexInputs(
    profile_fields=5,
    post_weeks=12,
    original_posts=30,
    recommendations_received=9,
    endorsements_received=80,
    connections=2000,
    new_connections=50,
    decision_makers=900,
    invitations_accepted=20,
    comments_given=40,
    reactions_given=100,
    conversations=20,
    active_weeks=12,
    recommendations_given=9,
    two_way_conversations=15,
)


def test_it_computes_the_hand_worked_example_pillar_by_pillar():
    result = compute_index(MARIE)
    assert result.pillars == {
        "brand": 12.7,
        "audience": 13.8,
        "engagement": 12.5,
        "relationships": 10.5,
    }
    assert result.score == 49.5


def test_it_explains_each_signal_with_its_value_and_points():
    signals = {signal.code: signal for signal in compute_index(MARIE).signals}
    assert signals["decision_maker_share"].value == 20.0
    assert signals["decision_maker_share"].points == 5.3
    assert signals["reciprocity"].value == 50.0
    assert signals["reciprocity"].points == 2.5
    assert signals["post_weeks"].points == 5.0
    assert sum(signal.max_points for signal in signals.values()) == 100


def test_it_gives_zero_without_data_and_a_hundred_at_every_target():
    assert compute_index(IndexInputs()).score == 0
    full = compute_index(FULL)
    assert full.score == 100
    assert set(full.pillars.values()) == {25.0}


def test_it_flattens_each_signal_above_its_target():
    more = dataclasses.replace(FULL, connections=50_000, decision_makers=40_000)
    assert compute_index(more).score == 100


def test_it_recommends_posting_weekly_for_the_worked_example():
    action = next_best_action(MARIE)
    assert action is not None
    assert action.code == "post_weekly"
    assert action.gain == 9.5
    with translation.override("en"):
        assert str(action.message) == "Publish one original post a week for the next 4 weeks."


def test_it_recommends_inviting_decision_makers_to_a_newcomer():
    action = next_best_action(IndexInputs())
    assert action is not None
    assert (action.code, action.gain) == ("invite_decision_makers", 13.9)


def test_it_has_no_action_left_at_a_hundred():
    assert next_best_action(FULL) is None


def test_it_is_deterministic():
    assert compute_index(MARIE) == compute_index(MARIE)
    assert compute_index(MARIE).as_json() == compute_index(MARIE).as_json()


def test_it_calls_a_week_with_an_original_post_active():
    assert activity_status([WeekActivity(), WeekActivity(original_posts=1)]) == "active"


def test_it_calls_five_interactions_in_the_week_active_and_four_occasional():
    assert activity_status([WeekActivity(other_actions=5)]) == "active"
    assert activity_status([WeekActivity(other_actions=4)]) == "occasional"


def test_it_calls_posting_three_of_the_last_four_weeks_active():
    weeks = [WeekActivity(original_posts=1)] * 3 + [WeekActivity()]
    assert activity_status(weeks) == "active"


def test_it_calls_activity_three_weeks_ago_occasional_and_five_weeks_ago_inactive():
    three_ago = [WeekActivity(other_actions=1), WeekActivity(), WeekActivity(), WeekActivity()]
    assert activity_status(three_ago) == "occasional"
    five_ago = [WeekActivity(original_posts=2)] + [WeekActivity()] * 4
    assert activity_status(five_ago) == "inactive"
    assert activity_status([]) == "inactive"


def test_it_recognises_decision_makers_in_french_and_english_without_accents():
    for position in (
        "Présidente et chef de la direction",
        "Vice-président, ventes",
        "VP Sales",
        "Directrice générale",
        "PDG",
        "Propriétaire",
        "Cofondateur",
        "Associée",
        "Head of Growth",
        "Chief Revenue Officer",
        "CEO & Founder",
        "Managing Partner",
    ):
        assert is_decision_maker(position), position


def test_it_matches_whole_words_only():
    for position in ("Associate", "Account Manager", "Headhunter", "Conseiller", "Directory admin"):
        assert not is_decision_maker(position), position
