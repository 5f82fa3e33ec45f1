from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from concilia.simulate.service import generate

WORLD_PEOPLE = 2500


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.profiles = read_jsonl(root / "profiles.jsonl")
        self.friends = read_jsonl(root / "friends.jsonl")
        self.posts = read_jsonl(root / "posts.jsonl")
        self.mentions = read_jsonl(root / "mentions.jsonl")
        self.people = read_jsonl(root / "truth_people.jsonl")
        self.debtors = read_jsonl(root / "truth_debtors.jsonl")
        self.truth_profiles = read_jsonl(root / "truth_profiles.jsonl")
        self.truth_posts = read_jsonl(root / "truth_posts.jsonl")
        self.truth_mentions = read_jsonl(root / "truth_mentions.jsonl")
        self.summary = orjson.loads((root / "truth.json").read_bytes())


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("world")
    generate(out_dir=root, people=WORLD_PEOPLE, seed=7, workers=2)
    yield World(root)
