"""Mutation testing of the model and the core decision analysis, one module at a time.

Run by ``make mutate`` (all modules) or ``make mutate MODULES="model.costs analysis.cea"``.
For each module it runs ``mutmut run "peer_econ.<module>.*"``: mutmut copies the source to
``mutants/``, makes small changes ("mutants") to it, and runs for each mutant only the tests
that executed the mutated function (drawn from the test files listed in ``[tool.mutmut]`` of
pyproject.toml). A mutant that no test notices "survives".

It then prints, per module, killed / total and the mutation score, and lists every surviving
mutant that ``mutmut-equivalent.txt`` does not explain. That file (beside pyproject.toml) lists
equivalent mutants, one per line: ``<mutant name>  <one-line reason>``. The exit status is 1
when an unexplained survivor is left, so a new survivor is noticed like a failing test, or when
the file lists a mutant that no longer survives (a stale reason).

Each module's statuses are kept in ``mutants/scores/<module>.json`` (``--report-only`` prints
them again). After writing tests for survivors, ``tools/mutate.py --survivors MODULE`` reruns
only that module's survivors and updates its statuses; after changing the code, run the module
again in full, or only the changed functions: ``tools/mutate.py MODULE --functions NAME...``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Modules under mutation testing (``only_mutate`` in pyproject.toml lists the same files).
MODULES = (
    "model.discounting",
    "model.effects",
    "model.costs",
    "model.engine",
    "model.delivery",
    "model.capacity",
    "analysis.cea",
    "analysis.voi",
    "analysis.dsa",
    "analysis.evsi",
    "analysis.budget",
)
EQUIVALENT_FILE = ROOT / "mutmut-equivalent.txt"
#: mutmut's exit codes of a mutant run, as statuses (mutmut/stats.py).
STATUS = {1: "killed", 3: "killed", 37: "killed", 0: "survived", 33: "no tests", 5: "no tests"}
TIMEOUT_CODES = {36, 24, -24, 152, 255}


def equivalent_mutants() -> dict[str, str]:
    """Mutant name -> reason, from ``mutmut-equivalent.txt`` (``#`` starts a comment)."""
    if not EQUIVALENT_FILE.is_file():
        return {}
    out: dict[str, str] = {}
    for line in EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, _, reason = text.partition(" ")
        out[name] = reason.strip()
    return out


#: Status of each mark mutmut prints beside a mutant name at the end of a run.
STATUS_BY_MARK = {
    "🎉": "killed", "⏰": "killed", "🧙": "killed", "🙁": "survived", "🫥": "no tests",
    "🤔": "suspicious", "🔇": "skipped",
}  # fmt: skip


def snapshot_path(module: str) -> Path:
    """Where the statuses of a module's last run are kept (a later ``mutmut run`` for another
    module may reset the ``.meta`` files when the tests changed in between)."""
    return ROOT / "mutants" / "scores" / f"{module}.json"


def save_snapshot(module: str, output: str, previous: dict[str, str] | None = None) -> None:
    """Statuses from the ``mark name`` lines mutmut prints after a run of named mutants,
    updating ``previous`` (the earlier statuses of a survivors-only run)."""
    prefix = f"peer_econ.{module}."
    status = dict(previous or {})
    for line in output.splitlines():
        mark, _, name = line.strip().partition(" ")
        if name.startswith(prefix) and mark in STATUS_BY_MARK:
            status[name] = STATUS_BY_MARK[mark]
    path = snapshot_path(module)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(status, indent=0, sort_keys=True), encoding="utf-8")


def results(module: str) -> dict[str, str]:
    """Mutant name -> status for one module: the snapshot of its last run, else mutmut's
    ``.meta`` file."""
    if snapshot_path(module).is_file():
        loaded: dict[str, str] = json.loads(snapshot_path(module).read_text(encoding="utf-8"))
        return loaded
    meta = ROOT / "mutants" / "src" / "peer_econ" / (module.replace(".", "/") + ".py.meta")
    if not meta.is_file():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    out = {}
    for name, code in codes.items():
        if code is None:
            out[name] = "not checked"
        elif code in TIMEOUT_CODES:
            out[name] = "killed"  # the mutant made the tests run forever: noticed
        else:
            out[name] = STATUS.get(code, "suspicious")
    return out


