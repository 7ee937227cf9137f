"""The whole journey in a real browser: a crime report followed from the public to the court.

Everyone who touches the case works in their own browser (own cookies): the victim reports and
follows it; a call handler records it; a supervisor allocates it; the investigator arrests,
interviews and charges; the prosecutor accepts the file; the court clerk lists a hearing and
records the result. The server's clock moves on through working days between steps, so staff
sign in again after 30 idle minutes and every Victims' Code deadline is a real one. The outbox
delivery loop runs as in production; before time moves on, the test waits for each update to
show as sent on a staff page, as the people watching the Code would.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from safercity.cases import store, update_store
from safercity.cases.victims_code import UpdateEvent
from safercity.platform.outbox import DeliveryStatus, outbox_messages
from safercity.platform.workdays import LONDON
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, seed_staff

pytestmark = pytest.mark.browser

VICTIM_EMAIL = "priya.shah@example.com"
# The outbox loop runs every 2 s; allow for a slow machine.
DELIVERY_TIMEOUT_S = 15
# What the Code owes this victim (standard rights): news about the suspect within 5 working
# days, the hearing and the court's result within 1, each due by the end of a London working
# day. (event, when it happened and was delivered, due by)
OWED = (
    ("Suspect arrested", "Tue 24 Nov 2026, 10:00", "Tue 1 Dec 2026, 23:59"),
    ("Suspect interviewed under caution", "Tue 24 Nov 2026, 15:30", "Tue 1 Dec 2026, 23:59"),
    ("Suspect charged", "Wed 25 Nov 2026, 11:00", "Wed 2 Dec 2026, 23:59"),
    ("Court hearing listed", "Thu 26 Nov 2026, 14:00", "Fri 27 Nov 2026, 23:59"),
    ("Court result", "Mon 7 Dec 2026, 15:00", "Tue 8 Dec 2026, 23:59"),
)


def london(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in 2026 as a Londoner would say it."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


@dataclass
class Person:
    """Someone using the platform in their own browser."""

    page: Page
    username: str = ""
    signed_in: bool = False

    def go(self, path: str) -> Page:
        """Open a staff page, signing in first when there is no session or it went idle."""
        self.page.goto(path)
        if "/staff/sign-in" in self.page.url:
            if self.signed_in:  # the clock moved on: sessions end after 30 idle minutes
                expect(notice(self.page)).to_contain_text("30 minutes without activity")
            self.signed_in = True
            self.page.get_by_label("Username").fill(self.username)
            self.page.get_by_label("Password").fill(PASSWORD)
            self.page.get_by_role("button", name="Sign in").click()
        expect(self.page).to_have_url(re.compile(re.escape(path) + r"$"))
        return self.page


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def case_status(page: Page) -> Locator:
    return page.locator(".case-header .badge").first


def notice(page: Page) -> Locator:
    return page.get_by_role("status")


def wait_until_sent(page: Page, rows: Locator, event: str) -> None:
    """Reload until the event's update shows as sent on time (the outbox loop delivers it)."""
    row = rows.filter(has_text=event)
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while row.filter(has_text="Sent on time").count() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        page.reload()
    expect(row).to_contain_text("Sent on time")


def report_online(victim: Page) -> tuple[str, str]:
    """The public's report, by email preference; returns the crime reference and the code."""
    victim.goto("/report")
    victim.get_by_label("What kind of crime was it?").select_option("Bicycle theft")
    victim.get_by_label("Tell us what happened").fill(
        "My bike was cut from the rack outside the station. A man in a red jacket rode it off."
    )
    victim.get_by_label("From (date and time)").fill("2026-11-22T18:30")
    victim.get_by_label("Address, postcode or description of the place").fill(
        "Bike rack outside Peckham Rye station, SE15"
    )
    victim.get_by_label("Victim's full name").fill("Priya Shah")
    victim.get_by_label("Email", exact=True).check()
    victim.get_by_label("Email address").fill(VICTIM_EMAIL)
    victim.get_by_role("button", name="Send report").click()
    expect(victim.get_by_role("heading", name="Your report has been sent")).to_be_visible()
    reference = victim.locator("#crime-reference").inner_text().strip()
    code = victim.locator("#tracking-code").inner_text().strip()
    return reference, code


