"""scripts/preview_load.py in small: both local servers, clients in their own processes,
the same limits (steady p99 < 100 ms, burst max < 1 s, no error) on a few pages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import preview_load  # noqa: E402


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for rel in ["", "guide/", "café/", "email/pop-vs-imap/"]:
        (tmp_path / rel).mkdir(parents=True, exist_ok=True)
        (tmp_path / rel / "index.html").write_text(
            "<!doctype html><title>Page</title>" + "<p>Port 993 with SSL/TLS.</p>" * 1500, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("server", preview_load.SERVERS)
def test_the_preview_keeps_its_latency_limits_under_load(site: Path, server: str) -> None:
    assert "/caf%C3%A9/" in preview_load.page_paths(site)
    phases = [preview_load.steady(clients=10, seconds=2.0, interval=0.2),
              preview_load.burst(clients=30, seconds=2.0)]
    lines = []
    for phase, outcome in preview_load.measure(site, server, phases):
        line, passed = preview_load.verdict(server, phase, outcome)
        lines.append((line, passed))
    assert all(passed for _, passed in lines), "\n".join(line for line, _ in lines)
