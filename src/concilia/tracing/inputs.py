"""Raw inputs of a trace run, as pandas frames, from the contract files or other domains.

Files follow docs/portfolio-format.md (one row per debt; the debtor's fields from the last
row) and docs/source-format.md (profiles JSON Lines).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.errors import InputProblem, InvalidInput, NotFound
from concilia.portfolio import service as portfolio_service
from concilia.sources import service as sources_service

DEBTOR_FIELDS = [
    "given_names",
    "family_names",
    "date_of_birth",
    "city",
    "country",
    "previous_city",
    "previous_country",
    "phones",
    "emails",
    "employer",
]
PROFILE_FIELDS = [
    "network",
    "display_name",
    "handle",
    "city",
    "country",
    "employer",
    "birthday",
    "phones",
    "emails",
    "bio",
    "school",
]
# What a profile's candidates depend on: a rejected pair comes back when any of it changes.
PROFILE_COMPARED = [*PROFILE_FIELDS, "photo_hash", "friend_places", "post_places"]


def read_portfolio_csv(path: Path, date_format: str = "%Y-%m-%d") -> pd.DataFrame:
    """Debtors of a portfolio file, one row per ``debtor_reference``."""
    text = path.read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows: dict[str, dict[str, Any]] = {}
    problems: list[InputProblem] = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text), delimiter=delimiter), start=2):
        ref = (row.get("debtor_reference") or "").strip()
        if not ref:
            problems.append(InputProblem(str(path), number, "debtor_reference", "required"))
            continue
        dob = (row.get("date_of_birth") or "").strip()
        if dob:
            try:
                dob = datetime.strptime(dob, date_format).date().isoformat()
            except ValueError:
                problems.append(
                    InputProblem(str(path), number, "date_of_birth", f"not a {date_format} date")
                )
                continue
        record = {f: (row.get(f) or "").strip() or None for f in DEBTOR_FIELDS}
        record["date_of_birth"] = dob or None
        record["debtor_id"] = ref
        rows[ref] = record
    if problems:
        raise InvalidInput(problems=problems)
    return pd.DataFrame(list(rows.values()), columns=["debtor_id", *DEBTOR_FIELDS])


def _json_lines(path: Path, problems: list[InputProblem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-blank line of a JSON Lines file; a line that is not
    JSON is added to ``problems`` and skipped."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                problems.append(InputProblem(str(path), number, "-", f"invalid JSON: {exc}"))
                continue
            yield number, obj


def read_profiles_jsonl(path: Path) -> pd.DataFrame:
    """Profiles of a source export (provenance kept for the evidence)."""
    records = []
    problems: list[InputProblem] = []
    for number, obj in _json_lines(path, problems):
        if not obj.get("external_id") or not obj.get("display_name"):
            problems.append(
                InputProblem(
                    str(path), number, "external_id", "external_id and display_name required"
                )
            )
            continue
        prov = obj.get("provenance") or {}
        records.append(
            {
                "profile_id": str(obj["external_id"]),
                **{f: obj.get(f) for f in PROFILE_FIELDS},
                "url": prov.get("url"),
                "captured_at": prov.get("captured_at"),
                "source": obj.get("source"),
                "photo_hash": obj.get("photo_hash"),
            }
        )
    if problems:
        raise InvalidInput(problems=problems)
    return pd.DataFrame(
        records,
        columns=["profile_id", *PROFILE_FIELDS, "url", "captured_at", "source", "photo_hash"],
    )


def _public_items(
    path: Path, required: tuple[str, ...], problems: list[InputProblem]
) -> Iterator[dict[str, Any]]:
    """The public objects of a JSON Lines export that carry every ``required`` field; a
    line missing one is added to ``problems`` under the first field it lacks."""
    for number, obj in _json_lines(path, problems):
        missing = [f for f in required if not obj.get(f)]
        if missing:
            problems.append(InputProblem(str(path), number, missing[0], "required"))
            continue
        if obj.get("visibility", "public") != "public":
            continue  # an item shown to friends only is not public data
        yield obj


def read_friends_jsonl(path: Path) -> pd.DataFrame:
    """Public friend and follow edges of a source export (docs/source-format.md), as
    ``profile_id``, ``friend_id``: only to count where a profile's friends live."""
    a: list[str] = []
    b: list[str] = []
    problems: list[InputProblem] = []
    for obj in _public_items(path, ("profile_id", "friend_id"), problems):
        a.append(str(obj["profile_id"]))
        b.append(str(obj["friend_id"]))
    if problems:
        raise InvalidInput(problems=problems)
    return pd.DataFrame({"profile_id": a, "friend_id": b})


