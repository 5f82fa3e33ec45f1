"""Plain-words reasons behind a fake score: the features a person would notice, worst first."""

from __future__ import annotations

from collections.abc import Mapping


def fake_reasons(f: Mapping[str, float], limit: int = 5) -> list[str]:
    """Readable reasons from a feature dict (see ``features.FEATURES``), strongest first."""
    found: list[tuple[float, str]] = []
    age = f["account_age_days"]
    if 0 <= age < 180:
        found.append((3.0 - age / 90, f"account created {int(age)} days ago"))
    following = f["following_per_follower"]
    if following >= 5:
        found.append(
            (min(following / 5, 4.0), f"follows {following:.0f} times more accounts than follow it")
        )
    if f["handle_trailing_digits"] >= 4 or f["handle_digits"] >= 5:
        found.append(
            (2.0, f"username ends in a long run of digits ({int(f['handle_digits'])} digits)")
        )
    elif f["handle_entropy"] >= 3.6 and f["handle_name_similarity"] < 0.5:
        found.append((1.5, "username looks random and unrelated to the name"))
    if f["bio_shared_by"] >= 5 and f["bio_length"] > 0:
        found.append(
            (
                min(f["bio_shared_by"] / 10, 3.0),
                f"bio identical to {int(f['bio_shared_by'])} profiles with other names",
            )
        )
    if f["photo_names"] >= 1:
        found.append(
            (
                1.0 + min(f["photo_names"], 3.0),
                f"photo also used by {int(f['photo_names'])} profile(s) with other names",
            )
        )
    if f["photo_missing"] >= 1:
        found.append((0.8, "no profile photo"))
    if f["burst_share_1h"] >= 0.5 and f["posts_seen"] >= 4:
        found.append((2.0, f"{f['burst_share_1h']:.0%} of its posts within a single hour"))
    if f["copied_post_share"] >= 0.3:
        found.append((2.0, f"{f['copied_post_share']:.0%} of its posts copied from others"))
    if f["dup_post_share"] >= 0.3:
        found.append((1.5, f"{f['dup_post_share']:.0%} of its posts repeat each other"))
    if f["completeness"] <= 0.15 and f["partial_privacy"] < 1:
        found.append((1.0, "almost every profile field left empty"))
    if f["log_friends"] >= 0 and f["log_friends"] < 1.8:
        found.append((0.7, "very few friends"))
    found.sort(key=lambda pair: -pair[0])
    return [text for _, text in found[:limit]]
