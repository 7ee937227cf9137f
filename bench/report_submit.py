"""Benchmark: public report submission over HTTP, at N concurrent clients.

Starts `safercity serve` on a fresh database in a subprocess, then submits reports from N
concurrent clients (each with its own Idempotency-Key) and prints reports per second and
p50/p99 latency. Run by hand, never in the test suite:

    .venv/bin/python bench/report_submit.py --db sqlite --clients 50 --reports 3000
    .venv/bin/python bench/report_submit.py --db postgresql --clients 50 --reports 3000

The PostgreSQL run uses (and empties) a database named by --postgres-url.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
        "location": {"text": "Outside Peckham Rye station", "latitude": 51.4700,
                     "longitude": -0.0690},
        "victim": {"name": "Bench Mark", "preferred_channel": "email",
                   "email": f"bench{i}@example.com"},
    }


def reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


async def run_clients(base: str, clients: int, reports: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(reports))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        for i in counter:
            started = time.perf_counter()
            response = await client.post("/api/v1/reports", json=payload(i),
                                         headers={"Idempotency-Key": str(uuid.uuid4())})
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 201

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
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
        [sys.executable, "-m", "safercity", "serve", "--port", str(port)], env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        asyncio.run(run_clients(base, args.clients, args.warmup))
        started = time.perf_counter()
        latencies, failures = asyncio.run(run_clients(base, args.clients, args.reports))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    latencies.sort()
    result = {
        "database": args.db,
        "clients": args.clients,
        "reports": args.reports,
        "failures": failures,
        "reports_per_second": round(args.reports / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
