"""Benchmark: search speed of wissen over HTTP, before and after edits, against wikmd.

Steps (all data under ``--work``, default /tmp/wissen-bench; nothing in the repository):

1. corpus: ``../shared/testdata/make_de_corpus.sh`` (real German text, built once), turned
   into a bundle of ``--articles`` articles and ``--pdfs`` PDFs of 20 pages (reused when
   the same sizes and seed were built before);
2. wissen: ``wissen init`` + ``wissen import`` into a fresh data folder (import time), then
   ``wissen serve``: time until every document is ``ready`` and searchable;
3. a fixed mix of 50 queries (one word, several words, a phrase, with facets) against
   ``GET /api/v1/search`` and ``GET /suche``: median per query of ``--repeat`` rounds after
   a warm-up, p50/p95 over the queries; index size, peak memory (VmHWM);
4. ``--edits`` edits through the browser form (sign in, open the editor, save), wait
   until they are searchable, the same mix again;
5. wikmd in its own venv on the same articles (Markdown pages, no PDFs), the text part
   of the same mix before and after the same edits (through wikmd's edit form);
6. a table with the targets; ``--json FILE`` writes the figures too.

Run from the repository root::

    .venv/bin/python bench/search_latency.py                         # 20,000 + 1,000 PDFs
    .venv/bin/python bench/search_latency.py --articles 2000 --pdfs 50 --edits 100

Every process it starts is stopped on exit, also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/x.py` puts bench/ first, not the repo
    sys.path.insert(0, str(REPO))

from bench import corpus, procs, wikmd_steps, wissen_steps, workload  # noqa: E402
from bench.httptiming import Client, MixTiming, time_mix, url  # noqa: E402

MAX_BODY = 200_000  # wissen's editor refuses longer texts (services/editing.py)
TARGET_P95_MS = 50.0
TARGET_RATIO = 3.0
TOLERANCE_AFTER = 1.10  # "no slower": after/before up to 1.10 is measuring noise here


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/wissen-bench"))
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--pdfs", type=int, default=1_000)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5, help="measured rounds per query")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument(
        "--budget",
        type=float,
        default=900,
        help="seconds per measured mix: fewer rounds if the warm-up shows it takes longer",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-wikmd", action="store_true", help="measure wissen only")
    parser.add_argument("--no-wissen", action="store_true", help="measure wikmd only")
    parser.add_argument("--reindex", action="store_true", help="also time `wissen reindex`")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per wait")
    return parser.parse_args(argv)


# --- the workload ------------------------------------------------------------------------


class Workload:
    """Bundle, queries and edits, built once from the corpus and used by both systems."""

    def __init__(self, args: argparse.Namespace) -> None:
        started = time.perf_counter()
        self.info, self.articles = corpus.build_bundle(
            args.work, args.articles, args.pdfs, args.seed
        )
        pages = corpus.read_corpus(args.work / "de-corpus")
        self.queries = workload.build_mix(pages, self.info.themes, self.info.regions, args.seed)
        self.edits = workload.build_edits(self.articles, pages, args.edits, args.seed, MAX_BODY)
        self.seconds = time.perf_counter() - started
        self.check_words = self._check_words(args.seed)

    def _check_words(self, seed: int) -> list[str]:
        """The last edit's new word and 9 others, to know the edits are all searchable."""
        if not self.edits:
            return []
        others = random.Random(seed).sample(self.edits[:-1], min(9, len(self.edits) - 1))
        return [self.edits[-1].marker, *(e.marker for e in others)]

    def urls(self, path: str) -> list[str]:
        return [url(path, q.params()) for q in self.queries]

    def text_urls(self) -> list[str]:
        return [wikmd_steps.search_path(q.text) for q in self.queries]


def measure(client: Client, label: str, urls: list[str], args: argparse.Namespace) -> MixTiming:
    log(f"Messung {label}: {len(urls)} Anfragen × {args.repeat} (+{args.warmup} Aufwärmen)")
    timing = time_mix(client, label, urls, args.repeat, args.warmup, args.budget)
    # Others on the machine slow every system alike; the 1-minute load shows when they ran.
    timing.load = os.getloadavg()[0]
    log(
        f"  {label}: p50 {timing.p50:.1f} ms, p95 {timing.p95:.1f} ms "
        f"({timing.rounds} Runden, Last {timing.load:.1f})"
    )
    return timing