def run_module(
    module: str, log: Path, *, survivors_only: bool = False, functions: Sequence[str] = ()
) -> int:
    """``mutmut run`` for one module, its output appended to ``log`` and its statuses saved
    (:func:`save_snapshot`); returns the exit code.

    ``survivors_only`` reruns only the last survivors (after new tests); ``functions`` reruns
    every mutant of the named functions (after changing them: their mutants are renumbered) and
    replaces their old statuses."""
    previous = results(module) if survivors_only or functions else {}
    if functions:
        prefixes = tuple(f"peer_econ.{module}.{mangled(f)}__mutmut_" for f in functions)
        previous = {n: s for n, s in previous.items() if not n.startswith(prefixes)}
        names = [p + "*" for p in prefixes]
    else:
        names = sorted(n for n, s in previous.items() if s != "killed")
        if survivors_only and not names:
            return 0
    cmd = [sys.executable, "-m", "mutmut", "run", *(names or [f"peer_econ.{module}.*"])]
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=_single_thread_env()
    )
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"\n=== {module}: {' '.join(cmd[:6])}\n{done.stdout}{done.stderr}")
    if done.returncode == 0:
        save_snapshot(module, done.stdout, previous)
    return done.returncode


#: Single-threaded BLAS for the tests under mutation: the regressions of the VOI tests are tall
#: and thin, and on a busy shared machine multi-threaded OpenBLAS made them several times slower
#: (the tests mutmut runs for one voi mutant: 39 s in its stats with threads; all of test_voi.py,
#: test_voi_run.py and test_evsi.py take under 10 s without).
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _single_thread_env() -> dict[str, str]:
    """This process's environment with :data:`SINGLE_THREAD` BLAS."""
    return {**os.environ, **SINGLE_THREAD}


def mangled(function: str) -> str:
    """mutmut's name of a function (``_bins`` -> ``x__bins``) or method (``PSA.__post_init__``
    -> ``xǁPSAǁ__post_init__``)."""
    owner, _, name = function.rpartition(".")
    return f"xǁ{owner}ǁ{name}" if owner else f"x_{name}"


def report(modules: list[str]) -> int:
    """Print the score per module, the unexplained survivors and the stale lines of
    ``mutmut-equivalent.txt`` (mutants listed there that no longer survive); return how many
    of both there are."""
    equivalent = equivalent_mutants()
    unexplained: list[str] = []
    stale: list[str] = []
    print(f"{'module':<22}{'killed':>8}{'total':>8}{'score':>8}{'equiv.':>8}{'left':>6}")
    for module in modules:
        status = results(module)
        counts = Counter(status.values())
        survivors = sorted(n for n, s in status.items() if s in ("survived", "no tests"))
        explained = [n for n in survivors if n in equivalent]
        left = [n for n in survivors if n not in equivalent]
        total = len(status)
        killed = counts["killed"]
        score = f"{100 * killed / total:.1f}%" if total else "-"
        print(
            f"{module:<22}{killed:>8}{total:>8}{score:>8}{len(explained):>8}{len(left):>6}"
            + (f"  ({counts['not checked']} not checked)" if counts["not checked"] else "")
        )
        unexplained.extend(left)
        stale.extend(
            n for n in equivalent if n.startswith(f"peer_econ.{module}.") and n not in survivors
        )
    if unexplained:
        print("\nsurvivors not in mutmut-equivalent.txt (show one: .venv/bin/mutmut show NAME):")
        for name in unexplained:
            print(f"  {name}")
    if stale:
        print("\nlisted in mutmut-equivalent.txt but killed or gone (remove the line):")
        for name in stale:
            print(f"  {name}")
    return len(unexplained) + len(stale)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="e.g. model.costs")
    parser.add_argument("--report-only", action="store_true", help="do not run mutmut")
    parser.add_argument(
        "--survivors", action="store_true", help="rerun only the last survivors (after new tests)"
    )
    parser.add_argument(
        "--functions",
        nargs="+",
        default=(),
        metavar="NAME",
        help="rerun every mutant of these functions of one module (after changing them), "
        "e.g. _bins or PSA.__post_init__",
    )
    args = parser.parse_args()
    if args.functions and len(args.modules) != 1:
        parser.error("--functions needs exactly one module")
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {list(MODULES)}")
    log = ROOT / "mutants" / "mutate.log"
    if not args.report_only:
        log.parent.mkdir(exist_ok=True)
        for module in args.modules:
            print(f"mutating {module} (log: {log.relative_to(ROOT)})", flush=True)
            code = run_module(module, log, survivors_only=args.survivors, functions=args.functions)
            if code != 0:
                print(f"mutmut failed for {module} (exit {code}); see {log}")
                return 2
    return 1 if report(args.modules) else 0


if __name__ == "__main__":
    sys.exit(main())