def open_tracking(victim: Page, reference: str, code: str) -> None:
    victim.goto("/track")
    victim.get_by_label("Crime reference").fill(reference)
    victim.get_by_label("Tracking code").fill(code)
    victim.get_by_role("button", name="Show my report").click()
    expect(heading(victim)).to_contain_text(reference)


def record_as_crime(handler: Person, reference: str) -> None:
    page = handler.go("/staff/cases/triage")
    expect(heading(page)).to_have_text("Triage: new reports")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Reported, awaiting review")
    expect(row).to_contain_text("Decide by Tue 24 Nov 2026, 09:00")  # the NCRS 24-hour clock
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_text("National Crime Recording Standard")).to_be_visible()
    form = page.locator("form#record")
    form.get_by_label("Record as a crime and investigate").check()
    form.get_by_label("Offence (Home Office classification)").select_option(
        "Theft of a pedal cycle"
    )
    form.get_by_label("Reason", exact=True).fill("A bicycle was taken without consent.")
    form.get_by_role("button", name="Save recording decision").click()
    expect(notice(page)).to_have_text("Recording decision saved.")
    expect(case_status(page)).to_have_text("Recorded as a crime")


def allocate(supervisor: Person, reference: str) -> None:
    page = supervisor.go("/staff/cases/unallocated")
    expect(heading(page)).to_have_text("Awaiting allocation")
    page.get_by_role("row").filter(has_text=reference).get_by_role("link").click()
    form = page.locator("form#allocate")
    form.get_by_label("Allocate to").select_option("investigator")
    form.get_by_role("button", name="Allocate").click()
    expect(notice(page)).to_have_text("Allocation saved.")
    expect(case_status(page)).to_have_text("Under investigation")
    expect(page.get_by_text("Investigator Example (investigator@example.org)")).to_be_visible()


def act_on_suspect(page: Page, action: str) -> None:
    """Record what was done with the (only) suspect, and see the victim told of it."""
    page.get_by_text("Record an arrest, interview, bail or decision").click()
    form = page.locator("form[id^=suspect-]")
    form.get_by_label("What was done").select_option(label=action)
    form.get_by_role("button", name="Save").click()
    expect(notice(page)).to_contain_text("Any update the victim is owed is on its way")


def arrest_and_interview(investigator: Person, clock: Callable[[datetime], None]) -> str:
    """The investigator's first day on the case; returns the case page's path."""
    page = investigator.go("/staff/cases/mine")
    expect(heading(page)).to_have_text("My cases")
    page.locator("a.reference").first.click()
    case_path = urlsplit(page.url).path
    form = page.locator("form#suspect")
    form.get_by_label("Name").fill("Dean Walsh")
    form.get_by_label("Date of birth").fill("1998-04-02")
    form.get_by_role("button", name="Add suspect").click()
    expect(notice(page)).to_have_text("Suspect added.")
    suspect = page.locator("#section-suspects h3").filter(has_text="Dean Walsh")
    expect(suspect).to_contain_text("Identified")

    act_on_suspect(page, "Arrest")
    expect(suspect).to_contain_text("Arrested")
    updates = page.locator("#updates tbody tr")
    expect(updates.filter(has_text="Suspect arrested")).to_contain_text(OWED[0][2])
    wait_until_sent(page, updates, "Suspect arrested")

    clock(london(11, 24, 15, 30))
    investigator.go(case_path)
    act_on_suspect(page, "Interview under caution")
    expect(suspect).to_contain_text("Interviewed under caution")
    wait_until_sent(page, updates, "Suspect interviewed under caution")
    return case_path


def charge(investigator: Person, path: str) -> None:
    page = investigator.go(path)
    page.get_by_text("Charge and send the case file to the prosecutor").click()
    form = page.locator("form[id^=charge-]")
    form.get_by_label("Charges").fill("Theft of a pedal cycle, contrary to s.1 Theft Act 1968")
    form.get_by_role("button", name="Charge and send the file to the prosecutor").click()
    expect(notice(page)).to_have_text("Charge recorded and the case file sent to the prosecutor.")
    expect(case_status(page)).to_have_text("With the prosecutor")
    expect(page.locator("#section-suspects h3")).to_contain_text("Charged")
    expect(page.get_by_text("Crown Prosecution Service London", exact=True)).to_be_visible()
    wait_until_sent(page, page.locator("#updates tbody tr"), "Suspect charged")