# --- wissen --------------------------------------------------------------------------------


def wissen_import(data: Path, load: Workload) -> dict[str, Any]:
    log(f"wissen: neue Instanz in {data}, Import von {load.info.root.name}")
    wissen_steps.fresh_instance(data)
    run = wissen_steps.cli(data, "import", str(load.info.root), check=False)
    if run.code != 0:
        log(f"wissen import: Code {run.code}\n{run.output[-2000:]}")
    count = len(load.info.articles)
    log(f"  Import: {run.seconds:.1f} s ({count / run.seconds:.1f} Artikel/s)")
    return {
        "import_s": round(run.seconds, 1),
        "import_articles_per_s": round(count / run.seconds, 1),
        "import_peak_mb": round(run.peak_mb, 1),
        "import_exit_code": run.code,
    }


def wissen_ready(client: Client, load: Workload, pid: int, timeout: float) -> dict[str, Any]:
    """From the server's start: documents ready, then searchable, then the tree idle."""
    started = time.perf_counter()
    outcome = wissen_steps.wait_documents(client, load.info.documents, timeout)
    ready = time.perf_counter() - started
    log(f"  Dokumente fertig nach {ready:.1f} s: {outcome}")
    words = [load.info.document_words[s] for s in load.info.documents[-5:]]
    found = wissen_steps.wait_searchable(client, words, timeout, "&type=document")
    found_article = wissen_steps.wait_searchable(client, [load.info.last_article_word], timeout)
    indexed = time.perf_counter() - started
    idle = procs.wait_quiet(pid, timeout)
    log(f"  durchsuchbar nach {indexed:.1f} s, Ruhe nach weiteren {idle:.1f} s")
    return {
        "documents": outcome,
        "documents_ready_s": round(ready, 1),
        "documents_searchable_s": round(indexed, 1) if min(found, found_article) >= 0 else None,
        "idle_after_s": round(indexed + idle, 1),
    }


def apply_edits(
    client: Client,
    load: Workload,
    save_one: Callable[[workload.Edit], int],
    wait_searchable: Callable[[Client, list[str], float], float],
    pid: int,
    timeout: float,
) -> dict[str, Any]:
    """Save every edit one after the other, then wait until they are found and all is idle."""
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for number, edit in enumerate(load.edits, start=1):
        status = str(save_one(edit))
        statuses[status] = statuses.get(status, 0) + 1
        if number % 100 == 0:
            log(f"  {number} Änderungen gespeichert")
    seconds = time.perf_counter() - started
    searchable = wait_searchable(client, load.check_words, timeout)
    idle = procs.wait_quiet(pid, timeout)
    log(f"  {len(load.edits)} Änderungen: {seconds:.1f} s, durchsuchbar nach {searchable:.1f} s")
    return {
        "edits": len(load.edits),
        "edits_s": round(seconds, 1),
        "edits_per_s": round(len(load.edits) / seconds, 1) if seconds else None,
        "edit_statuses": statuses,
        "edits_searchable_after_s": round(searchable, 1) if searchable >= 0 else None,
        "idle_after_s": round(searchable + idle, 1),
    }


def wissen_edits(client: Client, load: Workload, pid: int, timeout: float) -> dict[str, Any]:
    wissen_steps.login(client)

    def save_one(edit: workload.Edit) -> int:
        return wissen_steps.edit_article(client, edit.slug, edit.body, "Benchmark-Änderung")

    return apply_edits(client, load, save_one, wissen_steps.wait_searchable, pid, timeout)


