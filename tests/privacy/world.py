"""A person known to every domain (portfolio, social items, tracing, whereabouts,
authenticity, signals, outreach, portal, reputation), and a second person who must survive
her erasure untouched (so a scan that finds nothing can also be seen to find something)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.authenticity.models import AuthenticityFlag
from concilia.outreach import context as outreach_context
from concilia.outreach.models import (
    ContactLog,
    IdentityCheck,
    InboundReply,
    OptOutEntry,
    OutboxMessage,
)
from concilia.portal import casework
from concilia.portal.models import ChatMessage, PortalDispute
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.sample import to_csv
from concilia.reputation.models import MentionClassification
from concilia.signals.models import SignalAssessment, SignalEvent, SignalRun
from concilia.sources import service as sources_service
from concilia.sources.connectors import JsonLinesFile
from concilia.sources.models import Mention, Profile
from concilia.sources.schemas import ItemKind, SourceDeclaration
from concilia.tracing.models import Evidence, MatchCandidate, TraceRun
from concilia.tracing.whereabouts.models import InferenceStatus, WhereaboutsInference

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CREDITOR = "Acme Bank"


def _row(account: str, ref: str, given: str, family: str, dob: str, **extra: str) -> dict[str, str]:
    return {
        "account_reference": account,
        "debtor_reference": ref,
        "given_names": given,
        "family_names": family,
        "date_of_birth": dob,
        "address_line": extra.get("line", "1 rue Neutre"),
        "postal_code": "69003",
        "city": "Lyon",
        "country": "FR",
        "phones": extra.get("phone", ""),
        "emails": extra.get("email", ""),
        "employer": extra.get("employer", ""),
        "jurisdiction": "FR",
        "principal": "1000.00",
        "interest": "0.00",
        "fees": "30.00",
        "currency": "EUR",
        "charge_off_date": "2025-01-15",
    }


JEANNE = _row(
    "ACC-1", "DEB-1", "Jeanne", "Dupontel", "1985-04-12",
    line="12 rue des Lilas", phone="06 12 34 56 78", email="jeanne.dupontel@example.org",
    employer="Boulangerie Martinez",
)  # fmt: skip
PAUL = _row(
    "ACC-2", "DEB-2", "Paul", "Durandal", "1979-09-30",
    line="8 avenue des Pins", phone="06 98 76 54 32", email="paul.durandal@example.org",
)  # fmt: skip
# What must be nowhere once Jeanne is erased: name, contact points, birth date, address,
# employer, and her public handle.
NEEDLES = (
    "Jeanne",
    "Dupontel",
    "jeanne.dupontel@example.org",
    "+33612345678",
    "06 12 34 56 78",
    "1985-04-12",
    "12/04/1985",
    "12 rue des Lilas",
    "Boulangerie Martinez",
    "jeannedtl85",
)
# Stored only encrypted even before erasure (the scan cannot be shown to see them in clear).
ENCRYPTED_ONLY = ("+33612345678", "1985-04-12")
# Paul's, which must still be there.
CONTROL = ("Durandal", "8 avenue des Pins")

_PROVENANCE = {
    "captured_at": "2026-11-01T10:00:00+00:00",
    "captured_by": "connector:social-export",
    "legal_basis": "legitimate_interest:LIA-2026-01",
}


@dataclass
class World:
    debtor_id: int
    case_id: int
    profile_id: int
    other_debtor_id: int


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def _import(db_session: Session, tmp: Path, kind: str, rows: list[dict[str, Any]]) -> None:
    sources_service.run_import(
        db_session=db_session,
        connector=JsonLinesFile(_write(tmp / f"{kind}.jsonl", rows)),
        kind=ItemKind(kind),
        source_name="social-export",
        actor="test",
        now=NOW,
    )


def _social(db_session: Session, tmp: Path) -> int:
    sources_service.declare(
        db_session=db_session,
        declaration=SourceDeclaration.model_validate(
            {
                "name": "social-export",
                "kind": "platform_export",
                "platform": "social",
                "allowed_purposes": ["locating", "credit_assessment", "contact", "reputation"],
            }
        ),
        actor="test",
    )
    url = "https://social.example/jeannedtl85"
    _import(
        db_session, tmp, "profiles",
        [
            {
                "external_id": "p1", "network": "social", "display_name": "Jeanne Dupontel",
                "handle": "jeannedtl85", "city": "Lyon", "country": "FR",
                "employer": "Boulangerie Martinez", "birthday": "04-12",
                "phones": ["+33 6 12 34 56 78"], "emails": ["jeanne.dupontel@example.org"],
                "visibility": "public", "privacy": "public",
                "provenance": {"url": url, **_PROVENANCE},
            },
            {
                "external_id": "p2", "network": "social", "display_name": "Someone Else",
                "handle": "someone", "visibility": "public", "privacy": "public",
                "provenance": {"url": "https://social.example/someone", **_PROVENANCE},
            },
        ],
    )  # fmt: skip
    _import(
        db_session, tmp, "posts",
        [
            {
                "external_id": "t1", "profile_id": "p1", "created_at": "2026-10-10T18:30:00+00:00",
                "text": "Jeanne Dupontel: nouveau CDI chez Boulangerie Martinez !",
                "visibility": "public", "provenance": {"url": f"{url}/posts/1", **_PROVENANCE},
            }
        ],
    )  # fmt: skip
    _import(
        db_session, tmp, "friends",
        [
            {
                "external_id": "e1", "profile_id": "p2", "friend_id": "p1", "kind": "friend",
                "visibility": "public", "provenance": {"url": f"{url}/friends", **_PROVENANCE},
            }
        ],
    )  # fmt: skip
    _import(
        db_session, tmp, "mentions",
        [
            {
                "external_id": "m1", "author_handle": "jeannedtl85", "network": "social",
                "created_at": "2026-10-30T12:00:00Z", "agency": "Acme Recouvrement",
                "text": "Moi Jeanne Dupontel, Acme Recouvrement m'a appelée", "language": "fr",
                "url": f"{url}/posts/9", "visibility": "public",
                "provenance": {"url": f"{url}/posts/9", **_PROVENANCE},
            }
        ],
    )  # fmt: skip
    profile_id = db_session.scalar(select(Profile.id).where(Profile.external_id == "p1"))
    assert profile_id is not None
    return profile_id


def build(db_session: Session, tmp: Path) -> World:
    """Jeanne in every domain, Paul in portfolio only; flushed, not committed."""
    portfolio_service.import_portfolio(
        db_session=db_session, data=to_csv([JEANNE, PAUL]), file="portfolio.csv",
        creditor_name=CREDITOR, actor="test", team_name="north",
    )  # fmt: skip
    found = portfolio_service.personal_data.find_subject(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    other = portfolio_service.personal_data.find_subject(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-2"
    )
    assert found is not None and other is not None
    debtor_id, [case_id] = found
    # An audited change on her case: the audit entries about her belong in her export.
    portfolio_service.set_case_flag(
        db_session=db_session, case_id=case_id, flag="disputed", value=True, actor="agent1",
        reason="she disputes the fees",
    )  # fmt: skip
    profile_id = _social(db_session, tmp)
    run = TraceRun(
        portfolio=CREDITOR, engine="duckdb", inputs_fingerprint="x", chunk_size=1, chunk_count=1,
        stats={}, started_by="test", started_at=NOW,
    )  # fmt: skip
    db_session.add(run)
    db_session.flush()
    candidate = MatchCandidate(
        portfolio=CREDITOR, debtor_key=str(debtor_id), profile_key=str(profile_id),
        network="social", run_id=run.id, match_weight=9.0, final_weight=9.0, probability=0.98,
        explanation_data=[{"field": "name", "text": "Jeanne Dupontel = Jeanne Dupontel",
                           "weight": 9.0}],
        profile_snapshot={"display_name": "Jeanne Dupontel", "handle": "jeannedtl85",
                          "city": "Lyon", "employer": "Boulangerie Martinez",
                          "url": "https://social.example/jeannedtl85",
                          "captured_at": "2026-11-01T10:00:00+00:00",
                          "legal_basis": "legitimate_interest:LIA-2026-01"},
        status="accepted", debtor_fingerprint="d", profile_fingerprint="p",
        decided_by="agent1", decided_at=NOW, reason="same person", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    db_session.add(candidate)
    db_session.flush()
    # As tracing's accept writes it (accept itself needs a certified agent: not this test's).
    db_session.add(
        Evidence(
            candidate_id=candidate.id, debtor_key=str(debtor_id), kind="employer",
            value="Boulangerie Martinez", probability=0.98,
            provenance={"url": "https://social.example/jeannedtl85"}, accepted_by="agent1",
            created_at=NOW,
        )
    )  # fmt: skip
    db_session.add_all(
        [
            WhereaboutsInference(
                case_id=case_id, debtor_id=debtor_id, profile_id=profile_id,
                status=InferenceStatus.proposed, top_city="Lyon", top_country="FR",
                confidence=0.8, ranked=[], counts={"friends": 1},
                employer="Boulangerie Martinez", explanation=["works at Boulangerie Martinez"],
                method_version="test", created_at=NOW, created_by="test",
            ),
            AuthenticityFlag(
                profile_id=profile_id, fake_score=0.1, fake_reasons=[],
                impersonation_reasons=[], model_version="test", scored_at=NOW,
            ),
        ]
    )  # fmt: skip
    signal_run = SignalRun(actor="test", model_key="test", started_at=NOW)
    db_session.add(signal_run)
    db_session.flush()
    db_session.add_all(
        [
            SignalEvent(
                case_id=case_id, run_id=signal_run.id, post_id=1, posted_at=NOW,
                event_type="new_job", confidence=0.9, lang="fr", cues=["CDI"],
                entities=[{"kind": "employer", "name": "Boulangerie Martinez"}], created_at=NOW,
            ),
            SignalAssessment(
                case_id=case_id, run_id=signal_run.id, band="high", approach="standard",
                score=1.0, evidence=[], as_of=NOW, created_at=NOW, updated_at=NOW,
            ),
        ]
    )  # fmt: skip
    address = "jeanne.dupontel@example.org"
    sealed = crypto.encrypt(address, context=outreach_context.ADDRESS_CONTEXT)
    index = outreach_context.address_index(address)
    message = OutboxMessage(
        case_id=case_id, idempotency_key="k-1", jurisdiction="FR", channel="email",
        kind="collection", lang="fr", to_encrypted=sealed, to_index=index,
        subject="Votre dossier, Jeanne Dupontel", body="Bonjour Jeanne Dupontel, ...",
        status="sent", created_by="agent1", created_at=NOW, updated_at=NOW, sent_at=NOW,
    )  # fmt: skip
    db_session.add(message)
    db_session.flush()
    debt_id = portfolio_service.get_case(db_session=db_session, case_id=case_id).debt_id
    db_session.add_all(
        [
            ContactLog(
                case_id=case_id, debt_id=debt_id, channel="email", direction="out", at=NOW,
                outbox_id=message.id, actor="agent1",
            ),
            InboundReply(
                provider_id="r-1", channel="email", case_id=case_id, outbox_id=message.id,
                sender_encrypted=sealed, sender_index=index,
                text="C'est Jeanne Dupontel, née le 12/04/1985, 12 rue des Lilas; "
                "06 12 34 56 78 ou jeanne.dupontel@example.org",
                received_at=NOW,
                created_at=NOW,
            ),
            OptOutEntry(
                debtor_id=debtor_id, channel="sms", address_index=index, source="reply",
                created_at=NOW,
            ),
            IdentityCheck(
                debtor_id=debtor_id, channel="email", address_index=index, method="portal",
                verified_at=NOW, actor="agent1",
            ),
            ChatMessage(
                case_id=case_id, sender="debtor", author=f"debtor:{debtor_id}",
                body_encrypted=crypto.encrypt("je suis Jeanne", context="portal.chat"),
                status="delivered", reasons=[], created_at=NOW,
            ),
            PortalDispute(
                case_id=case_id, debtor_id=debtor_id, reason="amount",
                statement_encrypted=crypto.encrypt("Jeanne", context=casework.STATEMENT_CONTEXT),
                created_at=NOW,
            ),
        ]
    )  # fmt: skip
    mention_id = db_session.scalar(select(Mention.id).where(Mention.external_id == "m1"))
    assert mention_id is not None
    db_session.add(
        MentionClassification(
            mention_id=mention_id, posted_at=NOW, lang="fr", sentiment="negative",
            topic="harassment", confidence=0.9, model_version="t", classified_at=NOW,
        )
    )  # fmt: skip
    db_session.flush()
    return World(debtor_id, case_id, profile_id, other[0])
