#!/usr/bin/env python3
"""Load on the local preview servers: many readers at once, as a class or a team
previewing the help center together on one machine.

Starts the server on a built site on 127.0.0.1 (both the tests' Netlify emulator,
``serve_netlify``, and the server and handler of ``kbgen serve``), then runs two
phases of clients, each client in its own process so that the clients' own work
does not queue behind the server's in one interpreter:

- steady: 50 clients each ask for a page every 0.5 s (100 requests a second in
  all) for 30 s; the p99 latency must stay under 100 ms, with no error;
- burst: 50 clients ask back to back for 10 s; no request may take 1 s or more,
  and none may fail.

Every request opens its own connection (so the listen backlog is exercised, as
with browsers opening new connections) and asks for gzip, as a browser does. A
latency runs from the connection attempt to the last byte of the body. It prints
p50, p99 and max per phase and server, and exits 1 if a limit fails.

    python3 scripts/preview_load.py                 # builds the example site first
    python3 scripts/preview_load.py --site site/    # an existing build
    python3 scripts/preview_load.py --server emulator --steady-seconds 10

Bounded: at most 200 clients and 120 s a phase, loopback only. Figures on a
shared machine move with what else runs there.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: this is never pointed at another machine
MAX_CLIENTS, MAX_SECONDS = 200, 120.0
STEADY_P99_MS, BURST_MAX_MS = 100.0, 1000.0
REQUEST_TIMEOUT = 10.0  # seconds: a request that takes longer counts as an error
SERVERS = ("emulator", "kbgen serve")


@dataclass(frozen=True)
class Phase:
    name: str
    clients: int
    seconds: float
    interval: float  # seconds between one client's requests; 0: back to back
    limit: str  # "p99" or "max"
    limit_ms: float


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def figure(self, which: str) -> float:
        ordered = sorted(self.latencies_ms) or [float("inf")]
        if which == "max":
            return ordered[-1]
        share = {"p50": 0.50, "p99": 0.99}[which]
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def steady(clients: int = 50, seconds: float = 30.0, interval: float = 0.5) -> Phase:
    return Phase("steady", clients, seconds, interval, "p99", STEADY_P99_MS)


def burst(clients: int = 50, seconds: float = 10.0) -> Phase:
    return Phase("burst", clients, seconds, 0.0, "max", BURST_MAX_MS)


def page_paths(site: Path) -> list[str]:
    """The URL path of every page of the built site (``a/index.html`` → ``/a/``)."""
    folders = sorted(page.parent.relative_to(site).as_posix() for page in site.rglob("index.html"))
    return ["/" if rel == "." else f"/{quote(rel)}/" for rel in folders]


def _get(port: int, path: str) -> tuple[float, str | None]:
    """One request on a new connection: (milliseconds, error or None)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        took = (time.perf_counter() - started) * 1000
        if response.status != 200:
            return took, f"{path}: status {response.status}"
        if len(body) != int(response.headers.get("Content-Length", -1)):
            return took, f"{path}: {len(body)} bytes, Content-Length {response.headers['Content-Length']}"
        return took, None
    except (OSError, http.client.HTTPException) as err:
        return (time.perf_counter() - started) * 1000, f"{path}: {type(err).__name__}: {err}"
    finally:
        connection.close()


def _client(index: int, port: int, paths: list[str], phase: Phase, ready: Barrier,
            results: Queue[tuple[list[float], list[str]]]) -> None:
    """One client, in its own process: waits for all the others, then asks until the phase ends."""
    outcome = Outcome()
    ready.wait(timeout=120)
    start = time.monotonic()
    end = start + phase.seconds
    # Steady clients spread their requests evenly over the interval.
    next_at = start + phase.interval * index / phase.clients
    turn = index
    while True:
        if phase.interval:
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            next_at += phase.interval
        if time.monotonic() >= end:
            break
        took, error = _get(port, paths[turn % len(paths)])
        turn += 1
        outcome.latencies_ms.append(took)
        if error:
            outcome.errors.append(error)
    # Hand the figures over only when every client is done: the others' last
    # requests must not compete with this process's pickling and exit.
    ready.wait(timeout=phase.seconds + REQUEST_TIMEOUT + 60)
    results.put((outcome.latencies_ms, outcome.errors))


