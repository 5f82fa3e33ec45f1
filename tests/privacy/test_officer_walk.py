"""The compliance officer's walk in a real browser (Debian's chromium through Playwright),
with axe-core on every state of the page: sign in (French) → the privacy page (an overdue
request in red, the register, the schedule, an objection among the erasures, who looked) →
filter who looked by a debtor reference from the keyboard (HTMX swaps the section) → ask
for the purge's dry run. No serious or critical axe violation anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import browser  # noqa: F401  (the walks' shared chromium)
from tests.browser.support import MARKS, axe_check, free_port, serving
from tests.conftest import drop_test_engine, make_test_engine

PASSWORD = "walk-correct-horse-battery"

pytest.importorskip("playwright.sync_api")
pytestmark = MARKS


def _seed(factory: sessionmaker[Session]) -> None:
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role
    from concilia.db import utcnow
    from concilia.portfolio import service as portfolio_service
    from concilia.portfolio.sample import to_csv
    from concilia.privacy import service as privacy_service
    from tests.privacy.world import CREDITOR, JEANNE, PAUL

    with factory() as s:
        portfolio_service.import_portfolio(
            db_session=s, data=to_csv([JEANNE, PAUL]), file="walk.csv", creditor_name=CREDITOR,
            actor="test", team_name="north",
        )  # fmt: skip
        auth_service.create_user(
            db_session=s, username="olga", role=Role.compliance_officer, password=PASSWORD,
            teams=["north"], actor="test",
        )  # fmt: skip
        jeanne = privacy_service.resolve(db_session=s, creditor=CREDITOR, debtor_reference="DEB-1")
        paul = privacy_service.resolve(db_session=s, creditor=CREDITOR, debtor_reference="DEB-2")
        privacy_service.open_request(
            db_session=s, subject=paul, kind="access", actor="user:olga",
            received_at=utcnow() - timedelta(days=35),
        )  # fmt: skip
        privacy_service.object_to_social(
            db_session=s, subject=jeanne, actor="user:olga", reason="letter of 2 Dec"
        )
        for who, debtor in (("user:nina", jeanne), ("user:nina", paul), ("user:bob", paul)):
            privacy_service.record_read(
                db_session=s, actor=who, debtor_ids=[debtor.debtor_id],
                what="console case page", purpose="debt_recovery", via="page",
            )  # fmt: skip
        s.commit()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from concilia.app import create_app

    engine, schema = make_test_engine("sqlite", tmp_path_factory.mktemp("privacy-walk"))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    _seed(factory)
    with serving(create_app(session_factory=factory), free_port()) as url:
        yield url
    drop_test_engine(engine, schema)


def test_compliance_officer_walk(server: str, browser: Any) -> None:  # noqa: F811
    errors: list[str] = []
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{server}/login")
    page.get_by_label("Identifiant").fill("olga")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))

    page.goto(f"{server}/console/privacy")
    assert page.get_by_role("heading", name="Protection des données", level=1).is_visible()
    overdue = page.locator("#requests-title ~ table td.error")
    assert overdue.count() == 1 and "en retard de 5 jours" in overdue.inner_text()
    assert page.get_by_role("heading", name="Registre des traitements").is_visible()
    erasures = page.locator("section", has=page.locator("#erasures-title"))
    assert "opposition" in erasures.inner_text() and "DEB-1" in erasures.inner_text()
    reads = page.locator("#reads tbody tr")
    assert reads.count() == 3
    axe_check(page, "privacy-01-officer")

    # Keyboard only: type a reference into the filter, submit with Enter; HTMX swaps #reads.
    page.get_by_label("Référence du débiteur").focus()
    page.keyboard.type("DEB-2")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#reads tbody tr').length === 2", timeout=10_000
    )
    assert "user:bob" in page.locator("#reads").inner_text()
    assert "DEB-1" not in page.locator("#reads tbody").inner_text()
    assert "reference=DEB-2" in page.url  # the filter is in the address bar (hx-push-url)
    axe_check(page, "privacy-02-filtered")

    # The dry run of the next purge, on demand, swapped into the schedule.
    page.get_by_role("button", name="Que supprimerait la prochaine purge ? (simulation)").click()
    page.get_by_text("rien n’a été modifié").wait_for(timeout=20_000)
    assert page.get_by_role("columnheader", name="La prochaine purge").is_visible()
    axe_check(page, "privacy-03-dry-run")
    assert errors == []
    context.close()
