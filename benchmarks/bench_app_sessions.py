"""Many people opening the commissioner app at once: ``peer-econ app`` on loopback, N sessions.

Run: ``.venv/bin/python benchmarks/bench_app_sessions.py [SESSIONS] [SAMPLES]`` (needs the
``app`` extra; default 50 sessions, 5,000 PSA samples as ``peer-econ app`` uses). Starts the real
server in a subprocess, then opens the sessions together, each a websocket that asks for the
page and reads it to ``script_finished`` (:mod:`peer_econ.app.sessions`), twice:

1. cold: the server has computed nothing, so one session's PSA run serves all (Streamlit's
   shared cache) while the others wait for it;
2. warm: every result is cached; what is left is each session's own script run.

Prints per round the sessions answered, the wall time until the last page finished, and the
time per session (p50, p95, max). Exit status 1 if any session did not get the page.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(n_sessions: int, n_samples: int) -> int:
    from peer_econ.app.sessions import app_server, open_sessions, summary

    print(f"{n_sessions} sessions, {n_samples:,} PSA samples; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    start = time.perf_counter()
    missed = 0
    with app_server(ROOT / "inputs", n_samples) as url:
        print(f"server answered its health check after {time.perf_counter() - start:.1f} s")
        print(f"{'round':8s} {'answered':>9s} {'wall s':>8s} {'p50 s':>8s} {'p95 s':>8s} "
              f"{'max s':>8s} {'s/session':>10s}")  # fmt: skip
        for label in ("cold", "warm"):
            sessions, wall = open_sessions(url, n_sessions)
            row = summary(sessions, wall)
            missed += n_sessions - int(row["answered"])
            print(f"{label:8s} {row['answered']:9.0f} {wall:8.2f} {row['p50_s']:8.2f} "
                  f"{row['p95_s']:8.2f} {row['max_s']:8.2f} {wall / n_sessions:10.3f}")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    sys.exit(main(*(arguments + [50, 5_000][len(arguments) :])))
