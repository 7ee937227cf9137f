"""Browser tests: a real server on 127.0.0.1 and Debian's chromium driven by Playwright.

One server and one browser serve the whole session (starting them is the slow part); every test
gets emptied tables (through the shared ``db`` fixture), a clock set back to the start, and a
fresh browser context, so no cookie or record leaks from one test into the next. Every page
refuses and reports any request that would leave 127.0.0.1: the pages must work offline.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

from safercity.platform.clock import FixedClock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.web.app import create_app
from safercity.web.bootstrap import build_context
from tests.conftest import SIGNING_KEY, START

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1"}
# Long enough for a slow CI machine; short enough that a broken page fails fast.
DEFAULT_TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    """The platform served over HTTP for the browser: its address, wiring and clock."""

    url: str
    ctx: AppContext
    clock: FixedClock


@dataclass
class PageGuard:
    """What a page did that it must not: requests off this machine, and script errors."""

    outside_requests: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="package")
def _served(
    database_url: str, session_db: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Uvicorn in a background thread, with the outbox delivery loop running, on a free port.
    Stopped after the browser tests, so its loop never delivers other tests' messages."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("live"),
        database_url=database_url,
        secret_key=SIGNING_KEY,
    )
    clock = FixedClock(START)
    ctx = build_context(settings, clock)
    ctx.db.dispose()
    ctx.db = session_db  # one engine for server and tests, as in the ``ctx`` fixture
    sock = _free_socket()
    config = uvicorn.Config(
        create_app(ctx, deliver_outbox=True),
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("The live server did not start.")
        time.sleep(0.02)
    port = sock.getsockname()[1]
    yield LiveServer(url=f"http://127.0.0.1:{port}", ctx=ctx, clock=clock)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def live_server(_served: LiveServer, db: Database) -> LiveServer:
    """The running server, on emptied tables (``db`` empties them) and a clock back at START."""
    _served.clock.set(START)
    return _served


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, launched once for the session (never Playwright's own download)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium).")
    launched = playwright.chromium.launch(
        executable_path=executable, args=CHROMIUM_ARGS, headless=True
    )
    yield launched
    launched.close()


def _guard(context: BrowserContext, guard: PageGuard) -> None:
    def refuse_outside(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            guard.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", refuse_outside)


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh context (own cookies) on the live server; checks it afterwards.

    Keyword arguments go to ``browser.new_context`` (e.g. ``viewport``, ``is_mobile``).
    """
    opened: list[tuple[BrowserContext, PageGuard]] = []

    def _open(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **options
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        guard = PageGuard()
        _guard(context, guard)
        page = context.new_page()
        page.on("pageerror", lambda error: guard.script_errors.append(str(error)))
        opened.append((context, guard))
        return page

    yield _open
    for context, guard in opened:
        context.close()
        assert guard.outside_requests == [], "pages must never reach beyond 127.0.0.1"
        assert guard.script_errors == [], "pages must run without script errors"


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A desktop-sized page on the live server."""
    return open_page()


@pytest.fixture
def phone_page(open_page: Callable[..., Page]) -> Page:
    """A page the size of a phone (390 x 844), with touch."""
    return open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
