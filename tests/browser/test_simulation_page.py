"""Open choices in a real browser: sign in, pick two scenarios by keyboard, run them, watch the
progress update in place, then see the comparison; and the pages at a phone's size.

The live server runs simulations as in production, in a process of their own. The scenario
loader is replaced by one that waits at a gate (so the test sees the run in progress) and then
scales London's demand down, so the run takes about a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from safercity.simulation import jobs
from safercity.simulation.scenario import Scenario
from tests.api.test_simulation_api import tiny_loader
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, seed_staff

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 30_000
TODAY = "London today: one joint 999 service"
SEPARATE = "Three separate control rooms"


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Opened by the test: until then a run stays at its start, marked running."""
    opened = threading.Event()
    tiny = tiny_loader()

    def load(name: str) -> Scenario:
        opened.wait(timeout=60)
        return tiny(name)

    monkeypatch.setattr(jobs, "load_scenario", load)
    yield opened
    opened.set()


def _fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_pick_two_scenarios_by_keyboard_run_them_and_see_the_comparison(
    page: Page,
    open_page: Callable[..., Page],
    live_server: LiveServer,
    gate: threading.Event,
) -> None:
    seed_staff(live_server.ctx.db, live_server.clock)
    page.goto("/analysis/simulations")
    page.get_by_role("link", name="Sign in to run a simulation").click()
    page.get_by_label("Username").fill("investigator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Open choices: compare scenarios")).to_be_visible()

    # By keyboard: Space ticks a box, Tab moves on, Enter in a field sends the form.
    page.get_by_role("checkbox", name=TODAY).focus()
    page.keyboard.press("Space")
    separate = page.get_by_role("checkbox", name=SEPARATE)
    separate.focus()
    page.keyboard.press("Space")
    expect(separate).to_be_checked()
    days = page.get_by_label("Days to simulate")
    days.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Seed")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + "/analysis/simulations/1")
    run = page.locator("#run")
    page.evaluate("window.notReloaded = true")
    expect(run).to_have_attribute("data-status", "running", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#run-progress-text")).to_contain_text(
        f"Scenario 1 of 2, {TODAY}: simulating day 1 of 2"
    )

    gate.set()
    expect(run).to_have_attribute("data-status", "done", timeout=RUN_TIMEOUT_MS)
    assert page.evaluate("window.notReloaded") is True, "the status updates without a reload"
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text(TODAY)
    expect(comparison).to_contain_text(SEPARATE)
    expect(page.get_by_role("link", name="Key figures (CSV)")).to_be_visible()

    # The same page on a phone, signed out: it is public, and nothing runs off the screen.
    phone = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto("/analysis/simulations/1")
    expect(phone.locator("#run")).to_have_attribute("data-status", "done")
    assert _fits_the_width(phone)
    phone.goto("/analysis/simulations")
    expect(phone.get_by_role("link", name="Run 1")).to_be_visible()
    assert _fits_the_width(phone)


def test_a_mistake_comes_back_beside_its_field(
    page: Page, live_server: LiveServer, gate: threading.Event
) -> None:
    seed_staff(live_server.ctx.db, live_server.clock)
    page.goto("/staff/sign-in?next=/analysis/simulations")
    page.get_by_label("Username").fill("handler")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Run the simulation").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Choose at least one scenario").click()
    expect(page.locator("#f-scenarios-error")).to_be_visible()
