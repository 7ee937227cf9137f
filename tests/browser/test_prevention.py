"""Prevention in a real browser: a resident registers for warnings by keyboard and sees the
warning after a burglary nearby; an analyst reads the forecast map, the backtest and the Knox
table, and downloads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from safercity.prevention import events, police_uk, warnings
from tests.api.test_prevention_analysis import write_year
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, recorded_burglary, seed_staff

pytestmark = pytest.mark.browser
FIXTURE = Path(__file__).parent.parent / "data" / "prevention" / "police_uk"


def _fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_resident_registers_by_keyboard_and_sees_a_warning_with_advice(
    phone_page: Page, live_server: LiveServer
) -> None:
    page = phone_page
    page.goto("/prevention")
    expect(page.locator("#warnings")).to_contain_text("No warnings are in force")
    page.get_by_label("Name (a household, group or organisation)").fill("Flat 3")
    page.get_by_label("Email address or mobile number").fill("resident@example.org")
    page.get_by_label("Or your borough").select_option("Southwark")
    page.get_by_label("Email address or mobile number").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You are registered")).to_be_visible()
    assert _fits_the_width(page)

    db, clock = live_server.ctx.db, live_server.clock
    events.import_files(db, clock, [FIXTURE], police_uk.ImportReport())
    recorded_burglary(db, clock, seed_staff(db, clock), 51.4739, -0.0911)
    events.sync_platform_crimes(db, clock, "k", on_new=warnings.warn_neighbours)
    page.goto("/prevention?borough=Southwark")
    warning = page.locator(".warning").first
    expect(warning).to_contain_text("Burglary near")
    expect(warning).to_contain_text("Lock doors and windows")
    cap = page.request.get(warning.get_by_role("link").get_attribute("href") or "")
    assert cap.ok and b"urn:oasis:names:tc:emergency:cap:1.2" in cap.body()


def test_an_analyst_reads_the_forecast_backtest_and_knox_and_downloads_them(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    db, clock = live_server.ctx.db, live_server.clock
    write_year(tmp_path)
    events.import_files(db, clock, [tmp_path], police_uk.ImportReport())
    seed_staff(db, clock)
    page.goto("/analysis/prevention")
    page.get_by_label("Username").fill("supervisor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Crime analysis and forecasts")).to_be_visible()
    expect(page.locator("#forecast-status")).to_contain_text("highlighted cells", timeout=30_000)
    expect(page.locator("#backtest-table")).to_contain_text("(the default)", timeout=30_000)
    expect(page.locator("#knox-table")).to_contain_text("the same month", timeout=30_000)
    expect(page.locator("#knox-reading")).not_to_be_empty()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download the cells (CSV)").click()
    assert csv_download.value.suggested_filename == "forecast.csv"
    with page.expect_download() as png_download:
        page.get_by_role("button", name="Download the map (PNG)").click()
    assert png_download.value.suggested_filename == "forecast.png"
    saved = tmp_path / "map.png"
    png_download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as table_png:
        page.locator("#backtest").get_by_role("button", name="Download as PNG").click()
    assert table_png.value.suggested_filename == "backtest.png"
