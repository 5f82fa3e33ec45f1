"""The truth files agree with the data, exactly."""

from __future__ import annotations

import csv
import io
from collections import Counter

from concilia.simulate.labels import LABELS
from tests.simulate.conftest import WORLD_PEOPLE, World


def test_every_person_and_profile_is_accounted_for(world: World) -> None:
    assert len(world.people) == WORLD_PEOPLE
    profile_ids = [p["external_id"] for p in world.profiles]
    assert len(profile_ids) == len(set(profile_ids))
    truth = {t["external_id"]: t for t in world.truth_profiles}
    assert set(truth) == set(profile_ids)
    owners = {pid: person["person_id"] for person in world.people for pid in person["profiles"]}
    for pid, t in truth.items():
        if t["kind"] == "genuine":
            assert owners[pid] == t["person_id"]
        else:
            assert t["person_id"] is None and pid not in owners
    assert world.summary["profiles"] == len(profile_ids)
    assert world.summary["fake_profiles"] == sum(t["kind"] == "fake" for t in truth.values())


def test_every_debtor_maps_to_a_person_whose_profiles_exist(world: World) -> None:
    rows = list(csv.DictReader(io.StringIO((world.root / "portfolio.csv").read_text("utf-8"))))
    refs_in_file = {r["debtor_reference"] for r in rows}
    by_ref = {d["debtor_reference"]: d for d in world.debtors}
    assert refs_in_file == set(by_ref)
    accounts = Counter(r["account_reference"] for r in rows)
    assert max(accounts.values()) == 1
    people = {p["person_id"]: p for p in world.people}
    profile_ids = {p["external_id"] for p in world.profiles}
    with_profiles = 0
    for ref, debtor in by_ref.items():
        person = people[debtor["person_id"]]
        assert person["debtor_reference"] == ref
        assert set(person["profiles"]) <= profile_ids
        with_profiles += bool(person["profiles"])
        assert {r["account_reference"] for r in rows if r["debtor_reference"] == ref} == set(
            debtor["accounts"]
        )
    assert 0.7 < with_profiles / len(by_ref) < 0.95
    # The creditor's city is the old one for people who moved since.
    moved = [d for d in world.debtors if "moved" in d["noise"]]
    assert moved
    for debtor in moved[:50]:
        person = people[debtor["person_id"]]
        assert person["moved"] and person["previous_city"] is not None


def test_fakes_and_impersonators_are_marked_and_point_at_real_victims(world: World) -> None:
    profiles = {p["external_id"]: p for p in world.profiles}
    people = {p["person_id"] for p in world.people}
    imps = [t for t in world.truth_profiles if t["kind"] == "impersonator"]
    fakes = [t for t in world.truth_profiles if t["kind"] == "fake"]
    assert imps and fakes
    for t in imps:
        assert t["impersonates_person_id"] in people
        copied = profiles[t["copies_profile_id"]]
        mine = profiles[t["external_id"]]
        assert mine["handle"].startswith(copied["handle"])
        if "photo_hash" in copied and "photo_hash" in mine:
            bits = bin(int(copied["photo_hash"], 16) ^ int(mine["photo_hash"], 16)).count("1")
            assert bits <= 3
    for t in fakes:
        assert t["fake_style"] in {"bot", "sock_puppet"}


def test_posts_have_valid_labels_and_events(world: World) -> None:
    assert len(world.posts) == len(world.truth_posts) == world.summary["posts"]
    truth = {t["external_id"]: t for t in world.truth_posts}
    profile_ids = {p["external_id"] for p in world.profiles}
    people = {p["person_id"]: p for p in world.people}
    for post in world.posts:
        t = truth[post["external_id"]]
        assert post["profile_id"] == t["profile_id"] in profile_ids
        assert t["label"] in LABELS
        assert t["language"] in {"fr", "es", "en", "pt", "de"}
        if t["negated"]:
            assert t["label"] == "none"
        if t["label"] != "none":
            events = people[t["person_id"]]["events"]
            assert events[t["event_id"]]["label"] == t["label"]
        if "language" in post:
            assert post["language"] == t["language"]
    labels = Counter(t["label"] for t in world.truth_posts)
    assert set(labels) >= {"none", "new_job", "job_loss", "travel", "moved"}
    assert labels["none"] / len(world.truth_posts) > 0.6


def test_friend_edges_reference_existing_profiles_of_the_same_network(world: World) -> None:
    network = {p["external_id"]: p["network"] for p in world.profiles}
    for edge in world.friends:
        assert edge["profile_id"] != edge["friend_id"]
        assert network[edge["profile_id"]] == network[edge["friend_id"]]
        assert edge["kind"] == ("follows" if network[edge["profile_id"]] == "photo" else "friend")
    assert len({e["external_id"] for e in world.friends}) == len(world.friends)


def test_mentions_have_truth(world: World) -> None:
    assert {m["external_id"] for m in world.mentions} == {
        t["external_id"] for t in world.truth_mentions
    }
    assert all(t["stance"] in {"praise", "complaint", "question"} for t in world.truth_mentions)
