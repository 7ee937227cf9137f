"""Micro-benchmark: the safeguarding policy decision point on a hub-sized estate.

Run from the repository root: ``.venv/bin/python bench/access_check.py``. Builds (seeded) 50
partner agencies, 10,000 people with records spread across agencies and categories, and 100
sharing agreements loaded through the validating loader; then times `SharingPolicy.decide` on
random read requests (random actor, role, record, purpose; some own-agency, some break-glass),
and on requests that an agreement covers (the allowed path, which cites agreements and bases).
Each of RUNS runs times every decision with `time.perf_counter_ns` for p50/p99, and the whole
batch without per-call timers for decisions per second. Prints the medians over the runs as JSON.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

from safercity.platform.identity.model import Role
from safercity.safeguarding.agreements import (
    Action,
    PartnerKind,
    Purpose,
    RecordCategory,
    load_agreements,
)
from safercity.safeguarding.policy import (
    AccessRequest,
    Actor,
    RecordRef,
    SharingPolicy,
)

AGENCIES = 50
PEOPLE = 10_000
AGREEMENTS = 100
REQUESTS = 20_000
RUNS = 7
ON = date(2025, 6, 1)
FIELDS = ("summary", "detail", "recorded_by", "crisis_plan_summary", "diagnosis", "notes")
ROLES: list[str] = list(Role)


def agencies(rng: random.Random) -> dict[str, PartnerKind]:
    kinds = list(PartnerKind)
    return {
        f"AG{n:02d}": kinds[n % len(kinds)] if n < len(kinds) else rng.choice(kinds)
        for n in range(AGENCIES)
    }


def records(rng: random.Random, estate: dict[str, PartnerKind]) -> list[RecordRef]:
    codes = list(estate)
    found = []
    for person in range(PEOPLE):
        for n, owner in enumerate(rng.sample(codes, rng.randint(1, 4))):
            for category in rng.sample(list(RecordCategory), rng.randint(1, 3)):
                fields = frozenset(rng.sample(FIELDS, rng.randint(2, len(FIELDS))))
                found.append(
                    RecordRef(
                        f"{person}-{n}-{category}",
                        owner,
                        estate[owner],
                        category,
                        str(person),
                        fields,
                    )
                )
    return found


def raw_agreement(rng: random.Random, n: int, estate: dict[str, PartnerKind]) -> dict[str, Any]:
    codes = list(estate)
    provider = rng.choice(codes)
    by_kind = rng.random() < 0.2
    shares = [
        {"category": c.value} | ({"fields": rng.sample(FIELDS, 2)} if rng.random() < 0.4 else {})
        for c in rng.sample(list(RecordCategory), rng.randint(1, 5))
    ]
    start = ON - timedelta(days=rng.randint(-60, 900))
    return {
        "id": f"ISA-{n:03d}",
        "title": f"Sharing agreement {n}",
        **({"provider_kind": estate[provider].value} if by_kind else {"provider_agency": provider}),
        "recipient_agency": rng.choice([c for c in codes if c != provider]),
        "purposes": [p.value for p in rng.sample(list(Purpose), rng.randint(1, 3))],
        "shares": shares,
        "lawful_basis": "UK GDPR Art 6(1)(e); Art 9(2)(g) with DPA 2018 Sch 1 para 18",
        "valid_from": start.isoformat(),
        "valid_until": (start + timedelta(days=rng.randint(200, 1500))).isoformat(),
    }


def requests(
    rng: random.Random, estate: dict[str, PartnerKind], found: list[RecordRef]
) -> list[AccessRequest]:
    codes, purposes = list(estate), list(Purpose)
    made = []
    for n in range(REQUESTS):
        record = rng.choice(found)
        agency = record.owner_agency if rng.random() < 0.2 else rng.choice(codes)
        actor = Actor(f"u{n}@{agency}", agency, estate[agency], rng.choice(ROLES))
        glass = "Child missing overnight; checking addresses" if rng.random() < 0.01 else None
        made.append(AccessRequest(actor, Action.READ, record, rng.choice(purposes), ON, glass))
    return made


def covered_requests(
    rng: random.Random, estate: dict[str, PartnerKind], policy: SharingPolicy
) -> list[AccessRequest]:
    """Requests that an agreement covers: the slower, allowed path that cites agreements."""
    keys = list(policy.index.grants)
    made = []
    for n in range(REQUESTS):
        (kind_or_agency, provider), recipient, category, purpose = rng.choice(keys)
        owner = provider if kind_or_agency == "agency" else _of_kind(estate, provider, recipient)
        record = RecordRef(f"c{n}", owner, estate[owner], category, str(n), frozenset(FIELDS))
        actor = Actor(f"u{n}@{recipient}", recipient, estate[recipient], Role.SOCIAL_WORKER)
        made.append(AccessRequest(actor, Action.READ, record, purpose, ON))
    return made


def _of_kind(estate: dict[str, PartnerKind], kind: str, not_this: str) -> str:
    return next(code for code, k in estate.items() if k == kind and code != not_this)


def timed_run(policy: SharingPolicy, batch: list[AccessRequest]) -> tuple[float, int, int]:
    clock, decide = time.perf_counter_ns, policy.decide
    times = []
    for req in batch:
        start = clock()
        decide(req)
        times.append(clock() - start)
    times.sort()
    return float(times[len(times) // 2]), times[int(len(times) * 0.99)], times[-1]


def throughput(policy: SharingPolicy, batch: list[AccessRequest]) -> float:
    decide = policy.decide
    start = time.perf_counter_ns()
    for req in batch:
        decide(req)
    return len(batch) / ((time.perf_counter_ns() - start) / 1e9)


def main() -> None:
    rng = random.Random(7)
    estate = agencies(rng)
    found = records(rng, estate)
    started = time.perf_counter_ns()
    raw = [raw_agreement(rng, n, estate) for n in range(AGREEMENTS)]
    policy = SharingPolicy.from_agreements(load_agreements(raw))
    build_ms = (time.perf_counter_ns() - started) / 1e6
    batch = requests(rng, estate, found)
    covered = covered_requests(rng, estate, policy)
    decisions = [policy.decide(r) for r in batch]
    runs = [timed_run(policy, batch) for _ in range(RUNS)]
    rates = [throughput(policy, batch) for _ in range(RUNS)]
    covered_allowed = sum(policy.decide(r).allowed for r in covered) / len(covered)
    covered_runs = [timed_run(policy, covered) for _ in range(RUNS)]
    covered_rates = [throughput(policy, covered) for _ in range(RUNS)]
    print(
        json.dumps(
            {
                "agencies": AGENCIES,
                "people": PEOPLE,
                "records": len(found),
                "agreements": AGREEMENTS,
                "index_keys": len(policy.index.grants),
                "load_and_index_ms": round(build_ms, 2),
                "requests_per_run": REQUESTS,
                "runs": RUNS,
                "allowed_share": round(sum(d.allowed for d in decisions) / len(decisions), 3),
                "cross_agency_allowed": sum(d.allowed and bool(d.agreement_ids) for d in decisions),
                "decisions_per_second": round(statistics.median(rates)),
                "p50_us": round(statistics.median(r[0] for r in runs) / 1000, 2),
                "p99_us": round(statistics.median(r[1] for r in runs) / 1000, 2),
                "max_us": round(statistics.median(r[2] for r in runs) / 1000, 2),
                "covered_allowed_share": round(covered_allowed, 3),
                "covered_decisions_per_second": round(statistics.median(covered_rates)),
                "covered_p50_us": round(statistics.median(r[0] for r in covered_runs) / 1000, 2),
                "covered_p99_us": round(statistics.median(r[1] for r in covered_runs) / 1000, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