def read_posts_jsonl(path: Path) -> pd.DataFrame:
    """Public posts of a source export (docs/source-format.md), as ``profile_id``,
    ``posted_at``, ``text``: only to read which places they name."""
    ids: list[str] = []
    when: list[str | None] = []
    texts: list[str] = []
    problems: list[InputProblem] = []
    for obj in _public_items(path, ("profile_id",), problems):
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        ids.append(str(obj["profile_id"]))
        when.append(obj.get("created_at") or obj.get("posted_at"))
        texts.append(text)
    if problems:
        raise InvalidInput(problems=problems)
    return pd.DataFrame({"profile_id": ids, "posted_at": when, "text": texts})


def posts_from_database(*, db_session: Session, profile_ids: list[str]) -> pd.DataFrame:
    """Public, unredacted posts of these profiles (database ids as text), from sources
    allowing 'locating'."""
    posts, _ = sources_service.posts_for_profiles(
        db_session=db_session, profile_ids=[int(p) for p in profile_ids], purpose="locating"
    )
    kept = [p for p in posts if not p["redacted"] and p.get("text")]
    return pd.DataFrame(
        {
            "profile_id": [str(p["profile_id"]) for p in kept],
            "posted_at": [p["posted_at"] for p in kept],
            "text": [p["text"] for p in kept],
        }
    )


def friends_from_database(*, db_session: Session, profile_ids: list[str]) -> pd.DataFrame:
    """Public edges touching these profiles (database ids as text), from sources allowing
    'locating'."""
    edges = sources_service.friend_edges(
        db_session=db_session, profile_ids=[int(p) for p in profile_ids]
    )
    return pd.DataFrame(
        {
            "profile_id": [str(e["profile_id"]) for e in edges],
            "friend_id": [str(e["friend_id"]) for e in edges],
        }
    )


def row_fingerprints(df: pd.DataFrame, fields: list[str]) -> list[str]:
    """Digest of each record's compared fields: a rejected pair comes back only if it moves."""
    cols = [c for c in fields if c in df.columns]
    out = []
    for values in df[cols].itertuples(index=False, name=None):
        # orjson writes NaN as null, like None: the digest of a missing value is the same
        # whichever way pandas gives it.
        out.append(hashlib.sha256(orjson.dumps(values, default=str)).hexdigest()[:32])
    return out


def inputs_fingerprint(debtor_fps: list[str], profile_fps: list[str]) -> str:
    """Identity of a run's inputs: a restart resumes only the same inputs."""
    h = hashlib.sha256()
    for fp in sorted(debtor_fps):
        h.update(fp.encode())
    h.update(b"|")
    for fp in sorted(profile_fps):
        h.update(fp.encode())
    return h.hexdigest()


def from_database(
    *, db_session: Session, portfolio: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Debtors of a creditor (all when None) and profiles of sources allowing 'locating'."""
    creditor_id = None
    if portfolio is not None:
        creditor = portfolio_service.get_creditor_by_name(db_session=db_session, name=portfolio)
        if creditor is None:
            raise NotFound(f"portfolio (creditor) {portfolio!r} not found")
        creditor_id = creditor.id
    debtor_rows = []
    # Art. 21: people who objected are not traced at all (skipped, and the run says so).
    objecting = portfolio_service.personal_data.social_objections(db_session=db_session)
    skipped: list[int] = []
    for rec in portfolio_service.iter_debtors_for_tracing(
        db_session=db_session, creditor_id=creditor_id
    ):
        if rec["debtor_id"] in objecting:
            skipped.append(int(rec["debtor_id"]))
            continue
        previous = rec.get("previous_cities") or []
        debtor_rows.append(
            {
                "debtor_id": str(rec["debtor_id"]),
                **{f: rec.get(f) for f in DEBTOR_FIELDS if f != "previous_city"},
                "previous_city": previous[0] if previous else None,
            }
        )
    if skipped:
        audit_service.record(
            db_session=db_session, actor="job:tracing", action="tracing.debtors_skipped",
            object_type="portfolio", object_id=portfolio or "(all)",
            change={"reason": "art. 21 objection", "debtors": skipped},
            detail={"reason": "art. 21 objection", "debtors": skipped},
        )  # fmt: skip
    profile_rows = []
    for batch in sources_service.iter_profiles_for_linkage(db_session=db_session):
        for rec in batch:
            profile_rows.append(
                {
                    "profile_id": str(rec["profile_id"]),
                    **{f: rec.get(f) for f in PROFILE_FIELDS},
                    "url": None,
                    "captured_at": rec.get("captured_at"),
                    "source": str(rec.get("source_id")),
                    "photo_hash": rec.get("photo_hash"),
                }
            )
    return (
        pd.DataFrame(debtor_rows, columns=["debtor_id", *DEBTOR_FIELDS]),
        pd.DataFrame(
            profile_rows,
            columns=["profile_id", *PROFILE_FIELDS, "url", "captured_at", "source", "photo_hash"],
        ),
    )
