"""Timings of the book build on a temporary copy of the project (`make bench`).

Measures, as the median of --reps runs (time.perf_counter):
  cold       `make book` after deleting the copy's _build (state, executed pages, HTML);
  no-op      `make book` right after a build;
  edit       `make book` after a real content change of data/raw/dcs_schedules.csv
             (alternately edited and restored, so every run sees a change);
  test       `make test` in full (book, nbval, browser tests and tests/test_rebuild.py,
             which makes its own cold build in a copy of the copy);
  baseline   Jupyter Book executing every notebook itself, sequentially, cold:
             `jupyter-book build --all` with a config that says execute_notebooks: force.
It prints the medians, the ratios and whether each target holds (FAIL is printed,
but the exit status stays 0: this is a measurement), and writes the raw timings
to _build/bench.json.

The copy runs through `make -C <copy>`, as a user would: <copy>/.venv is a symlink
to this checkout's .venv, and the copy's requirements.txt and pyproject.toml are
dated before .venv/.ready, so make never reinstalls into the shared venv (checked
with `make -q` before anything runs). The Makefile sets PYTHONPATH to the copy.

Usage: python -m compendium.bench [--reps N] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import ROOT

TABLE = "data/raw/dcs_schedules.csv"
STEPS = {
    "cold": "cold build (make book, no _build)",
    "noop": "no-op rebuild (make book)",
    "edit": "one-table edit (make book)",
    "test": "make test (full, with test_rebuild)",
    "baseline": "baseline: jupyter-book, force, --all",
}


# -- copying the project (also used by tests/test_rebuild.py) -------------------

def project_files(root: Path) -> list[str]:
    """The project's files, relative to root: what git tracks or would track.

    In a git checkout: tracked plus untracked-but-not-ignored files (new files
    count). In a copy, which has no .git: every file not matched by .gitignore.
    """
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if Path(top).resolve() == root.resolve():
            out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                                  "--exclude-standard"], capture_output=True, check=True).stdout
            return sorted(name for name in out.decode().split("\0") if name)
    except (OSError, subprocess.CalledProcessError):
        pass
    ignore = [".git"]
    gitignore = root / ".gitignore"
    if gitignore.exists():
        ignore += [line.strip().rstrip("/") for line in gitignore.read_text().splitlines()
                   if line.strip() and not line.startswith("#")]
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in ignore):
            continue
        if path.is_file():
            files.append(relative.as_posix())
    return sorted(files)


def copy_project(root: Path, dest: Path) -> None:
    """Copy the project's working-tree files (not .venv, not _build) to dest.

    copy2 keeps modification times, so make sees the same order of files as here.
    """
    for name in project_files(root):
        source = root / name
        if not source.is_file():  # tracked but deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def project_env(root: Path) -> dict:
    """The environment for commands run in a copy: its own package, no test redirects."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPENDIUM_")}
    env["PYTHONPATH"] = str(root)
    return env


