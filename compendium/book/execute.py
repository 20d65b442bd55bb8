"""Execute the notebooks whose code or inputs changed, in dependency order.

The source of notebooks/<name>.ipynb is its MyST text notebook,
notebooks/md/<name>.md (jupytext), when there is one: the file people edit.
Each executed notebook carries, in its metadata ("compendium"), a record of
its last run: the hash of its cells, of the domain package and the pins,
and of every file it read (logged by compendium.data as it ran, with the hash
of the bytes read) and wrote. The record is committed with the notebook, so a
fresh clone knows what is current without running anything. A notebook is
stale when any of these hashes changed: judged by content, never by mtime.

Order: a notebook that read a file another stale notebook writes runs after
it (graphlib over the recorded reads and writes); independent notebooks run
in parallel, one kernel per job. A notebook with no record yet runs at once;
if it turns out to read what a sibling then rewrote, it is stale again and
runs in a second pass, never failing because of the sibling.

What a notebook writes (derived tables, glue, figures) goes to a staging
folder and lands only when the whole notebook succeeded, together with the
re-executed notebook; a failure leaves every committed file as it was.

Usage: python -m compendium.book.execute [--force] [--jobs N] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from graphlib import TopologicalSorter
from pathlib import Path

import nbformat

from .. import ROOT, relative_to_root
from ..data import write_if_changed
from ..hashing import file_hash, files_hash, sha256
from ..schema import VALIDATED_ENV, TableError, validate

NOTEBOOKS = ROOT / "notebooks"
RECORD = "compendium"  # notebook metadata key of the run record
TIMES = ROOT / "_build" / "execution-times.json"  # seconds per notebook, for the status page
# Where staged outputs land: a notebook writes <staging>/derived/x and <staging>/figures/x.
LANDING = {"derived": ROOT / "data" / "derived", "figures": ROOT / "book" / "figures"}
NEVER = "never executed"


def environment_hash() -> str:
    """Hash of the domain package (what notebooks import) and the pinned requirements.

    Only compendium/*.py: the book machinery in compendium/book/ is not imported
    by notebooks, so editing it re-executes nothing.
    """
    return files_hash(sorted((ROOT / "compendium").glob("*.py")) + [ROOT / "requirements.txt"], ROOT)


def cells_hash(nb) -> str:
    """Hash of the notebook's cells (code and prose: the page shows both) and kernel."""
    cells = [(cell.cell_type, cell.source) for cell in nb.cells]
    return sha256(json.dumps([nb.metadata.get("kernelspec", {}).get("name", ""), cells]).encode())


def text_notebook(path: Path) -> Path:
    return path.parent / "md" / f"{path.stem}.md"


def source_notebook(path: Path):
    """The notebook to execute: the .ipynb's cells replaced by its text notebook's, outputs kept."""
    nb = nbformat.read(path, as_version=4) if path.exists() else None
    text = text_notebook(path)
    if not text.exists():
        return nb
    import jupytext
    from jupytext.combine import combine_inputs_with_outputs

    source = jupytext.read(text)
    return combine_inputs_with_outputs(source, nb) if nb is not None else source


def record_of(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get(RECORD, {})


def why_stale(path: Path, env: str) -> str | None:
    """The reason a notebook must be re-executed, or None when it is current."""
    record = record_of(path)
    if not record:
        return NEVER
    if record.get("cells") != cells_hash(source_notebook(path)):
        return "its cells changed"
    if record.get("environment") != env:
        return "the domain package or the requirements changed"
    for name, digest in {**record.get("reads", {}), **record.get("writes", {})}.items():
        if file_hash(ROOT / name) != digest:
            return f"{name} changed"
    return None


def dependencies(stale: list[Path]) -> dict[Path, set[Path]]:
    """For each stale notebook, the stale notebooks that write a file it read last time."""
    writer = {name: path for path in stale for name in record_of(path).get("writes", {})}
    return {path: {writer[name] for name in record_of(path).get("reads", {})
                   if name in writer and writer[name] != path} for path in stale}


def _read_log(path: Path) -> dict[str, str]:
    """{relative path: sha256} from a log of '<sha256> <path>' lines (first read wins)."""
    logged = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, name = line.split(" ", 1)
            logged.setdefault(relative_to_root(name), digest)
    return logged


def execute_one(path_text: str, staging_text: str, validated: str) -> dict:
    """Execute one notebook in a fresh kernel, writing into staging (runs in a worker process)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    path, staging = Path(path_text), Path(staging_text)
    reads = staging / "reads.log"
    # The kernel inherits this environment: it logs reads, writes into staging,
    # skips re-validating content the build validated, imports this checkout.
    os.environ.update({
        "COMPENDIUM_READS_FILE": str(reads),
        "COMPENDIUM_DERIVED_DIR": str(staging / "derived"),
        "COMPENDIUM_FIGURES_DIR": str(staging / "figures"),
        VALIDATED_ENV: validated,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    nb = source_notebook(path)
    # Unix sockets in a folder of its own: parallel kernels on TCP can race for ports.
    sockets = Config({"KernelManager": {"transport": "ipc", "ip": str(staging / "kernel")}})
    client = NotebookClient(nb, timeout=600, record_timing=False, config=sockets,
                            kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        return {"notebook": path_text, "error": str(error)}
    return {"notebook": path_text, "seconds": time.perf_counter() - start,
            "reads": _read_log(reads), "text": nbformat.writes(nb)}


def staged_files(staging: Path) -> dict[Path, Path]:
    """{staged file: where it lands} for everything the notebook wrote."""
    return {p: LANDING[folder] / p.name for folder in LANDING
            for p in sorted((staging / folder).glob("*")) if p.is_file()}


def land(path: Path, result: dict, staging: Path, env: str) -> bool:
    """Move a successful run's outputs into place and record it; return whether the notebook changed."""
    written = {target: staged.read_bytes() for staged, target in staged_files(staging).items()}
    nb = nbformat.reads(result["text"], as_version=4)
    nb.metadata[RECORD] = {
        "cells": cells_hash(nb), "environment": env,
        "reads": {k: v for k, v in sorted(result["reads"].items()) if k not in map(relative_to_root, written)},
        "writes": {relative_to_root(t): sha256(c) for t, c in sorted(written.items())},
    }
    for target, content in written.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_if_changed(target, content)
    text = nbformat.writes(nb) + "\n"
    changed = not path.exists() or text.encode("utf-8") != path.read_bytes()
    write_if_changed(path, text.encode("utf-8"))
    return changed


def run_pass(stale: dict[Path, str], jobs: int, env: str, validated: str, times: dict) -> bool:
    """Execute the stale notebooks once, in dependency order; return False if any failed."""
    graph = dependencies(list(stale))
    order = TopologicalSorter(graph)
    order.prepare()
    failed: set[Path] = set()
    with tempfile.TemporaryDirectory(prefix="compendium-run-") as tmp, \
            ProcessPoolExecutor(max_workers=max(1, min(jobs, len(stale)))) as pool:
        running = {}
        while order.is_active():
            for path in order.get_ready():
                if graph[path] & failed:
                    print(f"skipped {relative_to_root(path)}: an input's notebook failed", file=sys.stderr)
                    failed.add(path)
                    order.done(path)
                    continue
                print(f"executing {relative_to_root(path)} ({stale[path]})", flush=True)
                staging = Path(tmp) / path.stem
                staging.mkdir()
                running[pool.submit(execute_one, str(path), str(staging), validated)] = (path, staging)
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                path, staging = running.pop(future)
                result = future.result()
                if "error" in result:
                    failed.add(path)
                    print(f"error: {relative_to_root(path)} failed; nothing it wrote was kept.\n"
                          f"{result['error']}", file=sys.stderr)
                else:
                    changed = land(path, result, staging, env)
                    times[relative_to_root(path)] = round(result["seconds"], 2)
                    print(f"executed {relative_to_root(path)} in {result['seconds']:.1f} s "
                          f"({'outputs changed' if changed else 'outputs unchanged'})", flush=True)
                shutil.rmtree(staging, ignore_errors=True)
                order.done(path)
    return not failed


def run(paths: list[Path], jobs: int, force: bool = False) -> int:
    """Validate the tables, then execute the stale notebooks until none is stale."""
    try:
        validated = validate()  # a broken table fails the build before any notebook runs
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    env = environment_hash()
    stale = {p: "--force" if force else why_stale(p, env) for p in paths}
    for path in (p for p in paths if not stale[p]):
        print(f"up to date: {relative_to_root(path)}")
    times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    # A second pass only if a notebook read what a sibling rewrote after it ran.
    for _ in range(len(paths) + 1):
        stale = {p: r for p, r in stale.items() if r}
        if not stale:
            TIMES.parent.mkdir(parents=True, exist_ok=True)
            TIMES.write_text(json.dumps(times, indent=1, sort_keys=True))
            return 0
        if not run_pass(stale, jobs, env, validated, times):
            return 1
        stale = {p: why_stale(p, env) for p in paths}
    print(f"error: notebooks keep changing each other's inputs: {', '.join(p.name for p in stale)}", file=sys.stderr)
    return 1


def notebook_paths(names=()) -> list[Path]:
    """The named notebooks, or every notebook (a new text notebook counts before its .ipynb exists)."""
    if names:
        return [Path(n).resolve() for n in names]
    stems = {p.stem for p in NOTEBOOKS.glob("*.ipynb")} | {p.stem for p in (NOTEBOOKS / "md").glob("*.md")}
    return [NOTEBOOKS / f"{stem}.ipynb" for stem in sorted(stems)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--force", action="store_true", help="execute every notebook, stale or not")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    return run(notebook_paths(args.notebooks), args.jobs, args.force)


if __name__ == "__main__":
    sys.exit(main())
