"""The guard at the door of sources: special text is never written, and stays unwritten."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.sources import service as sources_service
from concilia.sources.connectors import JsonLinesFile
from concilia.sources.models import Post
from concilia.sources.schemas import ItemKind
from tests.signals.test_service import NOW, _provenance, _source, _write

SPECIAL = "Adhérente à Sud Rail, piquet de grève à 5h demain"
ORDINARY = "Nouveau vélo pour aller au boulot, trop content"


def _reimport(db_session: Session, tmp_path: Path, text: str) -> None:
    row = {
        "external_id": "social-export-t0",
        "profile_id": "social-export-p1",
        "created_at": "2026-10-10T18:30:00+00:00",
        "text": text,
        "visibility": "public",
        "provenance": _provenance("social-export", "jeanne/posts/0"),
    }
    sources_service.run_import(
        db_session=db_session,
        connector=JsonLinesFile(_write(tmp_path / "again.jsonl", [row])),
        kind=ItemKind.posts,
        source_name="social-export",
        actor="test",
        now=NOW,
    )


def test_a_special_post_is_written_redacted_and_a_reimport_keeps_it_so(
    db_session: Session, tmp_path: Path
) -> None:
    _source(db_session, tmp_path, "social-export", ["credit_assessment"], [SPECIAL, ORDINARY])
    rows = {p.external_id: p for p in db_session.scalars(select(Post))}
    special, ordinary = rows["social-export-t0"], rows["social-export-t1"]
    assert special.text is None and special.hashtags == []
    assert special.redacted_at is not None and special.redaction_reason == "special_category"
    assert ordinary.text == ORDINARY and ordinary.redacted_at is None
    # The same post edited into something ordinary: the redaction stands.
    _reimport(db_session, tmp_path, "Rien à voir, juste un café")
    db_session.expire_all()
    again = db_session.scalar(select(Post).where(Post.external_id == "social-export-t0"))
    assert again is not None and again.text is None
    assert again.redaction_reason == "special_category"


def test_a_health_post_is_kept_as_a_possible_vulnerability_only(
    db_session: Session, tmp_path: Path
) -> None:
    _source(
        db_session, tmp_path, "social-export", ["credit_assessment"],
        ["Troisième cure de chimio demain, je serai pas joignable"],
    )  # fmt: skip
    post = db_session.scalar(select(Post))
    assert post is not None and post.text is None
    assert post.redaction_reason == "vulnerability_possible"