def set_cell(path: Path, key_column: str, key: str, column: str, value: str) -> None:
    """Set one cell of a CSV table, leaving the other rows as they are."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    header = rows[0]
    matches = [row for row in rows[1:] if row[header.index(key_column)] == key]
    if len(matches) != 1:
        raise KeyError(f"{path}: {len(matches)} rows with {key_column} = {key!r}")
    matches[0][header.index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))


# -- the measurements -----------------------------------------------------------

class BenchError(RuntimeError):
    pass


def run(command: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command in the copy; raise with the tail of its output if it fails and check."""
    result = subprocess.run(command, cwd=cwd, env=project_env(cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if check and result.returncode != 0:
        raise BenchError(f"`{' '.join(command)}` failed with status {result.returncode}:\n{tail(result)}")
    return result


def tail(result: subprocess.CompletedProcess, lines: int = 40) -> str:
    return "\n".join(result.stdout.splitlines()[-lines:])


def timed(command: list[str], cwd: Path, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = run(command, cwd, check)
    return time.perf_counter() - start, result


def prepare_copy(dest: Path) -> Path:
    copy = dest / "project"
    copy_project(ROOT, copy)
    venv = (ROOT / ".venv").resolve()
    ready = venv / ".ready"
    if not ready.exists():
        raise BenchError(f"{ready} is missing: run `make book` in {ROOT} first")
    (copy / ".venv").symlink_to(venv, target_is_directory=True)
    # Older than the stamp, so make does not pip-install (into the shared venv).
    stamp = ready.stat().st_mtime - 60
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(copy / name, (stamp, stamp))
    if subprocess.run(["make", "-C", str(copy), "-q", ".venv/.ready"], env=project_env(copy),
                      capture_output=True).returncode != 0:
        raise BenchError("make would reinstall the venv in the copy; refusing to touch the shared .venv")
    return copy


def table_readers(copy: Path) -> tuple[int, int]:
    """(notebooks whose logged reads include TABLE, all notebooks) in the copy."""
    state = json.loads((copy / "_build" / "execution-state.json").read_text(encoding="utf-8"))
    notebooks = sorted(p.name for p in (copy / "notebooks").glob("*.ipynb"))
    readers = [n for n in notebooks if TABLE in state.get(n, {}).get("reads", {})]
    return len(readers), len(notebooks)


def measure(copy: Path, reps: int, log) -> tuple[dict, tuple[int, int], list[int]]:
    make_book = ["make", "-C", str(copy), "book"]
    times = {step: [] for step in STEPS}

    for i in range(reps):
        shutil.rmtree(copy / "_build", ignore_errors=True)
        seconds, result = timed(make_book, copy)
        output = result.stdout
        if "up to date:" in output:
            raise BenchError("a cold build found notebooks up to date:\n" + output)
        times["cold"].append(seconds)
        log(f"cold {i + 1}/{reps}: {seconds:.1f} s")

    for i in range(reps):
        seconds, result = timed(make_book, copy)
        output = result.stdout
        times["noop"].append(seconds)
        log(f"no-op {i + 1}/{reps}: {seconds:.1f} s ({output.count('executing ')} notebooks executed)")

    table = copy / TABLE
    original = table.read_bytes()
    set_cell(table, "schedule_id", "table1-extreme-urine", "every", "1")  # urine tests weekly, not fortnightly
    edited = table.read_bytes()
    if edited == original:
        raise BenchError(f"{TABLE}: urine tests at extreme risk are already weekly; nothing to edit")
    try:
        for i in range(reps):
            # Alternate edited and original content: every run sees a real change.
            table.write_bytes(edited if i % 2 == 0 else original)
            seconds, result = timed(make_book, copy)
            output = result.stdout
            if "executing notebooks/dcs.ipynb" not in output:
                raise BenchError("the table edit did not re-execute notebooks/dcs.ipynb:\n" + output)
            times["edit"].append(seconds)
            executed = [line.split()[1] for line in output.splitlines() if line.startswith("executing ")]
            log(f"edit {i + 1}/{reps}: {seconds:.1f} s (executed {', '.join(executed)})")
    finally:
        table.write_bytes(original)
    run(make_book, copy)  # back to the committed table before the tests (untimed)
    readers = table_readers(copy)

    failures = []
    for i in range(reps):
        # A failing test still ran the whole suite: keep the time, say so.
        seconds, result = timed(["make", "-C", str(copy), "test"], copy, check=False)
        times["test"].append(seconds)
        log(f"make test {i + 1}/{reps}: {seconds:.1f} s (status {result.returncode})")
        if result.returncode != 0:
            failures.append(i + 1)
            log(tail(result, 25))

    config = copy.parent / "baseline_config.yml"
    text = (copy / "_config.yml").read_text(encoding="utf-8")
    forced = text.replace('execute_notebooks: "off"', 'execute_notebooks: "force"')
    if forced == text:
        raise BenchError('_config.yml has no line execute_notebooks: "off" to switch to "force"')
    config.write_text(forced, encoding="utf-8")
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    for i in range(reps):
        shutil.rmtree(copy / "_build", ignore_errors=True)
        seconds, _ = timed([jupyter_book, "build", str(copy), "--all", "--config", str(config),
                            "--builder", "html", "-W", "--keep-going", "--quiet"], copy)
        times["baseline"].append(seconds)
        log(f"baseline {i + 1}/{reps}: {seconds:.1f} s")
    return times, readers, failures


def report(times: dict, readers: tuple[int, int], failures: list[int], cores: int, reps: int) -> dict:
    med = {step: statistics.median(values) for step, values in times.items()}
    share = readers[0] / readers[1]
    targets = [
        ("no-op <= 0.10 x cold", med["noop"] / med["cold"], 0.10),
        (f"one-table edit <= ({readers[0]}/{readers[1]} notebooks read the table + 0.15) x cold",
         med["edit"] / med["cold"], share + 0.15),
        ("cold <= 0.6 x baseline", med["cold"] / med["baseline"], 0.6),
        ("make test <= 1.2 x cold", med["test"] / med["cold"], 1.2),
    ]
    print(f"\n{readers[1]} notebooks, {cores} cores, {reps} repetitions (median seconds)\n")
    print(f"{'step':<40} {'median':>7}   runs")
    for step, label in STEPS.items():
        runs = " ".join(f"{t:.1f}" for t in times[step])
        print(f"{label:<40} {med[step]:>7.1f}   {runs}")
    print("\ntargets:")
    results = []
    for name, ratio, limit in targets:
        ok = ratio <= limit
        results.append({"target": name, "ratio": round(ratio, 3), "limit": round(limit, 3), "ok": ok})
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: ratio {ratio:.2f}, limit {limit:.2f}")
    if failures:
        print(f"\nnote: make test FAILED (tests failing) in run(s) {failures}; its times are of the failing suite")
    return {"reps": reps, "cores": cores, "notebooks": readers[1], "table_readers": readers[0],
            "seconds": {k: [round(t, 3) for t in v] for k, v in times.items()},
            "median": {k: round(v, 3) for k, v in med.items()}, "targets": results,
            "make_test_failed_runs": failures}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each step (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    work = Path(tempfile.mkdtemp(prefix="compendium-bench-"))
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731 (progress, not results)
    try:
        copy = prepare_copy(work)
        log(f"copy of {ROOT} at {copy}")
        times, readers, failures = measure(copy, args.reps, log)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result = report(times, readers, failures, os.cpu_count() or 1, args.reps)
    out = ROOT / "_build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nraw timings: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