def run_wissen(args: argparse.Namespace, load: Workload, figures: dict[str, Any]) -> None:
    """Fills ``figures`` step by step, so that a failure keeps what was measured."""
    data = args.work / "data"
    figures.update(wissen_import(data, load))
    port = procs.free_port()
    server = wissen_steps.serve(data, port, args.work / "wissen-serve.log")
    memory = procs.MemoryWatch(server.pid)
    try:
        procs.wait_http(f"http://127.0.0.1:{port}/-/health", server, 300)
        client = Client(port)
        figures["start"] = wissen_ready(client, load, server.pid, args.timeout)
        figures["index_mb"] = procs.folder_mb(data / "index")
        figures["api_before"] = measure(client, "wissen API", load.urls("/api/v1/search"), args)
        figures["page_before"] = measure(client, "wissen /suche", load.urls("/suche"), args)
        figures["edit"] = wissen_edits(Client(port), load, server.pid, args.timeout)
        # The editor's connection is signed in as an admin, whose pages cost more (session,
        # user lookup, drafts visible): the "after" mix runs, like "before", anonymously.
        reader = Client(port)
        figures["api_after"] = measure(reader, "wissen API", load.urls("/api/v1/search"), args)
        figures["page_after"] = measure(reader, "wissen /suche", load.urls("/suche"), args)
        figures["index_mb_after_edits"] = procs.folder_mb(data / "index")
        figures["memory"] = memory.close()
        figures["http_reconnects"] = client.reconnects + reader.reconnects
        if args.reindex:
            run = wissen_steps.cli(data, "reindex")
            figures["reindex_s"] = round(run.seconds, 1)
            figures["reindex_peak_mb"] = round(run.peak_mb, 1)
            figures["index_mb_after_reindex"] = procs.folder_mb(data / "index")
    finally:
        procs.stop(server)


# --- wikmd ---------------------------------------------------------------------------------


def wikmd_edits(client: Client, load: Workload, pid: int, timeout: float) -> dict[str, Any]:
    by_slug = {a.slug: a for a in load.articles}

    def save_one(edit: workload.Edit) -> int:
        page = corpus.wikmd_text(dataclasses.replace(by_slug[edit.slug], body=edit.body))
        return wikmd_steps.edit_page(client, edit.slug, page)

    return apply_edits(client, load, save_one, wikmd_steps.wait_searchable, pid, timeout)


def run_wikmd(args: argparse.Namespace, load: Workload, figures: dict[str, Any]) -> None:
    """Fills ``figures`` step by step, so that a failure keeps what was measured."""
    program = wikmd_steps.ensure_venv(args.work)
    folder = args.work / "wikmd"
    log(f"wikmd: {len(load.articles)} Seiten in {folder}")
    wikmd_steps.fresh_wiki(folder, load.articles)
    port = procs.free_port()
    server = wikmd_steps.serve(program, folder, port, args.work / "wikmd-serve.log")
    memory = procs.MemoryWatch(server.pid)
    try:
        up = procs.wait_http(f"http://127.0.0.1:{port}/", server, args.timeout)
        log(f"  wikmd bereit (git + Index) nach {up:.1f} s")
        idle = procs.wait_quiet(server.pid, args.timeout)
        figures["start"] = {
            "documents_searchable_s": round(up, 1),
            "idle_after_s": round(up + idle, 1),
        }
        figures["index_mb"] = procs.folder_mb(folder / "searchindex")
        client = Client(port)
        figures["page_before"] = measure(client, "wikmd /search", load.text_urls(), args)
        figures["edit"] = wikmd_edits(client, load, server.pid, args.timeout)
        figures["page_after"] = measure(client, "wikmd /search", load.text_urls(), args)
        figures["index_mb_after_edits"] = procs.folder_mb(folder / "searchindex")
        figures["memory"] = memory.close()
        figures["http_reconnects"] = client.reconnects
    finally:
        procs.stop(server)


# --- the report ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def as_json(value: Any) -> Any:
    if isinstance(value, MixTiming):
        return value.figures()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


Row = tuple[str, str, str, str]  # what, figure, target, met ("yes", "NO" or "–")


def _row(what: str, value: float | None, unit: str, goal: str, met: bool | None) -> Row:
    figure = "–" if value is None else f"{value:.2f}{unit}"
    return what, figure, goal, "–" if met is None else ("yes" if met else "NO")


