"""Load-test the service on loopback: single-claim requests at several concurrencies, 1 and 2 workers.

For each worker count, ``serve`` runs in a subprocess under uvicorn on a free port of 127.0.0.1
with a test key; once /healthz answers, an asyncio client sends ``POST
/v1/claims:validate`` with one realistic claim (1-4 lines, the mix of ``benchmarks.generate``)
per request, at each concurrency, until it has sent ``--requests`` or ``--seconds`` have passed.
The client (bare asyncio streams, one keep-alive connection per concurrent user) runs on the
same machine as the server, so they share its cores.

Targets (printed, not asserted): p99 under 20 ms at concurrency 8 with one worker; more than
1,000 claims/s with two workers.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.generate import DIAGNOSES, MODIFIERS, NPIS, POS, PROCEDURES, TAXONOMIES
from claimcheck.service.settings import API_KEYS_ENV, SETTINGS_ENV, Settings

KEY = "bench-key"
_SERVE = "from claimcheck.service import Settings, serve; serve(Settings.from_env())"


def claim_pool(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    pool = []
    for number in range(count):
        day = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"
        lines = [
            {
                "line_number": line,
                "procedure_code": rng.choice(PROCEDURES),
                "modifiers": rng.sample(MODIFIERS, rng.choice((0, 0, 1, 1, 2))),
                "diagnosis_codes": rng.sample(DIAGNOSES, rng.randint(1, 4)),
                "rendering_taxonomy": rng.choice(TAXONOMIES),
                "rendering_npi": rng.choice(NPIS),
                "units": 1,
                "date_of_service": day,
                "place_of_service": rng.choice(POS),
            }
            for line in range(1, rng.randint(1, 4) + 1)
        ]
        pool.append({"claim_id": f"B{number:06d}", "patient_sex": rng.choice("FM"), "lines": lines})
    return pool


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(workers: int, log_dir: Path) -> Iterator[Server]:
    """A server with ``workers`` workers on 127.0.0.1, stopped (killed if need be) on exit."""
    port = _free_port()
    settings = Settings(api_keys=(KEY,), port=port, workers=workers)
    env = {**os.environ, SETTINGS_ENV: settings.to_env(), API_KEYS_ENV: KEY}
    log_file = log_dir / f"server-{workers}.log"
    with log_file.open("wb") as log:
        # Its own session, so that the workers can be killed with it should it not stop.
        server = subprocess.Popen([sys.executable, "-c", _SERVE], env=env, stderr=log, start_new_session=True)
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", server, log_file)
        yield Server(port, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclasses.dataclass(frozen=True)
class Server:
    port: int
    session: int  # the session id of the server and its workers: its first process's id

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the processes of the server's session (None without Linux's /proc).

        On a machine shared with other work, throughput and latency depend on what else runs; the
        CPU a request costs the server does not."""
        proc = Path("/proc")
        if not (proc / "self" / "stat").exists():
            return None
        ticks = 0
        for stat in proc.glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[3]) == self.session:
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks / os.sysconf("SC_CLK_TCK")


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], log_file: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    log_tail = log_file.read_text(encoding="utf-8", errors="replace")[-2000:]
    raise RuntimeError(f"the server did not answer /healthz (exit status {server.poll()}); its log ends:\n{log_tail}")


@dataclasses.dataclass(frozen=True)
class Level:
    workers: int
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_seconds: float | None = None

    @property
    def claims_per_second(self) -> float:
        return (self.requests - self.errors) / self.seconds

    def row(self) -> str:
        cpu = "n/a" if self.server_cpu_seconds is None else f"{self.server_cpu_seconds / self.requests * 1000:.2f}"
        return (
            f"{self.workers:7d} {self.concurrency:11d} {self.requests:9,d} {self.errors:6d}"
            f" {self.claims_per_second:9,.0f} {self.percentile(0.50):8.2f} {self.percentile(0.99):8.2f} {cpu:>14}"
        )

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def post_requests(port: int, bodies: list[bytes]) -> list[bytes]:
    """Each body as a whole HTTP/1.1 request, encoded once, so sending one costs a single write."""
    head = (
        "POST /v1/claims:validate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    return [head.format(port=port, key=KEY, length=len(body)).encode() + body for body in bodies]


_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:\s*(\d+)")


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on a keep-alive connection and read its whole response; its status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = _CONTENT_LENGTH.search(head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head[9:12])


async def load(port: int, requests: list[bytes], workers: int, concurrency: int, limit: int, seconds: float) -> Level:
    """Send up to ``limit`` requests, ``concurrency`` at a time, for at most ``seconds``.

    A bare asyncio client: httpx.AsyncClient spends 2-5 ms of CPU a request here, more than the
    server does, and on a 2-core machine it would be measuring itself.
    """
    latencies: list[float] = []
    errors = 0
    sent = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def user() -> None:
        nonlocal sent, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while sent < limit and time.perf_counter() < deadline:
                request = requests[sent % len(requests)]
                sent += 1
                begin = time.perf_counter()
                status = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - begin) * 1000)
                errors += status != 200
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(user() for _ in range(concurrency)))
    return Level(workers, concurrency, len(latencies), errors, time.perf_counter() - started, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="Requests per level (default 2,000).")
    parser.add_argument("--seconds", type=float, default=20, help="Time limit per level (default 20 s).")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    pool = claim_pool(500)
    bodies = [json.dumps(claim).encode() for claim in pool]
    lines = sum(len(claim["lines"]) for claim in pool)
    print(f"{len(bodies)} distinct claims, {lines / len(bodies):.1f} lines per claim on average")
    # The figures mean little on a machine busy with other work: say how busy it was.
    print(f"{os.cpu_count()} CPUs; load average before the run: {os.getloadavg()[0]:.2f}")
    results: list[Level] = []
    print("workers concurrency  requests errors  claims/s  p50 ms   p99 ms  server CPU ms/claim")
    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        for workers in arguments.workers:
            with running_server(workers, Path(folder)) as server:
                requests = post_requests(server.port, bodies)
                asyncio.run(load(server.port, requests, workers, 4, 200, 10))  # warm-up: first imports and caches
                for concurrency in arguments.concurrency:
                    cpu_before = server.cpu_seconds()
                    run = load(server.port, requests, workers, concurrency, arguments.requests, arguments.seconds)
                    level = asyncio.run(run)
                    cpu_after = server.cpu_seconds()
                    if cpu_before is not None and cpu_after is not None:
                        level = dataclasses.replace(level, server_cpu_seconds=cpu_after - cpu_before)
                    results.append(level)
                    print(level.row(), flush=True)
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    _report_targets(results)


def _report_targets(results: list[Level]) -> None:
    at_eight = [r for r in results if r.workers == 1 and r.concurrency == 8]
    if at_eight:
        p99 = at_eight[0].percentile(0.99)
        print(f"target p99 < 20 ms at concurrency 8, 1 worker: {p99:.1f} ms -> {'met' if p99 < 20 else 'NOT met'}")
    two = [r for r in results if r.workers == 2]
    if two:
        best = max(two, key=lambda r: r.claims_per_second)
        rate = best.claims_per_second
        print(
            f"target > 1,000 claims/s with 2 workers: {rate:,.0f} claims/s (concurrency {best.concurrency})"
            f" -> {'met' if rate > 1000 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
