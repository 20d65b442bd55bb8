"""Execute the notebooks whose code or inputs changed, in parallel; nothing else.

Jupyter Book's own cache keys a notebook on its code only, so an edited table
would leave an old number in the book. Here each notebook's key is the hash of
its code cells, of the shared package and of the pinned requirements; the
files it read and wrote during its last run (logged by compendium.data) are
recorded with their hashes. A notebook is re-executed when any of these
changed, judged by content, not by modification time. Notebooks are written
back only when their bytes change, so Sphinx (with compendium.sphinx_ext)
rebuilds exactly the pages that show them or glue from them.

Usage: python -m compendium.execute [--force] [--jobs N] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from . import ROOT

NOTEBOOKS = ROOT / "notebooks"
STATE = ROOT / "_build" / "execution-state.json"
# Notebooks that read what the others write run in a second round.
AGGREGATES = ("ledger.ipynb",)
# Build tooling that notebooks never import: editing it re-executes nothing.
TOOLING = ("execute.py", "sphinx_ext.py", "bench.py")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    """Hash of a file's bytes, or of a folder's sorted listing; None if absent."""
    if path.is_dir():
        return sha256("\n".join(sorted(p.name for p in path.iterdir())).encode())
    return sha256(path.read_bytes()) if path.exists() else None


def environment_hash() -> str:
    """Hash of the shared package's source and the pinned requirements."""
    digest = hashlib.sha256()
    files = sorted(p for p in (ROOT / "compendium").glob("*.py") if p.name not in TOOLING)
    for path in files + [ROOT / "requirements.txt"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def code_hash(path: Path) -> str:
    """Hash of what execution depends on in the notebook: its code cells and kernel."""
    nb = nbformat.read(path, as_version=4)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    kernel = nb.metadata.get("kernelspec", {}).get("name", "")
    return sha256(json.dumps([kernel, code]).encode())


def load_state() -> dict:
    try:
        return json.loads(STATE.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def save_state(state: dict) -> None:
    STATE.parent.mkdir(parents=True, exist_ok=True)
    tmp = STATE.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, STATE)


def why_stale(path: Path, record: dict | None, env: str) -> str | None:
    """The reason a notebook must be re-executed, or None when it is up to date."""
    if record is None:
        return "never executed here"
    if record["code"] != code_hash(path):
        return "its code changed"
    if record["environment"] != env:
        return "the shared package or the requirements changed"
    if record["notebook"] != file_hash(path):
        return "its outputs were edited since it was executed"
    for name, digest in {**record["reads"], **record["writes"]}.items():
        if file_hash(ROOT / name) != digest:
            return f"{name} changed"
    return None


def _relative(path: str) -> str:
    p = Path(path).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


def execute_one(path_text: str) -> dict:
    """Execute one notebook in a fresh kernel; return what it read and wrote (run in a worker)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path_text)
    with tempfile.TemporaryDirectory() as tmp:
        reads, writes = Path(tmp) / "reads", Path(tmp) / "writes"
        os.environ["COMPENDIUM_READS_FILE"], os.environ["COMPENDIUM_WRITES_FILE"] = str(reads), str(writes)
        # The kernel imports this checkout's package, whatever is installed.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as error:
            return {"notebook": path_text, "error": str(error)}
        seconds = time.perf_counter() - start
        logged = {kind: sorted({_relative(line) for line in f.read_text(encoding="utf-8").splitlines()})
                  if f.exists() else [] for kind, f in (("reads", reads), ("writes", writes))}
    text = nbformat.writes(nb) + "\n"
    changed = text.encode("utf-8") != path.read_bytes()
    if changed:
        tmp_path = path.with_suffix(".ipynb.tmp")
        tmp_path.write_text(text, encoding="utf-8")
        os.replace(tmp_path, path)
    return {"notebook": path_text, "seconds": seconds, "changed": changed, **logged}


def run(paths: list[Path], jobs: int, force: bool) -> int:
    from .data import TableError, validate

    try:
        validate()  # a broken table fails the build before any notebook runs
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    state, env = load_state(), environment_hash()
    rounds = [[p for p in paths if p.name not in AGGREGATES], [p for p in paths if p.name in AGGREGATES]]
    failed = False
    for batch in rounds:
        stale = {}
        for path in batch:
            reason = "--force" if force else why_stale(path, state.get(path.name), env)
            if reason:
                stale[path] = reason
            else:
                print(f"up to date: {path.relative_to(ROOT)}")
        if not stale:
            continue
        for path, reason in stale.items():
            print(f"executing {path.relative_to(ROOT)} ({reason})", flush=True)
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(stale)))) as pool:
            results = list(pool.map(execute_one, [str(p) for p in stale]))
        for result in results:
            path = Path(result["notebook"])
            if "error" in result:
                failed = True
                state.pop(path.name, None)
                print(f"error: {path.relative_to(ROOT)} failed; the notebook file was left as it was.\n"
                      f"{result['error']}", file=sys.stderr)
                continue
            state[path.name] = {
                "code": code_hash(path), "environment": env, "notebook": file_hash(path),
                "reads": {name: file_hash(ROOT / name) for name in result["reads"]},
                "writes": {name: file_hash(ROOT / name) for name in result["writes"]},
                "seconds": round(result["seconds"], 2),
            }
            outcome = "outputs changed" if result["changed"] else "outputs unchanged"
            print(f"executed {path.relative_to(ROOT)} in {result['seconds']:.1f} s ({outcome})")
        save_state(state)
        if failed:
            return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--force", action="store_true", help="execute every notebook, stale or not")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    return run(paths, args.jobs, args.force)


if __name__ == "__main__":
    sys.exit(main())
