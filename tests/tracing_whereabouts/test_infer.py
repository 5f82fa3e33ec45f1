"""The pure inference: ranking, propagation, declining, explanations, own statements."""

from __future__ import annotations

from datetime import UTC, datetime

from concilia.tracing.whereabouts.employer import employer_key, infer_employer
from concilia.tracing.whereabouts.infer import PlaceStatement, ego_graph, infer, propagate
from concilia.tracing.whereabouts.mentions import statements_from_posts
from concilia.tracing.whereabouts.params import fit_decay

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_friends_in_one_metro_give_a_confident_answer_with_plain_words() -> None:
    graph = ego_graph([("Lyon", "FR")] * 12 + [("Villeurbanne", "FR")] * 2 + [("Paris", "FR")] * 2)
    result = infer(graph, [PlaceStatement("Villeurbanne", "FR")])
    assert result.answered
    assert result.top is not None and result.top.name in {"Lyon", "Villeurbanne"}
    assert result.confidence > 0.9
    assert result.ranked[-1].name == "Paris"
    text = " ".join(result.explanation)
    assert "14 of 16 located public friends are within 25 km of" in text
    assert "the profile itself says Villeurbanne (FR)" in text
    assert abs(sum(r.probability for r in result.ranked) - 1) < 0.01


def test_scattered_friends_make_it_decline_and_say_why() -> None:
    graph = ego_graph(
        [
            ("Lyon", "FR"),
            ("Madrid", None),
            ("London", None),
            ("Seattle", None),
            ("Sevilla", None),
            ("Brest", "FR"),
        ]
    )
    result = infer(graph)
    assert not result.answered
    assert result.decline_reason is not None and "spread out" in result.decline_reason


def test_too_few_located_friends_declines() -> None:
    result = infer(ego_graph([("Lyon", "FR"), (None, None), ("Atlantis", None)]))
    assert not result.answered
    assert "only 1 friend" in (result.decline_reason or "")
    assert result.counts["friends_city_not_recognised"] == 1


def test_nothing_to_go_on() -> None:
    result = infer(ego_graph([(None, None)] * 3))
    assert not result.answered and result.ranked == []


def test_label_propagation_places_a_friend_from_their_own_friends() -> None:
    # Friend 1 states no city; its three friends (second hop) are in Nantes.
    graph = ego_graph(
        [(None, None)],
        friend_edges=[(1, 2), (1, 3), (1, 4)],
        second_hop=[(2, "Nantes", "FR"), (3, "Nantes", "FR"), (4, "Rezé", "FR")],
    )
    added = propagate(graph, rounds=2)
    assert added[1].name == "Nantes"
    result = infer(graph)
    assert result.counts["friends_located_by_propagation"] == 1


def test_a_recent_move_post_outweighs_old_friend_ties() -> None:
    friends = [("Lille", "FR")] * 6
    old = infer(ego_graph(friends), [PlaceStatement("Lille", "FR")], as_of=NOW)
    assert old.top is not None and old.top.name == "Lille"
    moved = statements_from_posts(
        [(datetime(2026, 10, 1, tzinfo=UTC), "Déménagement terminé ! Nouvelle vie à Bordeaux")],
        "FR",
    )
    assert [m.city_text for m in moved] == ["Bordeaux"]
    new = infer(ego_graph(friends), [PlaceStatement("Lille", "FR"), *moved], as_of=NOW)
    assert new.top is not None and new.top.name == "Bordeaux"
    assert any("moving to Bordeaux" in line for line in new.explanation)
    # The same post four years old no longer wins against six friends and the profile.
    stale = [PlaceStatement("Bordeaux", "FR", at=datetime(2022, 10, 1, tzinfo=UTC), kind="post")]
    later = infer(ego_graph(friends), [PlaceStatement("Lille", "FR"), *stale], as_of=NOW)
    assert later.top is not None and later.top.name == "Lille"


def test_move_phrases_in_three_languages_and_jokes_ignored() -> None:
    found = statements_from_posts(
        [
            (None, "Goodbye Leeds, hello Bristol!"),
            (None, "¡Mudanza terminada! Nueva vida en Sevilla"),
            (None, "Je déménage à Marseille... ou pas"),
            (None, "Great match in Madrid tonight"),
        ],
        None,
    )
    assert [s.city_text for s in found] == ["Bristol", "Sevilla"]


def test_employer_from_professional_contacts() -> None:
    guess = infer_employer("Acme SAS", ["ACME", "Acme S.A.S.", "acme", "Globex Ltd", None])
    assert guess is not None and employer_key(guess.name) == "acme"
    assert guess.colleagues == 3 and guess.stated_agrees is True
    assert "3 of 4 professional contacts" in guess.explanation
    assert infer_employer(None, ["A", "B", "C"]) is None


def test_decay_fit_recovers_a_known_law() -> None:
    import random

    rng = random.Random(3)
    # Lomax(b=5, g=2) by inverse transform: d = b * (u^(-1/(g-1)) - 1).
    sample = [5 * (rng.random() ** -1.0 - 1) for _ in range(4000)]
    b, g = fit_decay(sample)
    assert 3 <= b <= 8 and 1.8 <= g <= 2.2


def test_a_move_post_explains_why_it_beats_the_friends() -> None:
    moved = [PlaceStatement("Bordeaux", "FR", at=datetime(2026, 10, 1, tzinfo=UTC), kind="post")]
    result = infer(ego_graph([("Lille", "FR")] * 6), moved, as_of=NOW)
    assert result.top is not None and result.top.name == "Bordeaux"
    assert any("friend lists lag a move" in line for line in result.explanation)


def test_evidence_weights_are_recovered_by_maximum_likelihood() -> None:
    import numpy as np

    from concilia.tracing.whereabouts.model import FEATURES, fit_weights, softmax

    rng = np.random.default_rng(5)
    truth = rng.normal(0, 1.5, len(FEATURES))
    groups = []
    for _ in range(1500):
        x = rng.normal(0, 1, (int(rng.integers(2, 6)), len(FEATURES)))
        groups.append((x, int(rng.choice(len(x), p=softmax(x @ truth)))))
    fitted = fit_weights(groups, l2=0.1)
    assert np.abs(fitted - truth).max() < 0.5
