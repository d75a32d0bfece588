"""
Benchmark: a city-wide contest in one room, measured as its users run it.

    .venv/bin/python bench/live_room.py --players 2000 --questions 5 \\
        --stack production --server uvicorn [--workers 2] [--guests] [--runs 3]

It starts the stack itself, on this machine:

- ``embedded``: one worker, SQLite, the in-memory channel layer (``make run``'s setup);
- ``production``: ``--workers`` W application processes of the chosen ASGI server
  (``daphne``, ``uvicorn`` or ``granian``), each on its own port, with
  ``DJANGO_ENV=production``, a redis-server of the benchmark's own on a free port
  and a scratch PostgreSQL database (on ``--database-url``'s server, default the
  local one), dropped afterwards.

Then one asyncio process drives N real WebSocket clients (signed-in members with
API tokens by default, ``--guests`` for guests; compression off; connects ramped in
batches), spread over the workers, and a host on the first worker. It plays a
classic game: ``--questions`` four-option questions with a ``--seconds`` countdown,
every player answering once at a random moment of the first ``--window`` seconds
(a random option), the host closing when every answer is acknowledged; then one
*herd* question that everyone answers within 100 ms of receiving it.

The figures of the questions answered over the countdown (``fanout_*``,
``ack_*``) are kept apart from the herd question's (``herd_*``): there the first
phones answer while the last still receive the question.

The last line printed is one JSON object (with ``--runs`` R: R lines, then the
median of each figure and its spread, ``[min, max]``). Latencies are client
receive time minus the server's timestamp in the frame (``question.server_now``;
same host, same clock) or, where the frame carries none, the client's own round
trip (answer → ``answer_ack``; host's ``close`` → each player's ``reveal`` and
``scoreboard``). Server CPU and memory are read from /proc for each worker's
process tree. ``--kill-worker-at Q`` kills the last worker (SIGKILL) half-way
through question Q's answers: its players reconnect to the others and go on;
``answers_lost`` counts acknowledged answers missing from the database, and
``recount_equal`` says whether the stored results equal an offline recount of the
stored answers (``make test`` runs this with two workers).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import WebSocketException

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OPTIONS = "ABCD"
POINTS = 1000
HERD_WINDOW_S = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def pct(values, q: float):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


# --- the stack -----------------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (granian runs the application in child processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def cpu_ms(pid: int) -> float:
    """User + system CPU of ``pid``'s process tree, in milliseconds."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / CLK_TCK