def run_phase(port: int, paths: list[str], phase: Phase) -> Outcome:
    if not 0 < phase.clients <= MAX_CLIENTS or not 0 < phase.seconds <= MAX_SECONDS:
        raise SystemExit(f"preview_load: at most {MAX_CLIENTS} clients and {MAX_SECONDS:.0f} s a phase")
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no server threads forked
    ready = context.Barrier(phase.clients + 1)  # passed twice: at the start and at the end
    results: Queue[tuple[list[float], list[str]]] = context.Queue()
    processes = [context.Process(target=_client, args=(i, port, paths, phase, ready, results),
                                 daemon=True) for i in range(phase.clients)]
    for process in processes:
        process.start()
    outcome = Outcome()
    try:
        ready.wait(timeout=120)  # every client started: the clock starts for all at once
        ready.wait(timeout=phase.seconds + REQUEST_TIMEOUT + 60)  # every client done
        for _ in processes:
            latencies, errors = results.get(timeout=phase.seconds + REQUEST_TIMEOUT + 60)
            outcome.latencies_ms += latencies
            outcome.errors += errors
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return outcome


@contextlib.contextmanager
def serving(site: Path, server: str) -> Iterator[int]:
    """The named server on ``site``, on a free loopback port; yields the port."""
    sys.path.insert(0, str(ROOT))
    if server == "emulator":
        from kbgen.adapters.preview import serve_netlify

        with serve_netlify(site, host=HOST) as base:
            yield int(base.rstrip("/").rsplit(":", 1)[1])
        return
    from kbgen.adapters.serve import serving_built

    with serving_built(site, host=HOST) as base:
        yield int(base.rstrip("/").rsplit(":", 1)[1])


def _server(site: Path, server: str, port: Connection, stop: Event) -> None:
    """The server, in its own process: the measuring process's work (collecting the
    clients' figures) must not take the server's interpreter from it."""
    with serving(site, server) as number:
        port.send(number)
        stop.wait(timeout=MAX_SECONDS * 3)


def measure(site: Path, server: str, phases: list[Phase]) -> list[tuple[Phase, Outcome]]:
    paths = page_paths(site)
    context = multiprocessing.get_context("spawn")
    stop, (port_out, port_in) = context.Event(), context.Pipe(duplex=False)
    process = context.Process(target=_server, args=(site, server, port_in, stop), daemon=True)
    process.start()
    try:
        if not port_out.poll(60):
            raise SystemExit(f"preview_load: the {server} server did not start")
        port = port_out.recv()
        return [(phase, run_phase(port, paths, phase)) for phase in phases]
    finally:
        stop.set()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def verdict(server: str, phase: Phase, outcome: Outcome) -> tuple[str, bool]:
    """The printed line for one phase, and whether it kept its limits."""
    figure = outcome.figure(phase.limit)
    passed = figure < phase.limit_ms and not outcome.errors and bool(outcome.latencies_ms)
    what = (f"{phase.clients} clients, one request each every {phase.interval:g} s" if phase.interval
            else f"{phase.clients} clients back to back")
    line = (f"{server:12} {phase.name:7} {what}, {phase.seconds:g} s: "
            f"{len(outcome.latencies_ms)} requests, {len(outcome.errors)} errors, "
            f"p50 {outcome.figure('p50'):.1f} ms, p99 {outcome.figure('p99'):.1f} ms, "
            f"max {outcome.figure('max'):.1f} ms "
            f"[{phase.limit} < {phase.limit_ms:g} ms, 0 errors: {'ok' if passed else 'FAILED'}]")
    for error in outcome.errors[:5]:
        line += f"\n    {error}"
    return line, passed


def build(into: Path) -> Path:
    site = into / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                    str(ROOT / "mkdocs.yml"), "-d", str(site)], check=True, cwd=ROOT)
    return site


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--site", type=Path, help="a built site (default: build the example)")
    args.add_argument("--server", choices=(*SERVERS, "both"), default="both")
    args.add_argument("--clients", type=int, default=50)
    args.add_argument("--steady-seconds", type=float, default=30.0)
    args.add_argument("--burst-seconds", type=float, default=10.0)
    options = args.parse_args(argv)
    phases = [steady(options.clients, options.steady_seconds), burst(options.clients, options.burst_seconds)]
    servers = SERVERS if options.server == "both" else (options.server,)
    with tempfile.TemporaryDirectory(prefix="kbgen-load-") as scratch:
        site = options.site.resolve() if options.site else build(Path(scratch))
        print(f"preview_load: {len(page_paths(site))} pages of {site}", flush=True)
        failed = False
        for server in servers:
            for phase, outcome in measure(site, server, phases):
                line, passed = verdict(server, phase, outcome)
                print(line, flush=True)
                failed |= not passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
