"""`concilia trace run` killed with SIGKILL half-way finishes, once restarted, without
duplicates or lost work: the same candidates as a run never interrupted."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tracing import testworld

pytestmark = pytest.mark.slow


def _database(path: Path) -> str:
    from concilia.db import Base, make_engine
    from concilia.domains import load_all_models

    load_all_models()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def _command(
    url: str, var: Path, csv_path: Path, jsonl_path: Path
) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "CONCILIA_DATABASE_URL": url, "CONCILIA_VAR_DIR": str(var)}
    cmd = [
        sys.executable,
        "-m",
        "concilia.cli",
        "trace",
        "run",
        "--portfolio",
        "acme",
        "--debtors",
        str(csv_path),
        "--profiles",
        str(jsonl_path),
        "--chunk-size",
        "20",
    ]
    return cmd, env


def _chunks(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return int(con.execute("SELECT count(*) FROM tracing_chunks").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _candidates(db: Path) -> list[tuple[str, str, float, str]]:
    with sqlite3.connect(db) as con:
        return [
            (d, p, round(prob, 9), status)
            for d, p, prob, status in con.execute(
                "SELECT debtor_key, profile_key, probability, status FROM tracing_candidates "
                "ORDER BY debtor_key, profile_key"
            )
        ]


def test_killed_run_resumes_without_duplicates_or_lost_work(tmp_path: Path) -> None:
    world = testworld.generate(400, seed=5)
    csv_path, jsonl_path = testworld.write_files(world, tmp_path / "in")
    var = tmp_path / "var"
    var.mkdir()

    # Reference: one uninterrupted run.
    ref_db = tmp_path / "ref.db"
    cmd, env = _command(_database(ref_db), var, csv_path, jsonl_path)
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=900)
    reference = _candidates(ref_db)
    assert reference

    # Interrupted: kill -9 once a few chunks are committed, then start again.
    db = tmp_path / "killed.db"
    cmd, env = _command(_database(db), var, csv_path, jsonl_path)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while _chunks(db) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _chunks(db)
    assert 3 <= done_before < 20  # 400 debtors in chunks of 20
    with sqlite3.connect(db) as con:
        status = con.execute("SELECT status FROM tracing_runs").fetchall()
    assert status == [("running",)]

    out = subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=900, text=True)
    assert '"chunks_done_now": ' + str(20 - done_before) in out.stdout
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM tracing_runs").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM tracing_chunks").fetchone()[0] == 20
    # Same pairs, same probabilities, no duplicates: the model was kept with the run.
    assert _candidates(db) == reference
