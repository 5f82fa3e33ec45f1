"""The demo's mailbox page: the sink's mail about my cases only, and none outside the demo."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from fastapi.testclient import TestClient

from concilia.config import get_settings
from concilia.console.mailbox import AGENCY_ADDRESS, FOLDER
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]


def _mail(folder: Path, n: int, sender: str, to: str, subject: str, text: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate(localtime=False)
    message.set_content(text)
    (folder / f"{n:05d}.eml").write_bytes(bytes(message))


def test_mailbox_shows_my_teams_mail_only(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, _ = agent_browser
    folder = get_settings().var_dir / FOLDER
    assert not folder.exists()  # tests run on their own var/, never a demo's
    assert "only with make demo" in client.get("/console/mail").text
    folder.mkdir(parents=True)
    try:
        _mail(folder, 1, AGENCY_ADDRESS, "jp.delafontaine@example.org", "Votre dossier", "Bonjour")
        _mail(folder, 2, "jp.delafontaine@example.org", AGENCY_ADDRESS, "Re: dossier", "Merci")
        _mail(folder, 3, AGENCY_ADDRESS, "sam.south@example.org", "South only", "Hello Sam")
        page = client.get("/console/mail")
        assert page.status_code == 200
        assert "Votre dossier" in page.text and "Re: dossier" in page.text
        assert f'href="/console/cases/{console_world.north_case}"' in page.text
        assert "South only" not in page.text  # another team's debtor
    finally:
        for path in folder.glob("*.eml"):
            path.unlink()
        folder.rmdir()