def accept_file(prosecutor: Person, reference: str) -> None:
    page = prosecutor.go("/staff/cases/prosecution")
    expect(heading(page)).to_have_text("Case files to review")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("With the prosecutor")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("#section-prosecution")).to_contain_text("Sent to the prosecutor")
    expect(page.locator("#section-suspects")).to_contain_text("Theft Act 1968")
    form = page.locator("form#review")
    form.get_by_label("Accept: take the case to court").check()
    form.get_by_label("Note or requests").fill("The Full Code Test is met: CCTV shows the theft.")
    form.get_by_role("button", name="Save decision").click()
    expect(notice(page)).to_have_text("Your decision on the case file is saved.")
    expect(case_status(page)).to_have_text("Going to court")
    expect(page.locator("#section-prosecution")).to_contain_text("Accepted for prosecution")


def list_hearing(clerk: Person, reference: str) -> None:
    page = clerk.go("/staff")
    page.get_by_role("link", name=re.compile("Court: cases and hearings")).click()
    to_list = page.get_by_role("row").filter(has_text=reference)
    expect(to_list).to_contain_text("Bicycle theft")
    to_list.get_by_role("link", name=reference).click()
    form = page.locator("form#hearing")
    # A slip of the keyboard first: a date already past is refused next to the date.
    form.get_by_label("Date", exact=True).fill("2025-12-07")
    form.get_by_label("Time (London)").fill("10:00")
    form.get_by_label("Courtroom or place").fill("Courtroom 2")
    form.get_by_role("button", name="List hearing").click()
    form = page.locator("form#hearing")
    expect(form.locator(".field-error")).to_contain_text("Give a date and time in the future")
    expect(form.get_by_label("Date", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Time (London)")).to_have_value("10:00")  # what was typed stays
    expect(form.get_by_label("Courtroom or place")).to_have_value("Courtroom 2")
    expect(form.get_by_label("Court", exact=True)).to_have_value(
        "Camberwell Green Magistrates' Court"
    )
    form.get_by_label("Date", exact=True).fill("2026-12-07")
    form.get_by_role("button", name="List hearing").click()
    expect(notice(page)).to_contain_text("Hearing listed.")
    expect(page.locator("#section-hearings")).to_contain_text(
        "Mon 7 Dec 2026, 10:00, Camberwell Green Magistrates' Court, Courtroom 2"
    )
    expect(page.locator("#section-hearings")).to_contain_text("Result: not yet recorded")


def record_result(clerk: Person, reference: str) -> None:
    page = clerk.go("/staff/cases/court")
    diary = page.locator("table").filter(has_text="Court and place")
    hearing = diary.get_by_role("row").filter(has_text=reference)
    expect(hearing).to_contain_text("Awaiting result")
    hearing.get_by_role("link", name=reference).click()
    form = page.locator("form[id^=result-]")
    form.get_by_label("Court result").select_option("Offender fined")
    form.get_by_role("button", name="Record result").click()
    expect(notice(page)).to_have_text("Court result recorded. The victim will be told.")
    expect(case_status(page)).to_have_text("Closed")
    expect(page.locator("#section-hearings")).to_contain_text("Result: Offender fined")


def watch_outbox(supervisor: Person, reference: str, event: str) -> None:
    """The supervisor sees the court's news reach the victim (the clerk does not see updates)."""
    page = supervisor.go("/staff/outbox")
    rows = page.locator("tbody tr").filter(has_text=reference)
    wait_until_sent(page, rows, event)


def victim_sees_the_outcome(victim: Page, reference: str, code: str) -> None:
    open_tracking(victim, reference, code)
    expect(victim.locator("#case-status")).to_have_text("Closed")
    expect(victim.locator("#outcome")).to_have_text("Offender fined")
    expect(victim.locator("#officer")).to_contain_text("Investigator Example")
    titles = victim.locator("#timeline .timeline-title")
    expect(titles).to_have_text(
        [
            "Report received",
            "Recorded as a crime",
            "An officer has your case",
            "Suspect arrested",
            "Suspect interviewed under caution",
            "Suspect charged",
            "The prosecutor is taking the case to court",
            "Court hearing listed",
            "Court result",
        ]
    )
    timeline = victim.locator("#timeline")
    expect(timeline).to_contain_text(
        "A court hearing has been listed for Monday 7 December 2026 at 10:00 at "
        "Camberwell Green Magistrates' Court, Courtroom 2."
    )
    expect(timeline).to_contain_text("The court's result: Offender fined.")
    expect(victim.locator("#timeline")).not_to_contain_text("Dean Walsh")  # no suspect names


def supervisor_sees_every_update_on_time(supervisor: Person, reference: str) -> None:
    page = supervisor.go("/staff/outbox")
    expect(heading(page)).to_have_text("Outbox of victim updates")
    rows = page.locator("tbody tr").filter(has_text=reference)
    expect(rows).to_have_count(len(OWED))
    for event, delivered, due_by in OWED:
        row = rows.filter(has_text=event)
        expect(row).to_have_count(1)
        cells = row.get_by_role("cell")
        expect(cells.nth(2)).to_have_text("email")
        expect(cells.nth(3)).to_have_text(due_by)
        expect(cells.nth(4)).to_have_text(delivered)
        expect(cells.nth(5)).to_have_text("Sent on time")
    page = supervisor.go("/staff/victim-updates")
    expect(heading(page)).to_have_text("Victim updates due")
    expect(page.get_by_text("Nothing overdue or due today.")).to_be_visible()


def assert_outbox_in_the_database(live_server: LiveServer, reference: str) -> None:
    """Every update the Code required is in the outbox, delivered by its deadline."""
    with live_server.ctx.db.transaction() as conn:
        case = store.case_by_reference(conn, reference)
        assert case is not None
        updates = update_store.updates_of(conn, case.id)
        messages = {
            row.id: row
            for row in conn.execute(
                outbox_messages.select().where(
                    outbox_messages.c.id.in_([u.outbox_message_id for u in updates])
                )
            )
        }
    assert [u.event for u in updates] == [
        UpdateEvent.ARRESTED,
        UpdateEvent.INTERVIEWED,
        UpdateEvent.CHARGED,
        UpdateEvent.HEARING_LISTED,
        UpdateEvent.COURT_RESULT,
    ]
    for update in updates:
        assert update.outbox_message_id is not None, update.event
        message = messages[update.outbox_message_id]
        assert message.channel == "email" and message.recipient == VICTIM_EMAIL
        assert message.status == DeliveryStatus.KEPT.value  # no SMTP host: kept and shown
        assert update.delivered_at is not None, update.event
        assert update.event_at <= update.delivered_at <= update.due_at, update.event


def test_a_crime_report_goes_from_the_public_to_the_court_result_with_every_update_on_time(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    seed_staff(live_server.ctx.db, live_server.clock)
    victim = open_page()
    people = ("handler", "supervisor", "investigator", "prosecutor", "clerk")
    staff = {username: Person(open_page(), username) for username in people}
    clock = live_server.clock.set

    # Sunday evening the bike is stolen; Monday 09:00 the victim reports it online.
    reference, code = report_online(victim)
    open_tracking(victim, reference, code)
    expect(victim.locator("#case-status")).to_have_text("Reported, awaiting review")
    expect(victim.locator("#timeline")).to_contain_text("Report received")

    clock(london(11, 23, 11, 30))
    record_as_crime(staff["handler"], reference)
    clock(london(11, 23, 14))
    allocate(staff["supervisor"], reference)

    clock(london(11, 24, 10))
    case_path = arrest_and_interview(staff["investigator"], clock)
    clock(london(11, 25, 11))
    charge(staff["investigator"], case_path)

    clock(london(11, 26, 10))
    accept_file(staff["prosecutor"], reference)
    clock(london(11, 26, 14))
    list_hearing(staff["clerk"], reference)
    watch_outbox(staff["supervisor"], reference, "Court hearing listed")

    # The hearing is on Monday 7 December; the clerk enters the result that afternoon.
    clock(london(12, 7, 15))
    record_result(staff["clerk"], reference)
    watch_outbox(staff["supervisor"], reference, "Court result")

    clock(london(12, 7, 18))
    victim_sees_the_outcome(victim, reference, code)
    supervisor_sees_every_update_on_time(staff["supervisor"], reference)
    assert_outbox_in_the_database(live_server, reference)
