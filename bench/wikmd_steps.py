"""wikmd (PyPI ``wikmd``, Flask + Whoosh), the peer: its own venv, its own wiki folder.

How wikmd is set up, from its source (wikmd/config.py, wikmd/wiki.py, version 1.10.6):

- Settings come from environment variables first, then from ``wikmd-config.yaml`` *inside
  the installed package* (not the working directory), then defaults. The defaults listen
  on 0.0.0.0 and keep the search index and page cache in ``/dev/shm/wikmd``, shared by
  every wikmd on the machine: the benchmark sets ``WIKMD_HOST=127.0.0.1``, ``WIKMD_PORT``,
  ``WIKI_DIRECTORY``, ``SEARCH_DIR`` and ``CACHE_DIR`` (the last two inside the work
  folder). ``LOCAL_MODE`` stays off: on, it downloads CSS/JS from CDNs at start.
- ``wikmd`` (``wikmd.wiki:run_wiki``) makes the wiki folder a git repository and commits
  every file, rebuilds the whole Whoosh index in one writer, and only then starts Flask's
  development server (``debug=True``, threaded). The port answering means: index built.
- A page is a file ``<name>.md``; its title in the index is the file name. Front matter
  would be eaten by Python-Markdown's ``meta`` extension, so each page starts with
  ``# Title`` instead (``corpus.wikmd_text``).
- Search is ``GET /search?q=…``: it opens the index, parses with ``MultifieldParser``
  (title, content; AND), highlights every hit and runs the spelling corrector every time.
- Editing is ``POST /edit/<page>`` with the fields ``PN`` (page name) and ``CT`` (Markdown).
  The file is written; a watchdog process (one forked at start) sees the change and
  re-indexes the page with an ``AsyncWriter``; a thread commits to git.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from bench import procs
from bench.corpus import Article, write_wikmd_pages
from bench.httptiming import Client

WIKMD_VERSION = "1.10.6"
FOUND = re.compile(rb"Found (\d+) result")


def ensure_venv(work: Path) -> Path:
    """``work/wikmd-venv/bin/wikmd``, installed with pip into a venv of its own if missing."""
    venv = work / "wikmd-venv"
    program = venv / "bin" / "wikmd"
    if not program.exists():
        print(f"wikmd {WIKMD_VERSION} wird installiert: {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", f"wikmd=={WIKMD_VERSION}"]
        subprocess.run(pip, check=True, stdout=sys.stderr)
    return program


def fresh_wiki(folder: Path, articles: list[Article]) -> Path:
    """A new wiki folder with one page per article (wikmd turns it into a git repo)."""
    if folder.exists():
        shutil.rmtree(folder)
    wiki = folder / "wiki"
    write_wikmd_pages(wiki, articles)
    return wiki


def environment(folder: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WIKMD_HOST="127.0.0.1",
        WIKMD_PORT=str(port),
        WIKI_DIRECTORY=str(folder / "wiki"),
        SEARCH_DIR=str(folder / "searchindex"),
        CACHE_DIR=str(folder / "cache"),
        WIKMD_LOGGING_FILE=str(folder / "wikmd.log"),
    )
    return env


def serve(program: Path, folder: Path, port: int, log: Path) -> subprocess.Popen:
    return procs.start([str(program)], environment(folder, port), folder, log)


def search_path(text: str) -> str:
    return f"/search?q={quote(text)}"


def hits(client: Client, text: str) -> int:
    answer = client.get(search_path(text))
    found = FOUND.search(answer.body)
    return int(found.group(1)) if answer.status == 200 and found else -1


def wait_searchable(client: Client, words: list[str], timeout: float) -> float:
    """Seconds until every word is found on wikmd's search page (-1 on timeout)."""
    started = time.perf_counter()
    for word in words:
        while hits(client, word) < 1:
            if time.perf_counter() - started > timeout:
                return -1.0
            time.sleep(0.2)
    return time.perf_counter() - started


def edit_page(client: Client, page: str, text: str) -> int:
    """Like wikmd's editor: open the page's form, then post the new Markdown."""
    form = client.get(f"/edit/{page}")
    if form.status != 200:
        return form.status
    return client.post(f"/edit/{page}", {"PN": page, "CT": text}).status
