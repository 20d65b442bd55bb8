"""Execute the notebooks whose code or inputs changed, in parallel; nothing else.

Jupyter Book's own cache keys a notebook on its code only, so an edited table
would leave an old number in the book. Here each notebook's key is the hash of
its code cells, of the shared package and of the pinned requirements; the
files it read (with the hash of the bytes it read) and wrote during its last
run are logged by compendium.data and recorded. A notebook is re-executed when
any of these changed, judged by content, not by modification time.

Stale notebooks run in parallel, in rounds, until none is stale: a notebook
that reads what another writes (the ledger reads every chapter's judgements)
runs again in the next round if that file changed under it, so the order
follows from the recorded reads and needs no declaration. Notebooks are
written back only when their bytes change, so Sphinx (with
compendium.sphinx_ext) rebuilds exactly the pages that show them or glue
from them.

Usage: python -m compendium.execute [--force] [--jobs N] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import ROOT, relative_to_root
from .hashing import file_hash, files_hash, sha256

NOTEBOOKS = ROOT / "notebooks"
STATE = ROOT / "_build" / "execution-state.json"
# Build tooling that notebooks never import: editing it re-executes nothing.
TOOLING = ("execute.py", "build.py", "sphinx_ext.py", "bench.py")
# Variables with which tests redirect what notebooks write; a build writes the real files.
REDIRECTS = ("COMPENDIUM_DERIVED_DIR", "COMPENDIUM_FIGURES_DIR")


def environment_hash() -> str:
    """Hash of the shared package's source and the pinned requirements."""
    files = sorted(p for p in (ROOT / "compendium").glob("*.py") if p.name not in TOOLING)
    return files_hash(files + [ROOT / "requirements.txt"], ROOT)


def code_hash(path: Path) -> str:
    """Hash of what execution depends on in the notebook: its code cells and kernel."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in nb["cells"] if cell["cell_type"] == "code"]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
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


NEVER = "never executed here"


def why_stale(path: Path, record: dict | None, env: str) -> str | None:
    """The reason a notebook must be re-executed, or None when it is up to date."""
    if record is None:
        return NEVER
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


def _read_log(path: Path) -> dict[str, str]:
    """{relative path: sha256} from a log of '<sha256> <path>' lines (first read wins)."""
    logged = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, name = line.split(" ", 1)
            logged.setdefault(relative_to_root(name), digest)
    return logged


def execute_one(path_text: str) -> dict:
    """Execute one notebook in a fresh kernel; return what it read and wrote (run in a worker)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    path = Path(path_text)
    with tempfile.TemporaryDirectory() as tmp:
        reads, writes = Path(tmp) / "reads", Path(tmp) / "writes"
        os.environ["COMPENDIUM_READS_FILE"], os.environ["COMPENDIUM_WRITES_FILE"] = str(reads), str(writes)
        for variable in REDIRECTS:
            os.environ.pop(variable, None)
        # The kernel imports this checkout's package, whatever is installed.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        nb = nbformat.read(path, as_version=4)
        # Unix sockets in a folder of its own: parallel kernels on TCP can race for ports.
        sockets = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(tmp) / "kernel")}})
        client = NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False, config=sockets,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as error:
            return {"notebook": path_text, "error": str(error)}
        seconds = time.perf_counter() - start
        logged = {"reads": _read_log(reads), "writes": _read_log(writes)}
    text = nbformat.writes(nb) + "\n"
    changed = text.encode("utf-8") != path.read_bytes()
    if changed:
        tmp_path = path.with_suffix(".ipynb.tmp")
        tmp_path.write_text(text, encoding="utf-8")
        os.replace(tmp_path, path)
    return {"notebook": path_text, "seconds": seconds, "changed": changed, **logged}


def run(paths: list[Path], jobs: int, force: bool, before_executing=None) -> int:
    """Execute the stale notebooks; before_executing(stale reasons), if given, is called first."""
    from .schema import TableError, validate

    state, env = load_state(), environment_hash()
    stale = {p: "--force" if force else why_stale(p, state.get(p.name), env) for p in paths}
    stale = {p: r for p, r in stale.items() if r}
    if stale and before_executing:
        before_executing(stale)  # may start work that needs no valid tables, e.g. early Sphinx
    try:
        validate()  # a broken table fails the build before any notebook runs (fast when unchanged)
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in (p for p in paths if p not in stale):
        print(f"up to date: {path.relative_to(ROOT)}")
    if not stale:
        return 0
    for _ in range(len(paths) + 1):  # each round settles at least one notebook, unless there is a cycle
        for path, reason in stale.items():
            print(f"executing {path.relative_to(ROOT)} ({reason})", flush=True)
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(stale)))) as pool:
            results = list(pool.map(execute_one, [str(p) for p in stale]))
        failed = False
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
                "reads": result["reads"], "writes": result["writes"], "seconds": round(result["seconds"], 2),
            }
            outcome = "outputs changed" if result["changed"] else "outputs unchanged"
            print(f"executed {path.relative_to(ROOT)} in {result['seconds']:.1f} s ({outcome})")
        save_state(state)
        if failed:
            return 1
        # A notebook that read a file another one rewrote in this round runs again.
        stale = {p: r for p in paths if (r := why_stale(p, state.get(p.name), env))}
        if not stale:
            return 0
    print(f"error: notebooks keep changing each other's inputs: {', '.join(p.name for p in stale)}", file=sys.stderr)
    return 1


def main(argv=None, before_executing=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--force", action="store_true", help="execute every notebook, stale or not")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    return run(paths, args.jobs, args.force, before_executing)


if __name__ == "__main__":
    sys.exit(main())
