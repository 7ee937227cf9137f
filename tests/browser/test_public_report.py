"""The public's side in a real browser: report a crime, keep the code, follow the case."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from safercity.cases.store import cases
from safercity.platform.db import Database
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^SC-[0-9A-Z]{4}-[0-9A-Z]{4}$")
CODE = re.compile(r"^[A-Z2-7]{5}-[A-Z2-7]{5}$")


def _reports(db: Database) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


def _fill_quickly(page: Page, name: str = "Sam Taylor") -> None:
    """A valid report, filled the fast way (for tests about something else)."""
    page.select_option("#f-crime-type", "Bicycle theft")
    page.fill("#f-description", "My bike was taken from the rack outside the station.")
    page.fill("#f-occurred-from", "2026-11-22T08:15")
    page.fill("#f-location-text", "Peckham Rye station, SE15")
    page.fill("#f-victim-name", name)
    page.check("#f-victim-preferred-channel")  # the first channel: email
    page.fill("#f-victim-email", "sam.taylor@example.com")


def _wait_for_map(page: Page) -> None:
    expect(page.locator("#f-location-latitude[data-ready=true]")).to_be_attached()


def test_a_victim_reports_by_keyboard_and_mouse_then_follows_the_case(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    page.goto("/report")
    expect(page.get_by_role("region", name="Emergency")).to_contain_text("999")

    # A first try with mistakes: each is named at the top and next to its field.
    page.fill("#f-description", "Bike gone")
    page.fill("#f-victim-email", "sam.taylor-at-example.com")
    page.check("#f-victim-preferred-channel")
    page.get_by_role("button", name="Send report").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#f-description-error")).to_contain_text("at least 10 characters")
    expect(page.locator("#f-description")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-victim-email-error")).to_contain_text("name@example.com")
    expect(page.locator("#f-crime-type-error")).to_be_visible()
    expect(page.locator("#f-description")).to_have_value("Bike gone")  # answers are kept
    summary.get_by_role("link", name=re.compile("at least 10 characters")).click()
    expect(page.locator("#f-description")).to_be_focused()

    # Now properly, mostly from the keyboard.
    page.keyboard.press("Control+A")
    page.keyboard.type("Two men took my bike from the rack and rode off towards the park.")
    page.locator("#f-crime-type").focus()
    page.keyboard.type("Bicy")
    expect(page.locator("#f-crime-type")).to_have_value("Bicycle theft")
    page.fill("#f-occurred-from", "2026-11-22T18:30")
    page.locator("#f-location-text").focus()
    page.keyboard.type("Outside 12 Acacia Avenue, SE15")

    # The pin: a click with the mouse, then moved with the keyboard alone.
    _wait_for_map(page)
    page.locator("#f-location-latitude").click(position={"x": 300, "y": 200})
    expect(page.locator("#map-status")).to_contain_text("Pin placed in")
    first = page.input_value("#location-latitude"), page.input_value("#location-longitude")
    page.locator("#f-location-latitude").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#location-latitude")).not_to_have_value(first[0])
    expect(page.locator("#map-status")).to_contain_text("Pin placed")
    page.get_by_role("button", name="Use the map centre").press("Enter")

    page.locator("#f-victim-name").focus()
    page.keyboard.type("Sam Taylor")
    page.locator("#f-victim-email").fill("")
    page.keyboard.type("sam.taylor@example.com")
    page.locator("#f-enhanced-rights-under-18").focus()
    page.keyboard.press("Space")  # "Yes"
    expect(page.locator("#f-enhanced-rights-under-18")).to_be_checked()
    page.get_by_role("button", name="Send report").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your report has been sent")).to_be_visible()
    reference = page.locator("#crime-reference").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    assert REFERENCE.match(reference) and CODE.match(code)
    expect(page.get_by_text("Keep the code private")).to_be_visible()
    assert _reports(db) == 1

    # Following it: a wrong code is refused like an unknown reference, the right one opens it.
    page.get_by_role("link", name="the tracking page").click()
    page.fill("#f-reference", reference)
    page.fill("#f-tracking-code", "AAAAA-BBBBB")
    page.get_by_role("button", name="Show my report").click()
    expect(page.locator("#error-summary")).to_contain_text("No report matches")
    page.fill("#f-tracking-code", code)
    page.get_by_role("button", name="Show my report").click()
    assert code not in page.url and page.url.endswith("/track")
    expect(page.locator("#case-status")).to_have_text("Reported, awaiting review")
    expect(page.locator("#timeline")).to_contain_text("Report received")
    expect(page.locator("#message-who")).to_contain_text("will read this within")

    page.get_by_label("A message or question for the officer").check()
    page.get_by_label("Your information or message").fill(
        "My neighbour's doorbell camera saw them."
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your message has been sent")
    expect(page.locator("#timeline")).to_contain_text("You sent a message")


def test_a_double_click_or_a_resent_form_gives_one_report(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    page.goto("/report")
    _fill_quickly(page)
    # The server's side: the same form posted twice at once gives one report, twice.
    bodies = page.evaluate(
        """async () => {
            const body = new URLSearchParams(new FormData(document.getElementById("report-form")));
            const send = () => fetch("/report", {method: "POST", body}).then(r => r.text());
            return Promise.all([send(), send()]);
        }"""
    )
    references = {re.search(r'id="crime-reference">([^<]+)<', body)[1] for body in bodies}
    assert len(references) == 1
    # The browser's side: a double click sends once, and the same key gives the same report.
    page.get_by_role("button", name="Send report").dblclick()
    expect(page.locator("#crime-reference")).to_have_text(references.pop())
    assert _reports(db) == 1


def test_the_form_is_usable_on_a_phone(
    phone_page: Page, live_server: LiveServer, db: Database
) -> None:
    page = phone_page
    page.goto("/report")
    expect(page.get_by_role("region", name="Emergency")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    _fill_quickly(page, name="Alex Morgan")
    _wait_for_map(page)
    page.locator("#f-location-latitude").tap()
    expect(page.locator("#map-status")).to_contain_text("Pin placed")
    button = page.get_by_role("button", name="Send report")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    button.tap()
    expect(page.locator("#crime-reference")).to_have_text(REFERENCE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _reports(db) == 1


def test_the_form_sends_without_javascript(
    open_page: Callable[..., Page], live_server: LiveServer, db: Database
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/report")
    expect(page.locator("#f-location-latitude")).to_be_hidden()  # no map without scripts
    _fill_quickly(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#crime-reference")).to_have_text(REFERENCE)
    assert _reports(db) == 1
