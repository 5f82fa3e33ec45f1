"""Features, the fake model and impersonation pairs, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from concilia.authenticity import model as fake_model
from concilia.authenticity.features import (
    FEATURES,
    BatchContext,
    ProfileRecord,
    features_of,
    featurize,
    shannon_entropy,
)
from concilia.authenticity.impersonation import find_impersonators, name_key, photo_distance
from concilia.authenticity.reasons import fake_reasons

AS_OF = date(2026, 11, 1)


def genuine(key: str, name: str = "Marie Dupont", **kw: object) -> ProfileRecord:
    base: dict[str, object] = dict(
        key=key,
        network="social",
        display_name=name,
        handle="marie.dupont",
        city="Lyon",
        employer="Acme",
        bio="Fière maman",
        photo_hash="00ff00ff00ff00ff",
        created=date(2012, 5, 1),
        friends_count=240,
        followers_count=230,
        following_count=190,
        posts_count=120,
        language="fr",
    )
    base.update(kw)
    return ProfileRecord(**base)  # type: ignore[arg-type]


def bot(key: str, n: int) -> ProfileRecord:
    t0 = datetime(2026, 10, 30, 3, 0, tzinfo=UTC)
    return ProfileRecord(
        key=key,
        network="social",
        display_name=f"Lola Random{n}",
        handle=f"lolarandom{48213 + n}",
        bio="Earn $500/day from home",
        photo_hash="abcdefabcdef0123",
        created=date(2026, 10, 1),
        friends_count=8,
        followers_count=3,
        following_count=1900,
        posts_count=4,
        post_times=tuple(t0 + timedelta(minutes=i) for i in range(4)),
        post_texts=("Crypto giveaway click the link now!!",) * 4,
    )


def test_features_see_what_a_person_would_notice() -> None:
    batch = [genuine("1")] + [bot(str(10 + n), n) for n in range(6)]
    ctx = BatchContext.of(batch)
    g, b = features_of(batch[0], ctx, AS_OF), features_of(batch[1], ctx, AS_OF)
    assert g["account_age_days"] > 5000 and b["account_age_days"] == 31
    assert b["handle_trailing_digits"] == 5 and g["handle_digits"] == 0
    assert b["bio_shared_by"] == 5 and g["bio_shared_by"] == 0
    assert b["photo_names"] == 5
    assert b["burst_share_1h"] == 1.0 and b["dup_post_share"] == 0.75
    assert b["following_per_follower"] > 400
    assert g["handle_name_similarity"] > 0.9
    assert set(g) == set(FEATURES)
    reasons = fake_reasons(b)
    assert "account created 31 days ago" in reasons
    assert any("follows" in r and "times more accounts" in r for r in reasons)
    assert shannon_entropy("aaaa") == 0.0 and shannon_entropy("ab") == 1.0


def test_model_is_built_deterministically_and_separates_bots() -> None:
    text = fake_model.training_text()
    first, second = fake_model.build_model(text), fake_model.build_model(text)
    assert first.version == second.version
    batch = [genuine("1")] + [bot(str(10 + n), n) for n in range(6)]
    rows = featurize(batch, AS_OF)
    assert first.scores(rows) == second.scores(rows)
    scores = first.scores(rows)
    assert scores[0] < 0.2
    assert min(scores[1:]) > 0.8


def test_name_key_folds_lookalikes_and_order() -> None:
    assert name_key("Tirnothée LEBON") == name_key("Lebon Timothée")
    assert photo_distance("00ff", "00fe") == 1
    assert photo_distance(None, "00ff") == 99


def test_a_fresh_copy_is_flagged_and_the_persons_own_accounts_are_not() -> None:
    original = genuine("1", friend_keys=frozenset({"a", "b", "c", "d"}))
    own_pro = genuine(
        "2",
        network="pro",
        handle="mdupont",
        created=date(2014, 2, 1),
        photo_hash="00ff00ff00ff00fe",
        bio="Responsable RH chez Acme",
    )
    copy = genuine(
        "3",
        handle="marie.dupont_official",
        created=date(2026, 9, 20),
        friends_count=12,
        followers_count=4,
        following_count=700,
        posts_count=2,
        photo_hash="00ff00ff00ff00ff",
        friend_keys=frozenset({"x", "y"}),
    )
    flags = find_impersonators([original, own_pro, copy], AS_OF)
    assert [(f.key, f.original_key) for f in flags] == [("3", "1")]
    text = " ".join(flags[0].reasons)
    assert "same name and the same photo as an older profile on social" in text
    assert "username is the other profile's username with a few characters added" in text
    assert "0% of its friends are friends of that profile" in text