def wissen_targets(wissen: dict[str, Any]) -> list[Row]:
    rows = []
    for key, name in (("api", "API"), ("page", "/suche")):
        before, after = wissen[f"{key}_before"], wissen[f"{key}_after"]
        for when, timing in (("", before), (" after edits", after)):
            met = timing.p95 <= TARGET_P95_MS
            rows.append(_row(f"wissen {name} p95{when}", timing.p95, " ms", "≤ 50 ms", met))
        for stat in ("p50", "p95"):
            value = ratio(getattr(after, stat), getattr(before, stat))
            met = value is not None and value <= TOLERANCE_AFTER
            what = f"wissen {name} {stat} after/before edits"
            rows.append(_row(what, value, "", "≤ 1 (+10 % noise)", met))
    return rows


def peer_targets(wissen: dict[str, Any], wikmd: dict[str, Any]) -> list[Row]:
    value = ratio(wikmd["page_after"].p50, wikmd["page_before"].p50)
    rows = [_row("wikmd p50 after/before edits", value, "", "(peer)", None)]
    if not wissen:
        return rows
    for when in ("before", "after"):
        for key, name in (("page", "/suche"), ("api", "API")):
            value = ratio(wikmd[f"page_{when}"].p50, wissen[f"{key}_{when}"].p50)
            met = value is not None and value >= TARGET_RATIO
            rows.append(_row(f"wikmd p50 / wissen {name} p50, {when} edits", value, "", "≥ 3", met))
    return rows


def targets(wissen: dict[str, Any], wikmd: dict[str, Any]) -> list[Row]:
    """The target table; a side that was not measured adds no rows."""
    return (wissen_targets(wissen) if wissen else []) + (
        peer_targets(wissen, wikmd) if wikmd else []
    )


ENDPOINTS = (
    ("wissen", "api", "wissen GET /api/v1/search"),
    ("wissen", "page", "wissen GET /suche"),
    ("wikmd", "page", "wikmd GET /search"),
)


def timing_rows(report: dict[str, Any]) -> list[str]:
    lines = []
    for system, key, label in ENDPOINTS:
        for when in ("before", "after"):
            timing = (report.get(system) or {}).get(f"{key}_{when}")
            if timing is not None:
                lines.append(
                    f"| {label}, {when} edits | {timing.p50:.1f} | {timing.p95:.1f} "
                    f"| {max(timing.per_query_ms):.1f} | {timing.rounds} | {timing.load:.1f} |"
                )
                first = timing.first_round_figures()
                if first and system == "wissen":
                    lines.append(
                        f"| {label}, {when} edits, first round | {first['first_round_p50_ms']:.1f}"
                        f" | {first['first_round_p95_ms']:.1f} "
                        f"| {max(timing.first_round_ms):.1f} | 1 | {timing.load:.1f} |"
                    )
    return lines


def by_category(timing: MixTiming, queries: list[workload.Query]) -> dict[str, float]:
    """Median per query category (which kind of query drives the p95)."""
    groups: dict[str, list[float]] = {}
    for query, ms in zip(queries, timing.per_query_ms, strict=True):
        groups.setdefault(query.category, []).append(ms)
    return {name: round(statistics.median(values), 1) for name, values in groups.items()}


def categories(report: dict[str, Any], queries: list[workload.Query]) -> dict[str, Any]:
    """{"<endpoint>, <before|after>": {query kind: p50 ms}} for every measured mix."""
    table = {}
    for system, key, label in ENDPOINTS:
        for when in ("before", "after"):
            timing = (report.get(system) or {}).get(f"{key}_{when}")
            if timing is not None:
                table[f"{label}, {when}"] = by_category(timing, queries)
    return table


def category_rows(table: dict[str, dict[str, float]]) -> list[str]:
    names = list(workload.MIX)
    lines = ["| p50 ms by query kind | " + " | ".join(names) + " |"]
    lines.append("|---|" + "---:|" * len(names))
    for label, medians in table.items():
        lines.append(f"| {label} | " + " | ".join(f"{medians[n]:.1f}" for n in names) + " |")
    return lines


