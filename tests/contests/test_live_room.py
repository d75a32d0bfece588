"""
The two-worker test of a city-wide room, run as the README runs the benchmark
(``bench/live_room.py``): two application processes of the production server
(uvicorn) on a Redis of their own and one database, the players split over them,
and the second worker killed (SIGKILL) half-way through the second question's
answers. Its players reconnect to the first worker and go on; no acknowledged
answer may be lost, and the results the database keeps must equal an offline
recount of the stored answers.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYERS, QUESTIONS = 40, 3  # and the herd question: 4 answers each


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_a_worker_killed_mid_game_loses_no_answer_and_the_scores_recount():
    # The PostgreSQL pass plays on a scratch database of its server; the embedded
    # pass on an SQLite file the two workers share.
    database = os.environ.get("DATABASE_URL", "")
    server = database if database.startswith("postgres") else "sqlite:"
    command = [
        sys.executable, "bench/live_room.py",
        "--players", str(PLAYERS), "--questions", str(QUESTIONS),
        "--stack", "production", "--server", "uvicorn", "--workers", "2",
        "--kill-worker-at", "2", "--seconds", "10", "--window", "1",
        "--database-url", server,
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])

    assert result["joined"] == PLAYERS
    assert result["reconnects"] >= PLAYERS // 2  # the killed worker's half came back
    assert result["status"] == "finished"
    assert result["answers_lost"] == 0
    assert result["answers_stored"] == PLAYERS * (QUESTIONS + 1)  # everyone, every question
    assert result["recount_equal"] is True
