"""``whereabouts`` commands (to be added under ``concilia trace`` by the tracing CLI)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from concilia.db import session_scope
from concilia.tracing.whereabouts import service

app = typer.Typer(help="Likely current city from the public friend graph.", no_args_is_help=True)


@app.command("infer")
def infer(
    debtor_id: int,
    case_id: Annotated[int | None, typer.Option(help="the case it is for")] = None,
    actor: Annotated[str, typer.Option(help="who runs it, for the audit log")] = "cli",
) -> None:
    """Infer a debtor's likely city from their accepted profiles; stores a proposal."""
    with session_scope() as db_session:
        row = service.run_inference(
            db_session=db_session, debtor_id=debtor_id, case_id=case_id, actor=f"cli:{actor}"
        )
        out = {
            "id": row.id,
            "status": row.status.value,
            "top_city": row.top_city,
            "confidence": row.confidence,
            "ranked": row.ranked,
            "explanation": row.explanation,
        }
    typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
