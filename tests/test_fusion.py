"""Fusion maths: min-max, the weighted convex combination of the legs, RRF and boosts."""

from __future__ import annotations

import pytest

from kb.search.query import fusion


def test_min_max_maps_the_best_to_one_and_the_worst_to_zero():
    assert fusion.min_max({"a": 10.0, "b": 5.0, "c": 0.0}) == {"a": 1.0, "b": 0.5, "c": 0.0}


def test_min_max_gives_one_to_a_lone_candidate():
    assert fusion.min_max({"a": 3.2}) == {"a": 1.0}


def test_rrf_sums_reciprocal_ranks():
    fused = fusion.rrf([["a", "b"], ["b", "c"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fusion.ranked(fused)[0][0] == "b"


def test_boost_multiplies_only_the_named_scores():
    assert fusion.boost({"a": 1.0, "b": 1.0}, {"b": 1.5}) == {"a": 1.0, "b": 1.5}


def test_ties_are_ranked_by_id_so_the_order_is_stable():
    assert fusion.ranked({"b": 1.0, "a": 1.0}) == [("a", 1.0), ("b", 1.0)]


def test_weighted_with_reachable_legs_is_the_convex_combination():
    legs = {
        "keyword": {"a": 2.0, "b": 1.0},
        "dense": {"b": 0.9, "c": 0.5},
        "sparse": {"a": 3.0, "c": 1.0},
    }
    fused = fusion.weighted(legs, {"keyword": 0.3, "dense": 0.3, "sparse": 0.4})
    assert fused["a"] == pytest.approx(0.3 * 1 + 0.3 * 0 + 0.4 * 1)
    assert fused["c"] == pytest.approx(0.3 * 0 + 0.3 * 0 + 0.4 * 0)


def test_a_leg_that_cannot_reach_a_document_is_left_out_of_its_weights():
    legs = {"keyword": {"sv": 1.0, "x": 0.0}, "dense": {"en": 1.0, "sv": 0.0}}
    fused = fusion.weighted(legs, {"keyword": 0.5, "dense": 0.5}, {"keyword": {"en"}})
    assert fused["en"] == pytest.approx(1.0)  # judged by the dense leg alone
    assert fused["sv"] == pytest.approx(0.5)


def test_a_leg_without_weight_or_results_changes_nothing():
    legs = {"keyword": {"a": 1.0, "b": 0.0}}
    assert fusion.weighted(legs, {"keyword": 0.5, "sparse": 0.5}) == {"a": 1.0, "b": 0.0}


def test_negative_weights_are_refused():
    with pytest.raises(ValueError):
        fusion.weighted({"keyword": {"a": 1.0}}, {"keyword": -0.1})


def test_newest_first_orders_by_date_keeps_relevance_within_a_day_and_puts_undated_last():
    from datetime import date

    from kb.search.query.fusion import newest_first

    ordered = [("a", 0.9), ("b", 0.8), ("c", 0.7), ("d", 0.6)]
    dates = {"a": date(2025, 1, 1), "b": None, "c": date(2026, 5, 1), "d": date(2025, 1, 1)}
    assert newest_first(ordered, dates) == [("c", 0.7), ("a", 0.9), ("d", 0.6), ("b", 0.8)]


def test_standardised_scores_put_the_worst_candidate_at_zero_in_spreads_of_the_leg():
    scaled = fusion.standardised({"a": 3.0, "b": 1.0, "c": 1.0, "d": 1.0})
    assert scaled["b"] == 0.0
    # mean 1.5, spread √0.75: the best lies 2 / √0.75 spreads above the worst
    assert scaled["a"] == pytest.approx(2.0 / 0.75**0.5)


def test_a_leg_whose_best_lies_at_the_noise_loses_its_weight_for_that_question():
    weights = {"keyword": 0.3, "dense": 0.3, "sparse": 0.4}
    tops = {"keyword": 0.25, "dense": 4.0, "sparse": -1.0}
    gates = {"keyword": 0.5, "dense": 2.0, "sparse": 3.0}
    assert fusion.confident_weights(weights, tops, gates) == pytest.approx(
        {"keyword": 0.15, "dense": 0.3, "sparse": 0.0}
    )


def test_when_no_leg_stands_above_the_noise_the_weights_stay_as_they_were():
    weights = {"keyword": 0.3, "dense": 0.7}
    tops = {"keyword": 0.0, "dense": -2.0}
    assert fusion.confident_weights(weights, tops, {"keyword": 0.5, "dense": 2.0}) == weights


def test_the_texts_holding_every_word_come_first_each_part_in_its_fused_order():
    ordered = [("neighbour", 0.9), ("holds-all", 0.8), ("holds-half", 0.7), ("also-all", 0.6)]
    coverage = {"holds-all": 1.0, "holds-half": 0.5, "also-all": 1.0}
    assert fusion.first(ordered, fusion.whole(coverage)) == [
        ("holds-all", 0.8),
        ("also-all", 0.6),
        ("neighbour", 0.9),
        ("holds-half", 0.7),
    ]
