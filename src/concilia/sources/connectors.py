"""The connector interface for official platform APIs and data providers, and the file importer.

No scraper implements this interface, by design: a connector reads an official API under
terms that allow it, a data provider's export, or a file of such items. The importer reads a
connector twice (check everything, then write), so ``fetch`` must give the same items each
time; a live API connector therefore spools its items to a JSON Lines file first
(:func:`spool`) and the file is imported, which also gives the audit a SHA-256 to cite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson

from concilia.sources.schemas import ItemKind

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item as the connector read it, before validation.

    ``position`` is the line number (files) or the item's rank; ``error`` says why the item
    could not even be read (``data`` is then None); ``offset`` is how many bytes were consumed
    so far, for progress bars.
    """

    position: int
    data: dict[str, Any] | None
    error: str | None
    offset: int


@runtime_checkable
class Connector(Protocol):
    """Where items come from. ``name`` is what ``provenance.captured_by`` names as
    ``connector:NAME``."""

    name: str

    def describe(self) -> str:
        """How problems name the input (e.g. the file path)."""
        ...

    def total_bytes(self) -> int | None:
        """Size of the input for progress, when known."""
        ...

    def fetch(self, kind: ItemKind) -> Iterator[RawItem]:
        """Yield the items of one kind, the same ones on every call."""
        ...

    def digest(self) -> str | None:
        """SHA-256 of what the last complete ``fetch`` read, when there is such a thing."""
        ...


class JsonLinesFile:
    """The file importer's connector: one JSON object per line, streamed, never loaded whole."""

    def __init__(self, path: Path | str, *, name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or f"file:{self.path.name}"
        self._sha256: str | None = None

    def describe(self) -> str:
        """The file path."""
        return str(self.path)

    def total_bytes(self) -> int | None:
        """The file's size."""
        return self.path.stat().st_size

    def digest(self) -> str | None:
        """SHA-256 of the file (known after one complete read)."""
        return self._sha256

    def fetch(self, kind: ItemKind) -> Iterator[RawItem]:
        """Each non-blank line parsed with orjson; unreadable lines come back with an error."""
        sha = hashlib.sha256()
        offset = 0
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                offset += len(line)
                sha.update(line)
                text = line[3:] if number == 1 and line.startswith(_BOM) else line
                text = text.strip()
                if not text:
                    continue
                try:
                    data = orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    yield RawItem(number, None, f"not valid JSON ({exc})", offset)
                    continue
                if not isinstance(data, dict):
                    yield RawItem(number, None, "expected one JSON object per line", offset)
                    continue
                yield RawItem(number, data, None, offset)
        self._sha256 = sha.hexdigest()


def spool(items: Iterable[dict[str, Any]], path: Path | str, *, name: str) -> JsonLinesFile:
    """Write items from an API connector to a JSON Lines file, to be imported like any file."""
    target = Path(path)
    with target.open("wb") as handle:
        for item in items:
            handle.write(orjson.dumps(item))
            handle.write(b"\n")
    return JsonLinesFile(target, name=name)
