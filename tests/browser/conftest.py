"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live
server. A missing Chromium is a skip with its reason here and a failure under CI=true."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.db.transaction import Atomic
from django.test.testcases import LiveServerThread

# The test body touches the ORM while Playwright's sync API runs an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# The live server shares the test's in-memory SQLite connection (Django hands it to the
# server's threads), and one connection used by two threads at once breaks: a page's pulse
# arriving while a form posts gave "cannot start a transaction within a transaction". So
# the connection is used by one thread at a time: the server holds this lock for a whole
# request, and the test's own queries and transactions take it too (the fixture below).
SHARED_CONNECTION = threading.RLock()


class OneRequestAtATime(ThreadedWSGIServer):
    """Each request, body and close included, holds the lock (not each connection: the
    browser keeps its connections open between requests)."""

    def set_app(self, application):  # type: ignore[no-untyped-def]
        def in_turn(environ, start_response):  # type: ignore[no-untyped-def]
            with SHARED_CONNECTION:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(in_turn)


LiveServerThread.server_class = OneRequestAtATime


def _one_query_at_a_time(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    with SHARED_CONNECTION:
        return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def shared_connection_taken_in_turn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test's transactions hold the lock from their start to their end, so a request
    never lands inside one (nor one inside a request). Set up before a test's pages and
    torn down after them: a poll a page had in flight (the conversation's pulse) ends
    before the test flushes the tables."""
    enter, leave = Atomic.__enter__, Atomic.__exit__

    def enter_in_turn(self: Atomic) -> None:
        SHARED_CONNECTION.acquire()
        try:
            enter(self)
        except BaseException:
            SHARED_CONNECTION.release()
            raise

    def leave_in_turn(self: Atomic, *exc: object) -> None:
        try:
            leave(self, *exc)  # type: ignore[arg-type]
        finally:
            SHARED_CONNECTION.release()

    monkeypatch.setattr(Atomic, "__enter__", enter_in_turn)
    monkeypatch.setattr(Atomic, "__exit__", leave_in_turn)
    with connection.execute_wrapper(_one_query_at_a_time):
        yield
    with SHARED_CONNECTION:
        pass


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):  # type: ignore[no-untyped-def]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1360, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    """Leave the desk before dropping the cookies: a poll the open page still sends (the
    conversation's pulse, the coach) would otherwise be redirected to /login/ without a
    cookie and set a fresh CSRF cookie under the sign-in form that was just loaded."""
    page.goto("about:blank")
    page.context.clear_cookies()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session", autouse=True)
def _migration_guard_passes() -> None:
    """pytest-django's live server builds its handler, and so the migration guard's
    start-up check, before a test may touch the database; the test database is migrated
    by pytest-django, so the guard is told so instead of reading it."""
    from calmdesk.ops.middleware import MigrationGuardMiddleware

    MigrationGuardMiddleware.migrated = True
