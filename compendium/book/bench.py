"""`make bench`: how long the book takes to build, rebuild and test, today and at six chapters.

Every step runs on a temporary copy of the project (its .venv a link to this
checkout's), as `python -m compendium.book.build` (what `make book` runs), and
is timed as the median of --reps runs (time.perf_counter):

  cold        _build deleted and every notebook executed (--force)
  no-op       the build again, nothing changed
  edit        one table read by one chapter notebook edited (alternately edited
              and restored, so every run sees a change)
  parts       the same edit's parts timed alone: validating the tables, executing
              the table's reader, and Sphinx on the pages that depend on it
  baseline    `jupyter-book build --all` with execution forced, same content, cold
              (alternating with cold runs)
  make test   once, in full, and then by group: unit tests, nbval, browser, rebuild

The synthetic book adds five copies of the DCS chapter (page, text notebook and
its own copy of the schedules table) to the copy, so the figures are known at
the size the book will have. The medians, the ratios and whether each target
holds are printed (a FAIL is a measurement, the exit status stays 0), and the
raw timings are written to _build/bench.json.

Usage: python -m compendium.book.bench [--reps N] [--keep] [--skip-tests]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import ROOT
from .project import copy_project, project_env, set_cell

TABLE = "data/raw/dcs_schedules.csv"
PYTHON = sys.executable
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")
SPHINX = [JUPYTER_BOOK, "build", ".", "--builder", "html", "-W", "--keep-going", "--quiet"]


class BenchError(RuntimeError):
    pass


def timed(command: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env={**project_env(cwd), **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    if check and result.returncode != 0:
        raise BenchError(f"`{' '.join(command)}` failed ({result.returncode}):\n" + "\n".join(result.stdout.splitlines()[-30:]))
    return seconds, result.stdout


def build(copy: Path, *args: str) -> tuple[float, str]:
    return timed([PYTHON, "-m", "compendium.book.build", *args], copy)


def prepare_copy(dest: Path) -> Path:
    copy = dest / "project"
    copy_project(ROOT, copy)
    venv = (ROOT / ".venv").resolve()
    if not (venv / ".ready").exists():
        raise BenchError(f"{venv / '.ready'} is missing: run `make book` in {ROOT} first")
    (copy / ".venv").symlink_to(venv, target_is_directory=True)
    return copy


def add_synthetic_chapters(copy: Path, count: int = 5) -> None:
    """Copies of the DCS chapter, each with its own claims (ids dcsN-...), table and notebook."""
    raw = copy / "data" / "raw"
    with open(raw / "claims.csv", encoding="utf-8", newline="") as f:
        claims = list(csv.DictReader(f))
    package = json.loads((copy / "data" / "datapackage.json").read_text(encoding="utf-8"))
    schedules = next(r for r in package["resources"] if r["name"] == "dcs_schedules")
    toc = (copy / "_toc.yml").read_text(encoding="utf-8")
    for n in range(2, count + 2):
        topic = f"dcs{n}"

        def rename(text: str) -> str:
            text = text.replace("dcs-", f"{topic}-").replace('Judgements("dcs")', f'Judgements("{topic}")')
            text = text.replace("dcs_schedules", f"dcs_schedules_{n}").replace("glue: dcs\n", f"glue: {topic}\n")
            return text.replace("chapter-dcs)", f"chapter-{topic})").replace("notebooks/dcs.ipynb", f"notebooks/{topic}.ipynb")

        claims += [{**row, "claim_id": rename(row["claim_id"]), "topic": topic} for row in claims if row["topic"] == "dcs"]
        (raw / f"dcs_schedules_{n}.csv").write_text(rename((raw / "dcs_schedules.csv").read_text(encoding="utf-8")), encoding="utf-8")
        package["resources"].append({**json.loads(json.dumps(schedules)), "name": f"dcs_schedules_{n}",
                                     "path": f"raw/dcs_schedules_{n}.csv", "title": f"{schedules['title']} (copy {n})"})
        (copy / "notebooks" / "md" / f"{topic}.md").write_text(
            rename((copy / "notebooks" / "md" / "dcs.md").read_text(encoding="utf-8")), encoding="utf-8")
        (copy / "book" / f"{topic}.md").write_text(rename((copy / "book" / "dcs.md").read_text(encoding="utf-8")), encoding="utf-8")
        toc = toc.replace("          - file: notebooks/dcs\n", "          - file: notebooks/dcs\n"
                          f"      - file: book/{topic}\n        sections:\n          - file: notebooks/{topic}\n", 1)
    with open(raw / "claims.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(claims[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(claims)
    (copy / "data" / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (copy / "_toc.yml").write_text(toc, encoding="utf-8")
    build(copy, "--force")  # executes the copies once: their records exist from here on


def baseline_config(copy: Path) -> Path:
    text = (copy / "_config.yml").read_text(encoding="utf-8")
    forced = text.replace('execute_notebooks: "off"', 'execute_notebooks: "force"')
    if forced == text:
        raise BenchError('_config.yml has no line execute_notebooks: "off" to switch to "force"')
    path = copy.parent / f"{copy.name}-baseline.yml"
    path.write_text(forced, encoding="utf-8")
    return path


def measure_book(copy: Path, reps: int, baseline_reps: int, log) -> dict:
    """Cold, no-op, one-table edit, its parts, and the Jupyter Book baseline, in seconds."""
    times = {k: [] for k in ("cold", "noop", "edit", "validate", "execute", "sphinx", "baseline")}
    config = baseline_config(copy)
    for i in range(baseline_reps):  # alternating: cold, then the baseline, on the same machine state
        shutil.rmtree(copy / "_build", ignore_errors=True)
        seconds, _ = build(copy, "--force")
        times["cold"].append(seconds)
        shutil.rmtree(copy / "_build", ignore_errors=True)
        base, _ = timed([JUPYTER_BOOK, "build", ".", "--all", "--config", str(config), "--builder", "html",
                         "-W", "--keep-going", "--quiet"], copy)
        times["baseline"].append(base)
        log(f"  cold {seconds:.1f} s, baseline {base:.1f} s")
    shutil.rmtree(copy / "_build", ignore_errors=True)
    build(copy)
    for _ in range(reps):
        seconds, output = build(copy)
        if "book up to date" not in output:
            raise BenchError("a no-op build did something:\n" + output)
        times["noop"].append(seconds)
    table = copy / TABLE
    original = table.read_bytes()
    set_cell(table, "schedule_id", "table1-extreme-urine", "every", "1")
    edited = table.read_bytes()
    executed = set()
    try:
        for i in range(reps):
            table.write_bytes(edited if i % 2 == 0 else original)
            seconds, output = build(copy)
            executed |= set(re.findall(r"^executing (\S+)", output, flags=re.M))
            times["edit"].append(seconds)
            reread = (copy / "_build" / "reread.txt").read_text().split()
            log(f"  edit {seconds:.1f} s (executed {', '.join(sorted(executed))}; Sphinx re-read {len(reread)} pages)")
            # The same change's parts, each alone: validation, the reader, Sphinx on its pages.
            table.write_bytes(original if i % 2 == 0 else edited)
            seconds, fingerprint = timed([PYTHON, "-c", "from compendium.schema import validate; print(validate())"], copy)
            times["validate"].append(seconds)
            # The reader alone: told the tables are validated, so validation is not counted twice.
            times["execute"].append(timed([PYTHON, "-m", "compendium.book.execute", "notebooks/dcs.ipynb"], copy,
                                          env={"COMPENDIUM_VALIDATED": fingerprint.strip()})[0])
            timed([PYTHON, "-c", "from compendium.ledger import assemble_ledger; assemble_ledger()"], copy)
            times["sphinx"].append(timed(SPHINX, copy)[0])
            table.write_bytes(edited if i % 2 == 0 else original)
            build(copy)  # back to the state the next edit starts from (untimed)
    finally:
        table.write_bytes(original)
        build(copy)
    return times


def measure_tests(copy: Path, log) -> dict:
    """make test once in full, then pytest by group, in seconds."""
    times = {"make test": timed(["make", "-C", str(copy), "test"], copy, check=False)[0]}
    log(f"  make test {times['make test']:.1f} s")
    groups = {
        "unit tests": ["tests", "--ignore=tests/test_browser.py", "--ignore=tests/test_rebuild.py", "-p", "no:nbval"],
        "nbval": ["notebooks"],
        "browser": ["tests/test_browser.py"],
        "rebuild": ["tests/test_rebuild.py"],
    }
    for name, args in groups.items():
        times[name] = timed([PYTHON, "-m", "pytest", "-q", *args], copy, check=False)[0]
        log(f"  {name} {times[name]:.1f} s")
    return times


def median(values):
    return statistics.median(values) if values else float("nan")


def report(today: dict, six: dict, tests: dict) -> list[dict]:
    rows = []
    print(f"\n{'step (median seconds)':<34} {'today':>8} {'six chapters':>13}")
    for step in ("cold", "noop", "edit", "validate", "execute", "sphinx", "baseline"):
        print(f"{step:<34} {median(today[step]):>8.2f} {median(six.get(step, [])):>13.2f}")
    for name, seconds in tests.items():
        print(f"{name:<34} {seconds:>8.1f}")

    def target(name, ratio, limit):
        rows.append({"target": name, "ratio": round(ratio, 3), "limit": limit, "ok": ratio <= limit})
        print(f"  {'PASS' if ratio <= limit else 'FAIL'}  {name}: {ratio:.2f} (limit {limit})")

    print("\ntargets:")
    target("no-op <= 0.05 x cold", median(today["noop"]) / median(today["cold"]), 0.05)
    target("one-table edit, today's book <= 0.6 x cold", median(today["edit"]) / median(today["cold"]), 0.6)
    if six:
        target("one-table edit, six chapters <= 0.35 x cold", median(six["edit"]) / median(six["cold"]), 0.35)
    for label, times in [("today", today), ("six chapters", six)]:
        if times:
            parts = median(times["validate"]) + median(times["execute"]) + median(times["sphinx"])
            target(f"one-table edit, {label} <= 1.2 x its parts", median(times["edit"]) / parts, 1.2)
    target("cold <= 0.6 x jupyter-book --all forced", median(today["cold"]) / median(today["baseline"]), 0.6)
    if tests:
        target("make test <= 5 x cold", tests["make test"] / median(today["cold"]), 5)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the build steps (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument("--skip-tests", action="store_true", help="do not time make test")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731 (progress, not results)
    work = Path(tempfile.mkdtemp(prefix="compendium-bench-"))
    try:
        log("today's book")
        copy = prepare_copy(work / "today")
        today = measure_book(copy, args.reps, max(args.reps, 5), log)
        tests = {} if args.skip_tests else measure_tests(copy, log)
        log("synthetic six-chapter book")
        six_copy = prepare_copy(work / "six")
        add_synthetic_chapters(six_copy)
        six = measure_book(six_copy, args.reps, args.reps, log)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    targets = report(today, six, tests)
    out = ROOT / "_build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cores": os.cpu_count(), "reps": args.reps, "today": today, "six": six,
                               "tests": tests, "targets": targets}, indent=1) + "\n", encoding="utf-8")
    print(f"\nraw timings: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