FIGURES = (
    ("import, s (wissen import)", "import_s"),
    ("import, articles/s", "import_articles_per_s"),
    ("import process, peak MB", "import_peak_mb"),
    ("start until documents ready, s", "start.documents_ready_s"),
    ("start until all searchable, s (wikmd: git + index)", "start.documents_searchable_s"),
    ("start until idle, s", "start.idle_after_s"),
    ("documents ready / failed", "start.documents"),
    ("index on disk, MB", "index_mb"),
    ("index after edits, MB", "index_mb_after_edits"),
    ("edits/s (form: open + save)", "edit.edits_per_s"),
    ("edit statuses", "edit.edit_statuses"),
    ("last edit until searchable, s", "edit.edits_searchable_after_s"),
    ("server VmHWM, MB", "memory.main_mb"),
    ("largest child VmHWM, MB", "memory.children_max_mb"),
    ("process tree RSS peak, MB", "memory.tree_rss_max_mb"),
    ("wissen reindex, s", "reindex_s"),
)


def _lookup(figures: dict[str, Any], path: str) -> str:
    value: Any = figures
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return "–"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def print_report(report: dict[str, Any]) -> None:
    m, sizes = report["machine"], report["sizes"]
    print(f"\nMachine: {m['nproc']} cores, {m['cpu']}, Python {m['python']}; {m['date']}")
    print(
        f"Sizes: {sizes['articles']} articles, {sizes['pdfs']} PDFs × {corpus.PDF_PAGES} pages,"
        f" {sizes['edits']} edits, {sizes['queries']} queries × {sizes['repeat']} rounds\n"
    )
    print("| search (median per query over rounds) | p50 ms | p95 ms | max ms | rounds | load |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(timing_rows(report)) + "\n")
    print("\n".join(category_rows(report["by_category"])) + "\n")
    print("| other figures | wissen | wikmd |")
    print("|---|---:|---:|")
    for label, path in FIGURES:
        cells = [_lookup(report.get(name) or {}, path) for name in ("wissen", "wikmd")]
        if any(c != "–" for c in cells):
            print(f"| {label} | {cells[0]} | {cells[1]} |")
    print("\n| target | figure | target | met |")
    print("|---|---:|---|---|")
    for what, figure, goal, met in report["targets"]:
        print(f"| {what} | {figure} | {goal} | {met} |")


# --- main ------------------------------------------------------------------------------------


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # the finally blocks stop every child


def run(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Fills ``report``; the caller saves it even when a step fails."""
    args.work.mkdir(parents=True, exist_ok=True)
    log(f"Korpus und Bundle in {args.work}")
    load = Workload(args)
    log(f"  {len(load.articles)} Artikel, {len(load.info.documents)} PDFs ({load.seconds:.0f} s)")
    report["machine"] = machine()
    report["sizes"] = {
        "articles": args.articles,
        "pdfs": args.pdfs,
        "pdf_pages": args.pdfs * corpus.PDF_PAGES,
        "edits": len(load.edits),
        "queries": len(load.queries),
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seed": args.seed,
    }
    report["queries"] = [
        {"category": q.category, "q": q.text, "facets": q.facets} for q in load.queries
    ]
    report["wissen"], report["wikmd"] = {}, {}
    if not args.no_wissen:
        run_wissen(args, load, report["wissen"])
        save(report, args.work / "last-run.json")
    if not args.no_wikmd:
        run_wikmd(args, load, report["wikmd"])
    report["targets"] = targets(report["wissen"], report["wikmd"])
    report["by_category"] = categories(report, load.queries)


def save(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lock = procs.lock_work(args.work, "search_latency")  # noqa: F841 - released when the process ends
    signal.signal(signal.SIGTERM, _terminate)
    report: dict[str, Any] = {}
    try:
        run(args, report)
    except KeyboardInterrupt:
        log("abgebrochen")
        return 130
    finally:
        procs.stop_all()
        save(report, args.work / "last-run.json")  # what was measured, even after a failure
    print_report(report)
    if args.json:
        save(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
