"""What the access check adds to reading a person's safeguarding record, on a real database.

Run from the repository root: ``.venv/bin/python bench/access_read.py [--json] [--people N]
[--database-url URL]``. Builds (seeded) 50 partner agencies, 10,000 people with a few records
each (identity, a flag, a chronology event, held by different agencies) and 100 sharing
agreements, in a fresh SQLite file unless ``--database-url`` names an empty database. Then, for
random (member of staff, person) pairs — own agency, shared under an agreement, and refused:

- ``baseline``: the same rows read with no check (the person, their records and referrals);
- ``checked``: ``service.view_person``, i.e. the reads, a policy decision per record, and one
  audit entry per decision appended to the hash chain and committed;
- ``decide``: the policy decisions alone, on the same records.

Reported: p50 and p99 of each over the pairs (medians over ``--runs`` runs), and what the check
adds (checked minus baseline), split into deciding and auditing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.progress import track

from safercity import migrations
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import NotFound
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from safercity.safeguarding import service, store
from safercity.safeguarding.agreements import Action, PartnerKind, Purpose, load_agreements
from safercity.safeguarding.model import RecordKind
from safercity.safeguarding.policy import AccessRequest, Actor, SharingPolicy
from safercity.safeguarding.service import _record_ref

AGENCIES = 50
AGREEMENTS = 100
NOW = FixedClock(datetime(2026, 6, 1, 9, tzinfo=UTC))
# Each partner kind's agency kind on the platform, and the role its test user holds.
PLATFORM: dict[PartnerKind, tuple[AgencyKind, Role]] = {
    PartnerKind.POLICE: (AgencyKind.POLICE, Role.INVESTIGATOR),
    PartnerKind.CHILDREN_SOCIAL_CARE: (AgencyKind.COUNCIL, Role.SOCIAL_WORKER),
    PartnerKind.ADULT_SOCIAL_CARE: (AgencyKind.COUNCIL, Role.SAFEGUARDING_LEAD),
    PartnerKind.MENTAL_HEALTH_TRUST: (AgencyKind.NHS_TRUST, Role.MENTAL_HEALTH_PRACTITIONER),
    PartnerKind.AMBULANCE: (AgencyKind.AMBULANCE, Role.PARAMEDIC),
    PartnerKind.PROBATION: (AgencyKind.PROBATION, Role.PROBATION_OFFICER),
    PartnerKind.SCHOOL: (AgencyKind.SCHOOL, Role.DESIGNATED_SAFEGUARDING_LEAD),
    PartnerKind.DOMESTIC_ABUSE_CHARITY: (AgencyKind.CHARITY, Role.IDVA),
    PartnerKind.HOUSING: (AgencyKind.COUNCIL, Role.SAFEGUARDING_LEAD),
    PartnerKind.YOUTH_JUSTICE: (AgencyKind.COUNCIL, Role.SOCIAL_WORKER),
}
CATEGORIES = ("identity", "flags", "chronology", "contacts", "risk_assessments")


def _agreement(rng: random.Random, n: int, codes: list[str]) -> dict[str, Any]:
    provider, recipient = rng.sample(codes, 2)
    shares = [
        {"category": c} | ({"fields": ["given_name", "family_name"]} if c == "identity" else {})
        for c in rng.sample(CATEGORIES, rng.randint(1, 4))
    ]
    return {
        "id": f"ISA-{n:03d}",
        "title": f"Agreement {n}",
        "provider_agency": provider,
        "recipient_agency": recipient,
        "purposes": [p.value for p in rng.sample(list(Purpose)[:7], rng.randint(1, 3))],
        "shares": shares,
        "lawful_basis": "UK GDPR Art 6(1)(e); Art 9(2)(g) with DPA 2018 Sch 1 para 18",
        "valid_from": "2025-01-01",
    }


def build(db: Database, people: int, rng: random.Random) -> tuple[list[StaffUser], list[str]]:
    kinds = list(PartnerKind)
    users, codes = [], []
    for n in range(AGENCIES):
        kind = kinds[n % len(kinds)]
        agency_kind, role = PLATFORM[kind]
        code = f"AG{n:02d}"
        identity.ensure_agency(db, code, f"Agency {n}", agency_kind)
        service.register_partner(db, code, kind)
        users.append(
            identity.add_user(
                db, NOW, username=f"user{n}", password="benchmark-password", role=role,
                agency_code=code, display_name=f"User {n}",
            )
        )  # fmt: skip
        codes.append(code)
    ids = {user.agency_code: user.agency_id for user in users}
    refs = []
    at = NOW.now()
    with db.transaction() as conn:
        for n in track(range(people), description="Building the hub", transient=True):
            ref = f"SG-B{n:07d}"
            owners = rng.sample(codes, 3)
            person = store.add_person(conn, ref, at, ids[owners[0]], None)
            values = {"given_name": f"Given{n}", "family_name": f"Family{n}", "address": "1 Road"}
            store.add_record(conn, person, ids[owners[0]], RecordKind.IDENTITY, values, at, "b")
            flag = {"flag": "domestic_abuse_victim", "details": "Assault"}
            store.add_record(conn, person, ids[owners[1]], RecordKind.FLAG, flag, at, "b")
            event = {"occurred_on": "2026-05-01", "summary": "Incident at home"}
            store.add_record(conn, person, ids[owners[2]], RecordKind.EVENT, event, at, "b")
            refs.append(ref)
    return users, refs


def _baseline(db: Database, ref: str) -> None:
    with db.transaction() as conn:
        person = store.person_by_ref(conn, ref)
        assert person is not None
        store.records_of(conn, [person.id])
        store.referrals_of(conn, person.id)


def _records(db: Database, ref: str) -> list[Any]:
    with db.transaction() as conn:
        person = store.person_by_ref(conn, ref)
        assert person is not None
        return store.records_of(conn, [person.id])


def timed(work: Callable[[], object]) -> int:
    start = time.perf_counter_ns()
    with contextlib.suppress(NotFound):  # a refusal is a read too: decided and audited
        work()
    return time.perf_counter_ns() - start


def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=1_000, help="reads per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(11)
    folder = Path(tempfile.mkdtemp(prefix="safercity-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'hub.db'}"
    migrations.upgrade(url)
    db = Database.from_url(url)
    users, refs = build(db, args.people, rng)
    codes = [u.agency_code for u in users]
    policy = SharingPolicy.from_agreements(
        load_agreements([_agreement(rng, n, codes) for n in range(AGREEMENTS)])
    )
    kinds = {p.code: p.kind for p in service.partners(db)}
    purposes = list(Purpose)[:7]
    results: dict[str, list[list[int]]] = {"baseline": [], "checked": [], "decide": []}
    allowed_reads = 0
    for _ in range(args.runs):
        pairs = [
            (rng.choice(users), rng.choice(refs), rng.choice(purposes)) for _ in range(args.reads)
        ]
        base, checked, decide = [], [], []
        for user, ref, purpose in track(pairs, description="Reading", transient=True):
            records = _records(db, ref)
            actor = Actor(user.audit_name, user.agency_code, kinds[user.agency_code], user.role)
            on = NOW.now().date()
            requests = [
                AccessRequest(actor, Action.READ, _record_ref(r), purpose, on) for r in records
            ]
            base.append(timed(lambda ref=ref: _baseline(db, ref)))
            decide.append(timed(lambda rs=requests: [policy.decide(r) for r in rs]))
            checked.append(
                timed(
                    lambda user=user, ref=ref, purpose=purpose: service.view_person(
                        db, NOW, policy, user, ref, purpose
                    )
                )
            )
            allowed_reads += any(policy.decide(r).allowed for r in requests)
        results["baseline"].append(base)
        results["checked"].append(checked)
        results["decide"].append(decide)

    def summary(name: str, share: float) -> float:
        return round(statistics.median(percentile(run, share) for run in results[name]), 1)

    figures = {
        "database": db.dialect,
        "agencies": AGENCIES,
        "people": args.people,
        "records": args.people * 3,
        "agreements": AGREEMENTS,
        "reads_per_run": args.reads,
        "runs": args.runs,
        "reads_with_something_shown": round(allowed_reads / (args.reads * args.runs), 3),
        **{f"{name}_p50_us": summary(name, 0.5) for name in results},
        **{f"{name}_p99_us": summary(name, 0.99) for name in results},
    }
    figures["added_p50_us"] = round(figures["checked_p50_us"] - figures["baseline_p50_us"], 1)
    figures["added_p99_us"] = round(figures["checked_p99_us"] - figures["baseline_p99_us"], 1)
    figures["audit_share_of_added_p50"] = round(
        1 - figures["decide_p50_us"] / max(figures["added_p50_us"], 0.1), 3
    )
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
