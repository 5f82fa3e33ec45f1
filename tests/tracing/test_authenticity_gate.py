"""A profile flagged fake or as an impersonator cannot become evidence without an override."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.authenticity import service as authenticity_service
from concilia.authenticity.models import AuthenticityFlag
from concilia.errors import Conflict
from concilia.tracing import service as tracing_service
from concilia.tracing.models import Evidence, MatchCandidate
from tests.certification.support import certify
from tests.tracing_whereabouts.world import (
    NOW,
    candidate,
    declare_source,
    import_items,
    profile,
)


@pytest.fixture
def flagged(db_session: Session, tmp_path: Path) -> MatchCandidate:
    declare_source(db_session)
    import_items(
        db_session,
        tmp_path,
        "profiles",
        [profile("ego001", "Quixote Gatekeeper", "quixote.ego", city="Lyon", country="FR")],
    )
    from concilia.sources.models import Profile

    profile_id = db_session.scalar(select(Profile.id).where(Profile.external_id == "ego001"))
    assert profile_id is not None
    db_session.add(
        AuthenticityFlag(
            profile_id=profile_id,
            fake_score=0.97,
            is_fake=True,
            fake_reasons=["account created 3 days ago", "handle looks random"],
            is_impersonator=False,
            impersonation_reasons=[],
            model_version="test",
            scored_at=NOW,
        )
    )
    db_session.flush()
    return candidate(  # type: ignore[no-any-return]
        db_session, 1, profile_id, snapshot={"city": "Lyon", "handle": "quixote.ego"}
    )


def test_flagged_profile_is_refused_then_accepted_after_override(
    db_session: Session, flagged: MatchCandidate
) -> None:
    usable, lines = tracing_service.authenticity_lines(
        db_session=db_session, profile_key=flagged.profile_key
    )
    assert not usable and "account created 3 days ago" in lines[0]
    certify(db_session, "a")  # accepting social evidence needs certified staff
    with pytest.raises(Conflict, match="cannot become evidence"):
        tracing_service.accept(
            db_session=db_session, candidate_id=flagged.id, actor="user:a", reason="looks right"
        )
    assert db_session.scalar(select(Evidence).where(Evidence.candidate_id == flagged.id)) is None
    assert flagged.status == "proposed"
    authenticity_service.override(
        db_session=db_session,
        profile_id=int(flagged.profile_key),
        reason="called the debtor, who confirmed this new account",
        actor="user:a",
    )
    evidence = tracing_service.accept(
        db_session=db_session, candidate_id=flagged.id, actor="user:a", reason="confirmed"
    )
    assert {e.kind for e in evidence} == {"current_city", "contact_handle"}


def test_file_run_profiles_say_they_were_not_checked(db_session: Session) -> None:
    usable, lines = tracing_service.authenticity_lines(db_session=db_session, profile_key="P17")
    assert usable and "not checked" in lines[0]
