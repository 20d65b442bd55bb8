"""`make watch`: a live preview for authors, on 127.0.0.1.

sphinx-autobuild's watcher and live-reload server, with `make book`'s own build
(compendium.book.build) instead of a bare sphinx-build: on save of a table, a
text notebook, a page or the package, exactly the stale notebooks re-run, the
ledger is assembled, Sphinx re-reads the pages whose data changed, and the
open browser tab reloads. What the build itself writes is not watched.

Usage: python -m compendium.book.watch [--port N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import uvicorn
from sphinx_autobuild.filter import IgnoreFilter
from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
from sphinx_autobuild.server import RebuildServer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles

from .. import ROOT
from .build import HTML

WATCHED = ["book", "data/raw", "data/datapackage.json", "notebooks/md", "compendium", "_config.yml", "_toc.yml"]
# Written by the build: watching them would rebuild after every build.
IGNORED = ["_build", "book/figures", "data/derived", "compendium/__pycache__", "compendium/book/__pycache__"]


def rebuild(changed_paths=()) -> None:
    names = ", ".join(str(p.relative_to(ROOT)) for p in changed_paths[:5] if p.is_relative_to(ROOT))
    print(f"\nchanged: {names}" if names else "\nbuilding", flush=True)
    subprocess.run([sys.executable, "-m", "compendium.book.build"], cwd=ROOT)


def app(host: str) -> Starlette:
    # WATCHED entries are folders or files; RebuildServer watches both.
    paths = [ROOT / name for name in WATCHED if (ROOT / name).exists()]
    watcher = RebuildServer(paths, IgnoreFilter([str(ROOT / name) for name in IGNORED], [r".*\.ipynb$", r".*~$"]),
                            change_callback=rebuild)
    return Starlette(
        routes=[WebSocketRoute("/websocket-reload", watcher, name="reload"),
                Mount("/", app=StaticFiles(directory=HTML, html=True), name="static")],
        middleware=[Middleware(JavascriptInjectorMiddleware, ws_url=host)],
        lifespan=watcher.lifespan,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    rebuild()
    host = f"127.0.0.1:{args.port}"
    print(f"Serving the book on http://{host}/ (Ctrl+C stops)", flush=True)
    uvicorn.run(app(host), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
