"""A domestic-abuse case through the safeguarding hub in a real browser.

The police record the victim and the incident, complete a DASH with 15 "yes" answers (partly by
keyboard), and make the Marac referral the result asks for. The domestic-abuse charity and the
council then see exactly what their agreements allow, a school sees nothing, and the
supervisor's audit trail shows each of those accesses, the school's refusal included.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, LiveServer
from tests.factories import PASSWORD, seed_hub

pytestmark = pytest.mark.browser

DA = "Domestic abuse (Marac)"


def _sign_in(page: Page, username: str, then: str = "/safeguarding") -> None:
    page.goto(f"/staff/sign-in?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"**{then}*")


def _fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_domestic_abuse_case_from_dash_to_marac_with_need_to_know(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    seed_hub(live_server.ctx.db, live_server.clock)

    # The police record the victim and the incident.
    police = open_page()
    _sign_in(police, "sg_investigator")
    police.get_by_role("link", name="Add a person").click()
    police.get_by_label("Purpose").select_option(label=DA)
    police.get_by_label("Given name").fill("Maya")
    police.get_by_label("Family name").fill("Singh")
    police.get_by_label("Address").fill("1 Example Road, SE15")
    police.get_by_label("Safe phone number").fill("07700 900123")
    police.get_by_role("button", name="Add the person").click()
    expect(police.get_by_role("heading", name="Maya Singh")).to_be_visible()
    ref = police.locator("p.meta strong").inner_text()
    police.get_by_text("Add a chronology event").click()
    police.locator("#f-event-occurred-on").fill("2026-11-22")
    police.locator("#f-event-summary").fill("Assaulted by her partner at home; police attended")
    police.locator("form:has(#f-event-summary)").get_by_role("button", name="Add").click()
    expect(police.get_by_text("Assaulted by her partner at home")).to_be_visible()

    # DASH: the first three answers by keyboard (Space chooses a radio), the rest by clicking.
    police.get_by_role("link", name="Domestic abuse risk (DASH)").click()
    for number in range(1, 4):
        police.locator(f"#q{number}-yes").focus()
        police.keyboard.press("Space")
    expect(police.locator("#q3-yes")).to_be_checked()
    for number in range(4, 28):
        police.locator(f"#q{number}-{'yes' if number <= 15 else 'no'}").check()
    police.get_by_role("button", name="Score the checklist").click()
    expect(police.locator("#risk-level")).to_have_text("High risk")
    expect(police.locator("#yes-count")).to_contain_text("15 of 27")

    # The Marac referral, to the domestic-abuse charity, with her consent.
    police.get_by_role("link", name="Make the Marac referral").click()
    expect(police.get_by_label("Person (hub reference)")).to_have_value(ref)
    expect(police.get_by_label("Refer to")).to_have_value("SOLACE")
    police.get_by_label("The person has consented to this referral").check()
    police.get_by_role("button", name="Make the referral").click()
    expect(police.locator("#person-referrals")).to_contain_text("MPS → SOLACE")

    # The charity: the name, safe phone, flag and risk level; the rest withheld, by name.
    charity = open_page()
    _sign_in(charity, "sg_idva")
    charity.get_by_label("Name or reference").fill("Maya")
    charity.get_by_label("Purpose").select_option(label=DA)
    charity.get_by_role("button", name="Search").click()
    charity.get_by_role("link", name=f"Maya Singh ({ref})").click()
    identity = charity.locator('article[data-kind="identity"]')
    expect(identity.locator('[data-field="phone"]')).to_have_text("07700 900123")
    expect(identity.locator('[data-field="address"]')).to_have_count(0)
    expect(identity).to_contain_text("Withheld under the agreement: address")
    expect(charity.locator('article[data-kind="dash"] [data-field="risk_level"]')).to_have_text(
        "high"
    )
    expect(charity.locator('article[data-kind="event"]')).to_have_count(0)  # no chronology
    expect(charity.locator("#person-referrals")).to_contain_text("MPS → SOLACE")

    # The council: the address and the chronology, the risk level, never the DASH answers.
    council = open_page()
    _sign_in(council, "sg_socialworker")
    council.goto(f"/safeguarding/people/{ref}?purpose=domestic_abuse_marac")
    expect(council.locator('[data-field="address"]')).to_have_text("1 Example Road, SE15")
    expect(council.locator('article[data-kind="event"]')).to_contain_text("Assaulted by her")
    dash = council.locator('article[data-kind="dash"]')
    expect(dash.locator('[data-field="risk_level"]')).to_have_text("high")
    expect(dash.locator('[data-field="answers"]')).to_have_count(0)
    expect(dash).to_contain_text("answers")  # named as withheld

    # A school: nothing, by search or by address.
    school = open_page()
    _sign_in(school, "sg_dsl")
    school.get_by_label("Name or reference").fill("Maya")
    school.get_by_label("Purpose").select_option(label="Safeguarding a child")
    school.get_by_role("button", name="Search").click()
    expect(school.locator("#no-results")).to_be_visible()
    response = school.goto(f"/safeguarding/people/{ref}?purpose=domestic_abuse_marac")
    assert response is not None and response.status == 404
    expect(school.get_by_text("Maya")).to_have_count(0)

    # The supervisor's audit trail: each of those accesses, the school's refusal included.
    supervisor = open_page()
    _sign_in(supervisor, "sg_supervisor")
    supervisor.goto(f"/safeguarding/people/{ref}/audit")
    trail = supervisor.locator("#audit-trail")
    for actor in ("sg_investigator@MPS", "sg_idva@SOLACE", "sg_socialworker@SOUTHWARK"):
        expect(trail.locator("tr", has_text=actor).first).to_be_visible()
    expect(trail.locator("tr.denied", has_text="sg_dsl@SCH-PECKHAM").first).to_be_visible()
    expect(
        trail.locator("tr", has_text="disclosure").filter(has_text="Referral 1 to")
    ).to_contain_text("SOLACE")

    # The same record on a phone: no sideways scrolling.
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    _sign_in(phone, "sg_investigator")
    phone.goto(f"/safeguarding/people/{ref}?purpose=domestic_abuse_marac")
    expect(phone.get_by_role("heading", name="Maya Singh")).to_be_visible()
    assert _fits_the_width(phone)
