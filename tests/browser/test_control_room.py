"""The 999 control room in a real browser: take a call, accept the recommendation by keyboard,
see a second caller offered as a duplicate and merge it, and watch the unit move on the board.

The server's status clock runs as in production (every 2 s); the test moves the server's clock
past the ambulance's turnout, and the board shows it en route without a reload.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, WATERLOO, seed_fleet, seed_staff

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 15_000


def _sign_in(page: Page) -> None:
    page.goto("/staff/999")
    page.get_by_label("Username").fill("handler")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="999 control room")).to_be_visible()


def _take_call(page: Page, *, number: str, lat: float, lon: float, what: str) -> None:
    form = page.locator("#intake-form")
    form.get_by_label("Caller's name").fill("Sam Taylor")
    form.get_by_label("Callback number").fill(number)
    form.get_by_label("Address or place").fill("County Hall, SE1 7PB")
    form.get_by_label("Latitude").fill(f"{lat}")
    form.get_by_label("Longitude").fill(f"{lon}")
    form.get_by_label("What is happening").fill(what)
    form.get_by_label("Incident type").select_option(label="Cardiac or respiratory arrest")
    form.get_by_label("Is the patient conscious?").select_option("no")
    form.get_by_label("Is the patient breathing normally?").select_option("no")
    form.get_by_role("button", name="Take the call").click()


def test_take_a_call_merge_a_duplicate_dispatch_and_watch_the_unit(
    page: Page, live_server: LiveServer
) -> None:
    seed_staff(live_server.ctx.db, live_server.clock)
    seed_fleet(live_server.ctx.db, live_server.clock)
    _sign_in(page)
    expect(page.locator("#live-status")).to_have_text(re.compile("Live"), timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#board-map")).to_have_attribute("data-ready", "true")

    # A click on the map places the caller's pin and fills the coordinates.
    page.locator("#board-map").click(position={"x": 200, "y": 200})
    expect(page.locator("#f-lat")).to_have_value(re.compile(r"^51\.\d+"))

    _take_call(page, number="07700 900123", lat=WATERLOO[0], lon=WATERLOO[1], what="Collapsed")
    panel = page.locator("#incident-panel")
    expect(panel.get_by_role("heading", name="#1 Cardiac or respiratory arrest")).to_be_visible()
    expect(panel.get_by_label("AMB1 Ambulance")).to_be_checked()

    # Accept with one key (it sends the form: wait for the page it leads to, or a live update
    # may show "Dispatched" on the old page while the new one is still loading).
    with page.expect_navigation():
        page.locator("body").press("a")
    expect(panel.locator('[data-unit-status="AMB1"]')).to_have_text("Dispatched")
    expect(page.locator("#queue")).to_contain_text("AMB1 (dispatched)")

    # A second caller a few metres away: offered as a likely duplicate, then merged.
    page.locator("body").press("n")
    expect(page.locator("#f-caller-name")).to_be_focused()
    _take_call(page, number="07700 900456", lat=51.5036, lon=-0.1193, what="Man down by the door")
    expect(panel.get_by_role("heading", name="#2 Cardiac or respiratory arrest")).to_be_visible()
    expect(panel.locator("#duplicates")).to_contain_text("Incident #1")
    expect(page.locator("#queue")).to_contain_text("Likely duplicate of #1")
    panel.get_by_role("button", name="Merge into #1").click()
    expect(panel.get_by_role("heading", name="#1 Cardiac or respiratory arrest")).to_be_visible()
    expect(panel.get_by_role("heading", name="Calls (2)")).to_be_visible()
    expect(page.locator("#queue .queue-item")).to_have_count(1)

    # The crew turns out: the status clock moves AMB1 on, and the board shows it live.
    live_server.clock.advance(timedelta(seconds=90))
    expect(panel.locator('[data-unit-status="AMB1"]')).to_have_text(
        "En route", timeout=LIVE_TIMEOUT_MS
    )
    expect(page.locator("#queue")).to_contain_text("AMB1 (en route)", timeout=LIVE_TIMEOUT_MS)


def test_the_control_room_works_on_a_phone(open_page: object, live_server: LiveServer) -> None:
    seed_staff(live_server.ctx.db, live_server.clock)
    seed_fleet(live_server.ctx.db, live_server.clock)
    from tests.browser.conftest import PHONE

    assert callable(open_page)
    phone: Page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _sign_in(phone)
    _take_call(phone, number="07700 900123", lat=WATERLOO[0], lon=WATERLOO[1], what="Collapsed")
    expect(phone.get_by_role("button", name=re.compile("Accept and send"))).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the page must not scroll sideways on a phone"
