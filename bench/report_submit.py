"""Benchmark: public report submission over HTTP from 50 concurrent clients.

Starts `safercity serve` on a fresh database in a subprocess, then measures two things, each
request with its own Idempotency-Key:

- saturation: 50 clients each sending the next report as soon as the last is answered (closed
  loop), giving the most reports per second; with `wrk` installed (Debian package) it drives
  this, since a Python client on the same 2 cores would itself be the bottleneck;
- at a fixed rate: 50 clients together offering --rate reports per second (open loop), giving
  p50/p99 latency at that load, timed from when each request was due (no coordinated omission).

Run by hand, never in the test suite:

    .venv/bin/python bench/report_submit.py --db sqlite
    .venv/bin/python bench/report_submit.py --db postgresql

The PostgreSQL run uses (and empties) the database named by --postgres-url.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def payload(i: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "crime_type": "Bicycle theft",
        "description": f"My bike was taken from outside the station (benchmark report {i}).",
        "occurred_from": (now - timedelta(hours=3)).isoformat(),
        "location": {
            "text": "Outside Peckham Rye station",
            "latitude": 51.4700,
            "longitude": -0.0690,
        },
        "victim": {
            "name": "Bench Mark",
            "preferred_channel": "email",
            "email": f"bench{i}@example.com",
        },
    }


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


async def open_loop(base: str, clients: int, rate: float, seconds: float) -> dict[str, float]:
    """Each client sends on its own fixed schedule; latency counts from the due time."""
    latencies: list[float] = []
    failures = 0
    interval = clients / rate
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(client: httpx.AsyncClient, offset: float, start: float) -> None:
        nonlocal failures
        due = start + offset
        while due < start + seconds:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            response = await client.post(
                "/api/v1/reports", json=payload(0), headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            latencies.append(time.perf_counter() - due)
            failures += response.status_code != 201
            due += interval

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        await asyncio.gather(
            *(client_loop(client, i * interval / clients, start) for i in range(clients))
        )
    latencies.sort()
    return {
        "offered_per_second": rate,
        "answered": len(latencies),
        "failures": failures,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def saturate_with_wrk(base: str, clients: int, seconds: int) -> dict[str, float] | None:
    if shutil.which("wrk") is None:
        return None
    script = str(Path(__file__).with_name("report_submit.lua"))
    body = json.dumps(payload(0))
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", script, base, "--", body]
    subprocess.run([*command[:3], "-d3s", *command[4:]], capture_output=True, check=True)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "client": "wrk",
        "reports_per_second": round(result["requests"] / result["seconds"], 1),
        "non_201": result["errors_status"],
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
    }


async def run_clients(base: str, clients: int, reports: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(reports))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        for i in counter:
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/reports", json=payload(i), headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 201

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return latencies, failures


def saturate_with_python(base: str, clients: int, reports: int) -> dict[str, float]:
    asyncio.run(run_clients(base, clients, min(reports, 200)))
    started = time.perf_counter()
    latencies, failures = asyncio.run(run_clients(base, clients, reports))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "client": "python-httpx",
        "reports_per_second": round(reports / elapsed, 1),
        "non_201": failures,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200.0, help="Offered reports per second.")
    parser.add_argument("--reports", type=int, default=3000, help="Closed loop without wrk.")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="safercity-bench-"))
    env = {**os.environ, "SAFERCITY_DATA_DIR": str(data_dir), "SAFERCITY_SECRET_KEY": "bench"}
    if args.db == "postgresql":
        reset_postgres(args.postgres_url)
        env["SAFERCITY_DATABASE_URL"] = args.postgres_url
    else:
        env.pop("SAFERCITY_DATABASE_URL", None)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "safercity", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        saturation = saturate_with_wrk(base, args.clients, args.seconds) or saturate_with_python(
            base, args.clients, args.reports
        )
        at_rate = asyncio.run(open_loop(base, args.clients, args.rate, args.seconds))
    finally:
        server.terminate()
        server.wait(10)
    print(
        json.dumps(
            {
                "database": args.db,
                "clients": args.clients,
                "saturation": saturation,
                "at_rate": at_rate,
            }
        )
    )


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up within 60 s")


if __name__ == "__main__":
    main()