def rss_kb(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_KB
    return total


SERVERS = {
    "daphne": lambda port: ["-m", "daphne", "-b", "127.0.0.1", "-p", str(port)],
    "uvicorn": lambda port: [
        "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        "--log-level", "warning", "--ws-per-message-deflate", "false", "--lifespan", "off",
    ],
    "granian": lambda port: [
        "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning",
    ],
}  # fmt: skip
APPLICATION = "backend.asgi:application"


class Stack:
    """The servers under test: W application workers, and for production a
    redis-server of the benchmark's own and a scratch PostgreSQL database."""

    def __init__(self, options: Options):
        self.options = options
        self.scratch = Path(tempfile.mkdtemp(prefix="jiangtang-live-"))
        self.redis: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen | None] = []
        self.ports: list[int] = []
        self.database_name: str | None = None
        self.cpu_at_death: dict[int, float] = {}
        self.env = dict(os.environ)
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        self.env.update(
            DJANGO_SETTINGS_MODULE="backend.settings",
            DJANGO_ENV="production",
            DJANGO_SECRET_KEY="live-room-benchmark-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            JIANGTANG_VAR_DIR=str(self.scratch),
            PYTHONUNBUFFERED="1",
        )

    def start_services(self) -> None:
        if self.options.stack == "embedded":
            return
        port = free_port()
        self.redis = subprocess.Popen(  # noqa: S603 (our own command line)
            [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(port, self.redis, "redis-server")
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        url = self.options.database_url
        if url.startswith("sqlite"):
            self.env["DATABASE_URL"] = f"sqlite:///{self.scratch / 'db.sqlite3'}"
            return
        import psycopg

        self.database_name = f"jiangtang_live_{os.getpid()}"
        with psycopg.connect(self.admin_url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.database_name}"')
        parts = urlsplit(url)
        self.env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{self.database_name}"))

    def admin_url(self) -> str:
        """The server's maintenance database: the one named may not exist yet."""
        return urlunsplit(urlsplit(self.options.database_url)._replace(path="/postgres"))

    def setup_django(self) -> None:
        """This process uses the same database, to make the world and read the record."""
        os.environ.update(self.env)
        for name in ("DATABASE_URL", "REDIS_URL"):
            if name not in self.env:
                os.environ.pop(name, None)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    def start_workers(self) -> None:
        for index in range(self.options.workers):
            port = free_port()
            log = open(self.scratch / f"worker{index}.log", "wb")  # noqa: SIM115 (lives with it)
            process = subprocess.Popen(  # noqa: S603 (our own command line)
                [sys.executable, *SERVERS[self.options.server](port), APPLICATION],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.workers.append(process)
            self.ports.append(port)
        for index, (process, port) in enumerate(zip(self.workers, self.ports, strict=True)):
            wait_for_port(port, process, f"worker {index} ({self.options.server})")

    def alive(self) -> list[int]:
        return [i for i, p in enumerate(self.workers) if p is not None and p.poll() is None]

    def kill(self, index: int) -> None:
        process = self.workers[index]
        self.cpu_at_death[index] = cpu_ms(process.pid)
        for pid in reversed(process_tree(process.pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.workers[index] = None

    def cpu_ms(self) -> list[float]:
        """Each worker's CPU so far (a killed one's as it died)."""
        return [
            cpu_ms(p.pid) if p is not None else self.cpu_at_death[i]
            for i, p in enumerate(self.workers)
        ]

    def rss_kb(self) -> list[int]:
        return [rss_kb(p.pid) if p is not None else 0 for p in self.workers]

    def redis_kb(self) -> tuple[int | None, dict]:
        """What Redis holds (``used_memory``), and the room's keys by name (KB)."""
        if "REDIS_URL" not in self.env:
            return None, {}
        import redis

        client = redis.Redis.from_url(self.env["REDIS_URL"])
        try:
            keys = {}
            for key in client.scan_iter("jiangtang:room:*", count=1000):
                if key.startswith(b"jiangtang:room:alive:"):
                    continue  # a worker's marker (the store's lost() check)
                name = key.decode().split(":", 3)[-1] if key.count(b":") > 2 else "room"
                keys[name] = keys.get(name, 0) + (client.memory_usage(key) or 0)
            room = {name: round(size / 1024, 1) for name, size in sorted(keys.items())}
            return client.info("memory")["used_memory"] // 1024, room
        finally:
            client.close()

    def stop(self) -> None:
        for process in [*self.workers, self.redis]:
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.database_name:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(self.admin_url(), autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        if not self.options.keep:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:]
            for path in sorted(self.scratch.glob("worker*.log"))
        )


# --- the world ----------------------------------------------------------------------------------


def make_world(options: Options, run: int = 1) -> dict:
    """The members (with API tokens), a host, a four-option paper and the contest
    (of run ``run``: the runs of one invocation share the database)."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from backend.accounts.models import Branch, Role, Unit, User
    from contests import services
    from quizzes.models import Question, QuestionBank, Quiz, QuizQuestion
    from quizzes.scoring import normalise_stem

    unit = Unit.objects.create(name=f"市直机关（第{run}轮）")
    branches = Branch.objects.bulk_create(
        Branch(unit=unit, name=f"第{n + 1}党支部") for n in range(max(1, options.players // 40))
    )
    unusable = make_password(None)
    host = User.objects.create(
        username=f"live-host-{run}", display_name="主持人", role=Role.CITY_ADMIN, password=unusable
    )
    tokens = {}
    if not options.guests:
        members = User.objects.bulk_create(
            User(
                username=f"r{run}m{n:05d}",
                display_name=f"党员{n:05d}",
                role=Role.MEMBER,
                branch=branches[n % len(branches)],
                unit=unit,
                password=unusable,
            )
            for n in range(options.players)
        )
        rows = Token.objects.bulk_create(
            Token(user=member, key=Token.generate_key()) for member in members
        )
        tokens = {n: row.key for n, row in enumerate(rows)}
    bank = QuestionBank.objects.create(name="基准题库")
    questions = []
    for n in range(options.questions + 1):
        stem = f"第{n + 1}题：机关党建知识（　）。"
        questions.append(
            Question.objects.create(
                bank=bank,
                kind="single",
                stem=stem,
                stem_key=normalise_stem(stem),
                options=["选项甲", "选项乙", "选项丙", "选项丁"],
                answer=[random.choice(OPTIONS)],  # noqa: S311 (a benchmark)
                category="党章党规",
                difficulty=2,
            )
        )
    quiz = Quiz.objects.create(
        title="全市机关知识竞赛（基准）", status="published", purpose="practice"
    )
    quiz.banks.set([bank])
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, position=i) for i, q in enumerate(questions)
    )
    contest = services.contest_create(
        host=host,
        quiz=quiz,
        allow_guests=True,
        seconds_per_question=options.seconds,
        points_per_question=POINTS,
    )
    return {
        "pin": contest.pin,
        "contest": contest.pk,
        "host_token": Token.objects.create(user=host).key,
        "tokens": tokens,
    }


def the_record(contest_id: int, acked: set[tuple[str, int]]) -> dict:
    """What the database holds after the game: the stored answers, the acknowledged
    ones missing from it, the results, and whether they equal an offline recount
    of the stored answers."""
    from contests import engine, services
    from contests.models import Contest, ContestAnswer, ContestResult

    contest = Contest.objects.get(pk=contest_id)
    stored = services.stored_answers(ContestAnswer.objects.filter(contest=contest))
    results = {r.player: r.score for r in ContestResult.objects.filter(contest=contest)}
    room = services.contest_room(contest)
    room.answers = stored
    recount = {s.player: s.score for s in engine.standings(room).values()}
    scores = list(results.values())
    return {
        "status": contest.status,
        "answers_stored": len(stored),
        "answers_lost": sum(1 for player, seq in acked if f"{seq}:{player}" not in stored),
        "recount_equal": bool(results) and results == recount,
        "points_mean": round(statistics.fmean(scores), 1) if scores else None,
    }


# --- the clients --------------------------------------------------------------------------------


def speed_points(elapsed_ms: float, duration_ms: int) -> float:
    if elapsed_ms <= 500:
        return POINTS
    return POINTS * (1 - min(1.0, elapsed_ms / duration_ms) / 2)


def expected_points(elapsed: list[float | None], duration_ms: int, choices: int = 4) -> float:
    """A player's expected score when each answer is a random option: speed points
    × 1/choices per answered question, plus the streak bonus (+100 per right
    answer in a row after the first, at most +500), from the distribution of the
    streak's length question by question."""
    p = 1 / choices
    total = 0.0
    streak = {0: 1.0}  # length → probability
    for ms in elapsed:
        following: dict[int, float] = {}
        if ms is None:
            following[0] = 1.0
        else:
            total += p * speed_points(ms, duration_ms)
            for length, chance in streak.items():
                total += chance * p * min(100 * length, 500)
                following[length + 1] = following.get(length + 1, 0) + chance * p
                following[0] = following.get(0, 0) + chance * (1 - p)
        streak = following
    return total


def played_points(player: Player, total: int, duration_ms: int) -> float:
    """What the player's accepted answers earn by the rules, counted on the phone:
    the revealed key, the option chosen, and the time from the question's opening
    to the send (the server counts to its receipt: a little later, a little less)."""
    score, streak = 0.0, 0
    for seq in range(1, total + 1):
        if seq in player.accepted and player.choice.get(seq) in player.keys.get(seq, ()):
            streak += 1
            score += speed_points(player.elapsed[seq], duration_ms) + min(100 * (streak - 1), 500)
        else:
            streak = 0
    return score


def _mean(values) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), 1) if values else None


@dataclass
class Player:
    index: int
    worker: int
    headers: list
    query: str
    nickname: str
    ws: object = None
    joined: asyncio.Future | None = None
    acks: dict = field(default_factory=dict)  # seq → Future(accepted, reason)
    accepted: set = field(default_factory=set)
    choice: dict = field(default_factory=dict)
    sent_at: dict = field(default_factory=dict)  # seq → perf_counter of the last send
    elapsed: dict = field(default_factory=dict)  # seq → ms after the question opened
    question: dict = field(default_factory=dict)  # seq → the question frame
    reveal: dict = field(default_factory=dict)  # seq → perf_counter
    board: dict = field(default_factory=dict)  # seq → perf_counter
    finished: asyncio.Future | None = None
    reader: asyncio.Task | None = None
    keys: dict = field(default_factory=dict)  # seq → the revealed key
    player_id: str = ""
    reconnects: int = 0


class Room:
    """The load generator: the players, the host, and what they measured."""

    def __init__(self, options: Options, stack: Stack, world: dict, ids: list[str]):
        self.options, self.stack, self.world, self.ids = options, stack, world, ids
        self.players: list[Player] = []
        self.fanout: dict[int, list[float]] = {}
        self.question_seen: dict[int, asyncio.Event] = {}
        self.ack_ms: list[float] = []  # the questions answered over the countdown
        self.herd_ack_ms: list[float] = []
        self.herd_sends: list[float] = []
        self.herd_acks: list[float] = []
        self.answers_sent = 0
        self.answers_accepted = 0
        self.refused: dict[str, int] = {}
        self.lag: list[float] = []
        self.done = False
        self.host = None
        self.host_reader: asyncio.Task | None = None
        self.host_frames: asyncio.Queue = asyncio.Queue()
        self.answer_tasks: set[asyncio.Task] = set()
        self.current_seq = 0
        self.herd_seq = options.questions + 1
        self.join_failures = 0
        self.connect_retries = 0

    def url(self, worker: int, query: str) -> str:
        return f"ws://127.0.0.1:{self.stack.ports[worker]}/ws/contests/{self.world['pin']}/?{query}"

    def origin(self, worker: int) -> str:
        return f"http://127.0.0.1:{self.stack.ports[worker]}"

    async def connect(self, worker: int, query: str, headers: list):
        from websockets.asyncio.client import connect

        return await connect(
            self.url(worker, query),
            origin=self.origin(worker),
            additional_headers=headers,
            compression=None,
            ping_interval=None,
            open_timeout=120,
            close_timeout=1,
            max_queue=None,
        )

    # players

    def make_players(self) -> None:
        workers = self.options.workers
        for n in range(self.options.players):
            if self.options.guests:
                headers, query = [], f"role=player&guest={n:032x}"
            else:
                headers = [("Authorization", f"Token {self.world['tokens'][n]}")]
                query = "role=player"
            player = Player(n, n % workers, headers, query, f"选手{n:05d}")
            player.player_id = self.ids[n]
            self.players.append(player)

    async def enter(self, player: Player) -> None:
        loop = asyncio.get_running_loop()
        player.joined = loop.create_future()
        player.finished = loop.create_future()
        try:
            player.ws = await self.connect_retrying(player)
            player.reader = asyncio.create_task(self.read(player))
            await player.ws.send(json.dumps({"type": "join", "nickname": player.nickname}))
            await asyncio.wait_for(asyncio.shield(player.joined), 120)
        except Exception as exc:  # counted, and reported
            self.join_failures += 1
            print(f"player {player.index} did not join: {exc!r}", file=sys.stderr)

    async def connect_retrying(self, player: Player, attempts: int = 3):
        """As a phone does when a connect fails in a crowd: twice more, after a pause."""
        for attempt in range(attempts):
            try:
                return await self.connect(player.worker, player.query, player.headers)
            except (OSError, TimeoutError, WebSocketException):
                if attempt == attempts - 1:
                    raise
                self.connect_retries += 1
                await asyncio.sleep(0.5 * (attempt + 1))

    async def read(self, player: Player) -> None:
        while not self.done:
            try:
                async for raw in player.ws:
                    self.on_frame(player, json.loads(raw))
            except Exception:  # noqa: S110 (the connection closed: reconnect below)
                pass
            if self.done:
                return
            await self.reconnect(player)

    async def reconnect(self, player: Player) -> None:
        """As a phone does: another worker if this one is gone, join again (the
        server knows the player), and send an unacknowledged answer again."""
        delay = 0.1
        while not self.done:
            alive = self.stack.alive()
            if player.worker not in alive:
                player.worker = alive[player.index % len(alive)]
            try:
                player.ws = await self.connect(player.worker, player.query, player.headers)
                await player.ws.send(json.dumps({"type": "join", "nickname": player.nickname}))
                player.reconnects += 1
                return
            except Exception:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2)

    def on_frame(self, player: Player, message: dict) -> None:
        kind = message["type"]
        now = time.perf_counter()
        if kind == "question":
            seq = message["seq"]
            if seq not in player.question:
                player.question[seq] = message
                self.fanout.setdefault(seq, []).append(time.time() * 1000 - message["server_now"])
                self.schedule_answer(player, seq)
        elif kind == "answer_ack":
            waiter = player.acks.get(message["seq"])
            if waiter is not None and not waiter.done():
                waiter.set_result((message["accepted"], message.get("reason")))
        elif kind == "state":
            if "you" in message and player.joined is not None and not player.joined.done():
                player.joined.set_result(True)
            question = message.get("question")
            seq = message.get("seq")
            if question and message["phase"] == "question" and seq not in player.accepted:
                if seq not in player.question:
                    player.question[seq] = question
                    self.schedule_answer(player, seq)
                elif seq in player.choice and not player.acks.get(seq, _pending()).done():
                    self.send_answer(player, seq)  # a reconnect: the last send may have been lost
        elif kind == "reveal" and "you" in message:
            player.reveal.setdefault(message["seq"], now)
            player.keys[message["seq"]] = message["correct"]
        elif kind == "scoreboard":
            player.board.setdefault(message["seq"], now)
        elif kind == "finished" and player.finished and not player.finished.done():
            player.finished.set_result(True)

    def schedule_answer(self, player: Player, seq: int) -> None:
        """A timer, not a task, while the question's frames are still arriving: the
        load generator's own work in that burst would count as fan-out time."""
        window = HERD_WINDOW_S if seq == self.herd_seq else self.options.window
        delay = random.uniform(0, window)  # noqa: S311 (a benchmark)
        asyncio.get_running_loop().call_later(delay, self.send_answer, player, seq)

    def send_answer(self, player: Player, seq: int) -> None:
        if self.done:
            return
        task = asyncio.create_task(self.answer(player, seq, 0.0))
        self.answer_tasks.add(task)
        task.add_done_callback(self.answer_tasks.discard)

    async def answer(self, player: Player, seq: int, delay: float) -> None:
        """One answer, sent again while the server says ``unavailable`` or the
        socket is replaced; the round trip of the accepted (or refused) send."""
        if delay:
            await asyncio.sleep(delay)
        question = player.question[seq]
        choice = player.choice.setdefault(seq, random.choice(OPTIONS))  # noqa: S311
        for _attempt in range(20):
            if seq in player.accepted or self.done:
                return
            waiter = player.acks[seq] = asyncio.get_running_loop().create_future()
            sent = time.perf_counter()
            opened = question["ends_at"] - question["duration_ms"]
            player.elapsed.setdefault(seq, time.time() * 1000 - opened)
            if seq == self.herd_seq:
                self.herd_sends.append(sent)
            try:
                await player.ws.send(
                    json.dumps({"type": "answer", "seq": seq, "choices": [choice]})
                )
                self.answers_sent += 1
                accepted, reason = await asyncio.wait_for(asyncio.shield(waiter), 30)
            except Exception:
                await asyncio.sleep(0.3)  # the socket went away: the reader reconnects
                continue
            received = time.perf_counter()
            if accepted:
                player.accepted.add(seq)
                self.answers_accepted += 1
                if seq == self.herd_seq:
                    self.herd_acks.append(received)
                    self.herd_ack_ms.append((received - sent) * 1000)
                else:
                    self.ack_ms.append((received - sent) * 1000)
                return
            if reason == "duplicate":  # accepted before the socket was replaced
                player.accepted.add(seq)
                return
            self.refused[reason] = self.refused.get(reason, 0) + 1
            if reason != "unavailable":
                return
            await asyncio.sleep(0.2)

    # the host

    async def host_connect(self) -> None:
        headers = [("Authorization", f"Token {self.world['host_token']}")]
        self.host = await self.connect(0, "role=host", headers)
        self.host_reader = asyncio.create_task(self.host_read())

    async def host_read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.host:
                await self.host_frames.put(json.loads(raw))

    async def host_send(self, kind: str) -> float:
        await self.host.send(json.dumps({"type": kind}))
        return time.perf_counter()

    async def monitor_lag(self) -> None:
        while not self.done:
            start = time.perf_counter()
            await asyncio.sleep(0.05)
            self.lag.append((time.perf_counter() - start - 0.05) * 1000)

    async def until(self, predicate, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.02)
        return predicate()

    # the game

    async def play(self) -> dict:
        options, stack = self.options, self.stack
        figures: dict = {}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        lag = asyncio.create_task(self.monitor_lag())
        rss_idle = sum(stack.rss_kb())
        cpu_start = stack.cpu_ms()
        await self.host_connect()
        self.make_players()
        started = time.perf_counter()
        for first in range(0, len(self.players), options.batch):
            await asyncio.gather(
                *(self.enter(p) for p in self.players[first : first + options.batch])
            )
        joined = sum(1 for p in self.players if p.joined.done())
        figures["joined"] = joined
        figures["join_failures"] = self.join_failures
        figures["connect_retries"] = self.connect_retries
        figures["join_s"] = round(time.perf_counter() - started, 2)
        rss_full = sum(stack.rss_kb())
        cpu_joined = stack.cpu_ms()
        total = options.questions + 1
        result_ms, delivered = [], []
        for seq in range(1, total + 1):
            self.current_seq = seq
            await self.host_send("start" if seq == 1 else "next")
            await self.until(lambda s=seq: self.delivered(s) >= joined, 30)
            delivered.append(self.delivered(seq) / max(1, joined))
            if options.kill_worker_at == seq:
                await self.until(lambda s=seq: self.acked(s) >= joined // 2, options.seconds)
                stack.kill(options.workers - 1)
            await self.until(lambda s=seq: self.acked(s) >= joined, options.seconds + 5)
            closed = await self.host_send("close")
            await self.until(lambda s=seq: self.resulted(s) >= joined, 30)
            result_ms += [
                (max(p.reveal[seq], p.board[seq]) - closed) * 1000
                for p in self.players
                if seq in p.reveal and seq in p.board
            ]
        redis_kb, room_kb = self.stack.redis_kb()  # the room at its fullest, before the end
        await self.host_send("end")
        await self.until(
            lambda: all(p.finished.done() for p in self.players if p.joined.done()), 30
        )
        cpu_end = stack.cpu_ms()
        self.done = True
        lag.cancel()
        for task in list(self.answer_tasks):
            task.cancel()
        end_usage = resource.getrusage(resource.RUSAGE_SELF)
        game_cpu = [end - mid for end, mid in zip(cpu_end, cpu_joined, strict=True)]
        player_questions = max(1, joined * total)
        playing = [p for p in self.players if p.joined.done()]
        fanout = [ms for seq in range(1, total) for ms in self.fanout.get(seq, [])]
        herd = (max(self.herd_acks) - min(self.herd_sends)) if self.herd_acks else None
        figures.update(
            {
                "fanout_p50_ms": _round(pct(fanout, 0.5)),
                "fanout_p99_ms": _round(pct(fanout, 0.99)),
                "herd_fanout_p99_ms": _round(pct(self.fanout.get(total, []), 0.99)),
                "fanout_p99_ms_by_question": [
                    _round(pct(self.fanout.get(seq, []), 0.99)) for seq in range(1, total + 1)
                ],
                "delivered_pct": round(100 * min(delivered), 2) if delivered else 0,
                "ack_p50_ms": _round(pct(self.ack_ms, 0.5)),
                "ack_p99_ms": _round(pct(self.ack_ms, 0.99)),
                "herd_ack_p99_ms": _round(pct(self.herd_ack_ms, 0.99)),
                "herd_all_acked_s": _round(herd, 3),
                "herd_acked": len(self.herd_acks),
                "result_p99_ms": _round(pct(result_ms, 0.99)),
                "answers_sent": self.answers_sent,
                "answers_accepted": self.answers_accepted,
                "answers_refused": self.refused,
                "reconnects": sum(p.reconnects for p in self.players),
                "points_expected": _mean(
                    played_points(p, total, options.seconds * 1000) for p in playing
                ),
                "points_expected_random": _mean(
                    expected_points(
                        [p.elapsed.get(s) for s in range(1, total + 1)], options.seconds * 1000
                    )
                    for p in playing
                ),
                "server_rss_kb_per_conn": round((rss_full - rss_idle) / max(1, joined), 1),
                "server_cpu_join_s": round(
                    sum(j - s for j, s in zip(cpu_joined, cpu_start, strict=True)) / 1000, 2
                ),
                "server_cpu_game_s": round(sum(game_cpu) / 1000, 2),
                "server_cpu_ms_per_player_question": round(sum(game_cpu) / player_questions, 3),
                "worker_cpu_ms_per_player_question": [
                    round(c / player_questions, 3) for c in game_cpu
                ],
                "loadgen_cpu_s": round(
                    end_usage.ru_utime + end_usage.ru_stime - usage.ru_utime - usage.ru_stime, 2
                ),
                "loadgen_lag_p99_ms": _round(pct(self.lag, 0.99)),
                "redis_used_kb": redis_kb,
                "redis_room_kb": room_kb,
            }
        )
        acked = {(p.player_id, seq) for p in self.players for seq in p.accepted}
        await asyncio.gather(*(_close(p.ws) for p in self.players), _close(self.host))
        return figures, acked

    def delivered(self, seq: int) -> int:
        return sum(1 for p in self.players if seq in p.question)

    def acked(self, seq: int) -> int:
        return sum(1 for p in self.players if seq in p.accepted)

    def resulted(self, seq: int) -> int:
        return sum(1 for p in self.players if seq in p.reveal and seq in p.board)


def _pending() -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


async def _close(ws) -> None:
    if ws is not None:
        with contextlib.suppress(Exception):
            await ws.close()


def _round(value, digits: int = 1):
    return None if value is None else round(value, digits)


# --- one run ------------------------------------------------------------------------------------


@dataclass
class Options:
    players: int = 2000
    questions: int = 5
    stack: str = "production"
    server: str = "uvicorn"
    workers: int = 1
    guests: bool = False
    seconds: int = 20
    window: float = 10.0
    batch: int = 250
    kill_worker_at: int | None = None
    database_url: str = "postgres://postgres@127.0.0.1:5432/postgres"
    keep: bool = False
    runs: int = 1


def player_ids(world: dict, options: Options) -> list[str]:
    if options.guests:
        return [f"g-{n:032x}" for n in range(options.players)]
    from rest_framework.authtoken.models import Token

    users = dict(Token.objects.filter(key__in=world["tokens"].values()).values_list("key", "user"))
    return [f"u{users[world['tokens'][n]]}" for n in range(options.players)]


def run_once(options: Options, stack: Stack, run: int = 1) -> dict:
    world = make_world(options, run)
    ids = player_ids(world, options)
    stack.start_workers()
    room = Room(options, stack, world, ids)
    try:
        figures, acked = _loop_run(room.play())
    except Exception:
        print(stack.logs(), file=sys.stderr)
        raise
    record = the_record(world["contest"], acked)
    return {
        "players": options.players,
        "guests": options.guests,
        "stack": options.stack,
        "server": options.server,
        "workers": options.workers,
        "questions": options.questions,
        **figures,
        **record,
    }


def _loop_run(coroutine):
    """uvloop where installed: the load generator shares this machine's two cores."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


SUMMARY = (
    "joined", "join_s", "fanout_p50_ms", "fanout_p99_ms", "delivered_pct", "ack_p50_ms",
    "ack_p99_ms", "herd_fanout_p99_ms", "herd_ack_p99_ms", "herd_all_acked_s", "result_p99_ms",
    "answers_sent", "answers_accepted", "points_expected_random", "redis_used_kb",
    "answers_stored", "answers_lost", "points_mean", "points_expected", "server_rss_kb_per_conn",
    "server_cpu_ms_per_player_question", "loadgen_cpu_s", "loadgen_lag_p99_ms",
)  # fmt: skip


def summarise(runs: list[dict]) -> dict:
    summary = {k: runs[0][k] for k in ("players", "guests", "stack", "server", "workers")}
    summary["runs"] = len(runs)
    spread = {}
    for name in SUMMARY:
        values = [r[name] for r in runs if r.get(name) is not None]
        if values:
            summary[name] = round(statistics.median(values), 3)
            spread[name] = [min(values), max(values)]
    summary["recount_equal"] = all(r["recount_equal"] for r in runs)
    summary["worker_cpu_ms_per_player_question"] = [
        statistics.median(values)
        for values in zip(*(r["worker_cpu_ms_per_player_question"] for r in runs), strict=True)
    ]
    summary["spread"] = spread
    return summary


def parse(argv=None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--stack", choices=["embedded", "production"], default="production")
    parser.add_argument("--server", choices=sorted(SERVERS), default="uvicorn")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--guests", action="store_true")
    parser.add_argument("--seconds", type=int, default=20, help="the countdown per question")
    parser.add_argument("--window", type=float, default=10.0, help="answers come in this window")
    parser.add_argument("--batch", type=int, default=250, help="connects ramped in batches")
    parser.add_argument("--kill-worker-at", type=int, default=None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", Options.database_url),
        help="the PostgreSQL server for the scratch database (or sqlite: for a file)",
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (worker logs)")
    args = parser.parse_args(argv)
    options = Options(**vars(args))
    if options.stack == "embedded" and options.workers != 1:
        parser.error("the embedded stack has one worker (its channel layer is in memory)")
    if options.kill_worker_at and options.workers < 2:
        parser.error("--kill-worker-at needs at least two workers")
    return options


def main(argv=None) -> None:
    options = parse(argv)
    stack = Stack(options)
    runs = []
    try:
        stack.start_services()
        stack.setup_django()
        for run in range(1, options.runs + 1):
            result = run_once(options, stack, run)
            runs.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            for process in stack.workers:
                if process is not None:
                    process.terminate()
                    process.wait(timeout=20)
            stack.workers, stack.ports = [], []
    finally:
        stack.stop()
    if len(runs) > 1:
        print(json.dumps(summarise(runs), ensure_ascii=False))


if __name__ == "__main__":
    main()
