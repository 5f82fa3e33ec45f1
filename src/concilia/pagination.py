"""Offset pagination shared by every list route."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from concilia.config import get_settings
from concilia.ids import MAX_BIGINT, Offset

T = TypeVar("T")


class PageParams(BaseModel):
    """Which slice of a list the client asks for."""

    offset: int
    limit: int


def page_params(
    offset: Annotated[Offset, Query()] = 0,
    limit: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None,
) -> PageParams:
    """Read ``offset``/``limit`` from the query, capping the limit (an offset past what the
    database can count is refused: 422, not a driver overflow)."""
    settings = get_settings()
    return PageParams(
        offset=offset, limit=min(limit or settings.default_page_size, settings.max_page_size)
    )


Pagination = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """A page of items with the total count, so clients can page on."""

    items: list[T]
    total: int
    offset: int
    limit: int
