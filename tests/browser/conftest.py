"""
Browser tests: Debian's Chromium, driven by Playwright, against a real Daphne
server started as a subprocess on the test database (so what the browser sees
is what `make run` serves: ASGI, WhiteNoise, the real middleware).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
SERVER_APP_NAME = "jiangtang-test-server"


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVERS = {
    "daphne": ["-m", "daphne", "-b", "127.0.0.1", "-p", "{port}"],
    "uvicorn": [
        "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}", "--lifespan", "off",
    ],
}  # fmt: skip


def _serve(server: str, settings):
    """The application under ``server`` (its log in ``ARTIFACTS/<server>.log``):
    yields its base URL, stops it afterwards."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        # Beat every second so that a test's minute of study takes seconds.
        "LECTURE_HEARTBEAT_SECONDS": "1",
        "JIANGTANG_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # libpq names the server's PostgreSQL sessions, so that the teardown waits
        # for those alone (the test process keeps a pool of its own open)
        "PGAPPNAME": SERVER_APP_NAME,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    # The server's own log goes to a file: read it when a test fails. (A pipe that
    # nobody reads would fill up and stall the server.)
    log = (ARTIFACTS / f"{server}.log").open("ab")
    arguments = [a.format(port=port) for a in SERVERS[server]]
    process = subprocess.Popen(
        [sys.executable, *arguments, "backend.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{server} did not come up; see {ARTIFACTS / f'{server}.log'}")
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    _wait_for_server_sessions_to_end()


@pytest.fixture
def daphne_server(transactional_db, settings):
    yield from _serve("daphne", settings)


@pytest.fixture
def uvicorn_server(transactional_db, settings):
    """The production server (Dockerfile, docker-compose.yml)."""
    yield from _serve("uvicorn", settings)


def _wait_for_server_sessions_to_end(timeout: float = 10.0) -> None:
    """PostgreSQL ends a dead client's session asynchronously; the test database can
    only be dropped (or flushed without waiting on locks) once it has. Only the
    server's sessions count: the test process's own pool stays open."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s",
                [SERVER_APP_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium missing: run `make test` (scripts/ensure-browser)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, the test's ORM calls get connections of their
        # own (asgiref's context-local); close them here, in that same context.
        connections.close_all()


@pytest.fixture
def phone(browser):
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def new_page(browser, viewport: dict, **options):
    """A page in a new Chinese context of ``viewport`` (a phone's, touch and 2× pixels,
    below 800 px wide); its console errors and uncaught exceptions collect in
    ``page.console_errors``. ``options`` go to the context (``accept_downloads``…);
    close ``page.context`` when done."""
    mobile = viewport["width"] < 800
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if mobile else 1,
        is_mobile=mobile,
        has_touch=mobile,
        locale="zh-CN",
        **options,
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def sign_in(page, base: str, username: str) -> None:
    """Signs ``page`` in on the login page as ``username`` (the factories' PASSWORD)."""
    from ..factories import PASSWORD

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def admin_page(browser, base: str, username: str, viewport: dict):
    """A page signed in to the Django admin as ``username`` (whose password is the
    factories' PASSWORD), in a new Chinese context of ``viewport``; close its
    ``context`` when done."""
    from ..factories import PASSWORD

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(base + "/admin/")
    return page
