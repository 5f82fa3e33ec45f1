"""Load a synthetic world written by ``concilia simulate`` through the ordinary importer.

The world's profiles, friends and posts files mix three networks whose terms differ, so each
file is imported once per network source (lines of other networks are left to their own
source); mentions go to the listening feed. The source declarations are data
(``data/simulated-sources.yaml``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from concilia.sources import service
from concilia.sources.connectors import JsonLinesFile
from concilia.sources.importer import ImportReport, Progress
from concilia.sources.schemas import ItemKind, SourceDeclaration


def simulated_declarations() -> list[SourceDeclaration]:
    """The declarations of the synthetic world's sources."""
    text = (resources.files("concilia.sources") / "data" / "simulated-sources.yaml").read_text(
        encoding="utf-8"
    )
    raw: list[dict[str, Any]] = yaml.safe_load(text)
    return [SourceDeclaration.model_validate(item) for item in raw]


def import_world(
    *,
    db_session: Session,
    directory: Path,
    actor: str,
    skip_bad: bool = True,
    now: datetime | None = None,
    progress_for: Callable[[str], Progress | None] | None = None,
) -> list[ImportReport]:
    """Declare the simulated sources when missing, then import every file in order."""
    declarations = simulated_declarations()
    for declaration in declarations:
        if service.get_by_name(db_session=db_session, name=declaration.name) is None:
            service.declare(db_session=db_session, declaration=declaration, actor=actor)
    networks = [d.name for d in declarations if d.platform]
    listening = [d.name for d in declarations if not d.platform]
    plan: list[tuple[ItemKind, str]] = [
        (kind, name)
        for kind in (ItemKind.profiles, ItemKind.friends, ItemKind.posts)
        for name in networks
    ]
    plan += [(ItemKind.mentions, name) for name in listening]
    reports: list[ImportReport] = []
    for kind, name in plan:
        path = directory / f"{kind.value}.jsonl"
        if not path.exists():
            continue
        reports.append(
            service.run_import(
                db_session=db_session,
                connector=JsonLinesFile(path),
                kind=kind,
                source_name=name,
                actor=actor,
                skip_bad=skip_bad,
                now=now,
                progress=progress_for(f"{kind.value} → {name}") if progress_for else None,
            )
        )
    return reports
