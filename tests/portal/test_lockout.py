"""Wrong answers lock the door per reference and per client, with a clear message in the
person's language; while locked, even the right answer is refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.portal.i18n import LANGS, catalog
from concilia.portal.settings import get_portal_settings
from tests.portal.conftest import World, answer, start_typed


def test_five_wrong_answers_lock_the_reference(
    client: TestClient, world: World, db_session: Session
) -> None:
    page = start_typed(client, world.marie.reference)
    for _ in range(5):
        page = answer(client, page.text, dob="01/01/1990", postal_code="69003")
        assert page.status_code == 400
    locked = answer(client, page.text, dob=world.marie.dob, postal_code=world.marie.postal_code)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text and "UTC" in locked.text
    # Another browser (same address here) typing the same reference is refused too.
    other = TestClient(client.app)
    refused = start_typed(other, "acc-7781")
    assert refused.status_code == 429
    assert (
        db_session.scalars(
            select(AuditEntry).where(AuditEntry.action == "portal.locked_out")
        ).first()
        is not None
    )


def test_lock_message_in_the_persons_language(client: TestClient, world: World) -> None:
    client.headers["accept-language"] = "fr-FR,fr;q=0.9"
    page = start_typed(client, world.marie.reference)
    for _ in range(5):
        page = answer(client, page.text, dob="01/01/1990", postal_code="00000")
    locked = answer(client, page.text, dob=world.marie.dob, postal_code=world.marie.postal_code)
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.text and 'lang="fr"' in locked.text


def test_failures_spread_over_references_lock_the_client(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCILIA_PORTAL_MAX_FAILURES_PER_IP", "3")
    get_portal_settings.cache_clear()
    for ref in ("X-1", "X-2", "X-3"):
        page = start_typed(client, ref)
        assert answer(client, page.text, dob="01/01/1990", postal_code="1").status_code == 400
    # A fresh reference, a right answer: the client itself is locked now.
    assert start_typed(client, world.jane.reference).status_code == 429


def test_other_references_stay_open(client: TestClient, world: World) -> None:
    page = start_typed(client, "NOBODY-1")
    for _ in range(5):
        page = answer(client, page.text, dob="01/01/1990", postal_code="1")
    other = TestClient(client.app, client=("10.0.0.9", 5000))
    page = start_typed(other, world.jane.reference)
    ok = answer(other, page.text, dob=world.jane.dob, postal_code=world.jane.postal_code)
    assert ok.url.path == "/portal/code"


def test_every_message_exists_in_three_languages() -> None:
    keys = [set(catalog(lang)) for lang in LANGS]
    assert keys[0] == keys[1] == keys[2] and len(keys[0]) > 150
