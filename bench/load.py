"""Load benchmark: readers and writers at once against ``wissen serve``, then a check that
no acknowledged write was lost.

In a fresh data folder (``--work``, default /tmp/wissen-load) it imports a bundle
(``../shared/eval-dev``, else the starter content ``content/``), creates one account per
writer, starts ``wissen serve`` as in production (waitress, embedded worker) on loopback
and waits until the bundle's documents are read and the server is idle. Then for
``--seconds``:

- ``--readers`` readers, each a closed loop (the next request when the last is answered):
  ``/suche`` and ``/api/v1/search`` with the bundle's evaluation queries, article pages,
  document pages;
- ``--writers`` writers, signed in: edits of ``--shared`` shared articles through the edit
  form (each adds a paragraph with a unique word; a conflict is merged on the conflict
  page and saved again, as a person would) and PDF uploads through the upload form.

Every client is its own process (no shared GIL on the client side). Afterwards: every
acknowledged edit must be in ``wissen export``, every acknowledged write findable by its
word in the search API (within ``--settle`` seconds), every upload ``ready`` or
``failed``, and ``wissen check`` must exit 0. Run from the repository root::

    .venv/bin/python bench/load.py                                   # 60 s, 8 readers, 2 writers
    .venv/bin/python bench/load.py --seconds 10 --readers 2 --writers 1   # smoke
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/x.py` puts bench/ first, not the repo
    sys.path.insert(0, str(REPO))

from bench import procs, wissen_steps  # noqa: E402
from bench.httptiming import Client, percentile  # noqa: E402
from bench.loadmix import (  # noqa: E402
    EXPECTED,
    ReadPlan,
    Session,
    Tally,
    Write,
    WritePlan,
    Writer,
    read_until,
)
from bench.search_latency import machine  # noqa: E402

EVAL_DEV = REPO.parent / "shared" / "eval-dev"
TARGET_SEARCH_P95_MS = 100.0
SEARCH_KINDS = ("suche", "api")
FALLBACK_QUERIES = ["ehrenamt", "demografischer wandel", "beirat", "strategie region", "seminar"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the load")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--shared", type=int, default=3, help="articles all writers edit")
    parser.add_argument("--upload-share", type=float, default=0.2, help="writes that upload")
    parser.add_argument("--think", type=float, default=0.05, help="mean s editor → save")
    parser.add_argument("--pause", type=float, default=0, help="mean s between a reader's requests")
    parser.add_argument("--bundle", type=Path, help="default: ../shared/eval-dev or content/")
    parser.add_argument("--work", type=Path, default=Path("/tmp/wissen-load"))
    parser.add_argument("--threads", type=int, default=8, help="wissen serve --threads")
    parser.add_argument(
        "--workers", type=int, default=1, help="wissen serve --workers (web processes)"
    )
    parser.add_argument("--settle", type=float, default=120, help="s allowed for indexing")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


# --- the instance ------------------------------------------------------------------------------


@dataclass
class Instance:
    data: Path
    bundle: Path
    articles: list[str]
    documents: list[str]
    queries: list[str]
    writers: list[str]  # e-mail addresses, one per writer


def bundle_of(args: argparse.Namespace) -> Path:
    if args.bundle:
        return args.bundle
    return EVAL_DEV if EVAL_DEV.is_dir() else REPO / "content"


def queries_of(bundle: Path) -> list[str]:
    path = bundle / "eval" / "queries.tsv"
    if not path.exists():
        return FALLBACK_QUERIES
    lines = [line.split("\t", 1) for line in path.read_text().splitlines() if "\t" in line]
    return [text.strip() for _, text in lines]


def prepare(args: argparse.Namespace) -> Instance:
    """A fresh data folder: init, the bench admin, the bundle, one account per writer."""
    bundle = bundle_of(args)
    data = args.work / "data"
    log(f"Neue Instanz in {data}, Import von {bundle}")
    wissen_steps.fresh_instance(data)
    run = wissen_steps.cli(data, "import", str(bundle), check=False)
    if run.code != 0:
        log(f"wissen import: Code {run.code}\n{run.output[-2000:]}")
    writers = [f"schreiber{n}@example.org" for n in range(1, args.writers + 1)]
    for email in writers:
        create = ("user", "create", email, "--role", "admin", "--password-stdin")
        wissen_steps.cli(data, *create, stdin=wissen_steps.PASSWORD)
    articles = sorted(p.stem for p in (bundle / "articles").glob("*.md"))
    documents = sorted(p.stem for p in (bundle / "documents").glob("*.yml"))
    return Instance(data, bundle, articles, documents, queries_of(bundle), writers)


# --- the clients -------------------------------------------------------------------------------


def _client(role: str, number: int, port: int, args: argparse.Namespace, inst: Instance) -> Any:
    """Body of one client process: sign in (writers), wait for the start, run, report."""

    def run(barrier: Any, out: Path) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        session = Session(port, f"{role}{number}")
        if role == "schreiber":
            session.login(inst.writers[number - 1], wissen_steps.PASSWORD)
        barrier.wait()
        deadline = time.monotonic() + args.seconds
        session.origin = time.monotonic()
        seed = args.seed * 1000 + number + (500 if role == "schreiber" else 0)
        if role == "leser":
            plan = ReadPlan(inst.queries, inst.articles, inst.documents)
            tally = read_until(session, plan, deadline, seed, args.pause)
        else:
            shared = WritePlan(inst.articles[: args.shared], args.upload_share, args.think)
            tally = Writer(session, shared, chr(ord("a") + number - 1), seed).run_until(deadline)
        user, system = os.times()[:2]
        tally.cpu_seconds = user + system
        out.write_text(json.dumps(tally.as_dict()))

    return run


def server_cpu(pid: int) -> float:
    """CPU seconds of the server, its live children and its finished children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    finished = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime
    return procs.cpu_seconds(pid) + finished


def run_clients(
    args: argparse.Namespace, inst: Instance, port: int, server_pid: int
) -> dict[str, Any]:
    """Start every client as its own process, release them together, collect tallies."""
    folder = args.work / "clients"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = multiprocessing.get_context("fork")
    roles = [("leser", n) for n in range(1, args.readers + 1)]
    roles += [("schreiber", n) for n in range(1, args.writers + 1)]
    barrier = context.Barrier(len(roles) + 1, timeout=120)
    children = []
    for role, number in roles:
        out = folder / f"{role}{number}.json"
        target = _client(role, number, port, args, inst)
        child = context.Process(target=target, args=(barrier, out), name=f"{role}{number}")
        child.start()
        children.append((child, out))
    barrier.wait()
    started, cpu_before = time.monotonic(), server_cpu(server_pid)
    memory = procs.MemoryWatch(server_pid)
    for child, _ in children:
        child.join(args.seconds + 300)
    seconds = time.monotonic() - started
    figures = {
        "seconds": seconds,
        "server_cpu_s": server_cpu(server_pid) - cpu_before,
        "load_avg_1min": os.getloadavg()[0],
        "memory": memory.close(),
        "exit_codes": [child.exitcode for child, _ in children],
    }
    crashed = [out.stem for _, out in children if not out.exists()]
    if crashed:
        raise RuntimeError(f"Clients ohne Ergebnis (abgestürzt?): {crashed}")
    figures["tallies"] = [Tally.from_dict(json.loads(out.read_text())) for _, out in children]
    return figures


# --- figures -----------------------------------------------------------------------------------


KIND_ORDER = list(EXPECTED)


def by_kind(tallies: list[Tally], seconds: float) -> dict[str, dict[str, Any]]:
    """Throughput and latency per request kind; errors and conflicts counted apart."""
    table: dict[str, dict[str, Any]] = {}
    for kind in KIND_ORDER:
        samples = [s for t in tallies for s in t.samples if s.kind == kind]
        if not samples:
            continue
        answered = [s.ms for s in samples if s.status]
        table[kind] = {
            "requests": len(samples),
            "per_s": round(len(samples) / seconds, 1),
            "p50_ms": round(statistics.median(answered), 1) if answered else None,
            "p95_ms": round(percentile(answered, 0.95), 1) if answered else None,
            "p99_ms": round(percentile(answered, 0.99), 1) if answered else None,
            "max_ms": round(max(answered), 1) if answered else None,
            "errors": sum(s.outcome == "fehler" for s in samples),
            "conflicts": sum(s.outcome == "konflikt" for s in samples),
        }
    return table


def error_classes(tallies: list[Tally]) -> dict[str, int]:
    errors = [s for t in tallies for s in t.samples if s.outcome == "fehler"]
    return {
        "connection": sum(s.status == 0 for s in errors),
        "5xx": sum(s.status >= 500 for s in errors),
        "4xx_unexpected": sum(400 <= s.status < 500 for s in errors),
        "other_unexpected": sum(0 < s.status < 400 for s in errors),
    }


def write_figures(writes: list[Write]) -> dict[str, int]:
    edits = [w for w in writes if w.kind == "edit"]
    uploads = [w for w in writes if w.kind == "upload"]
    return {
        "edits": len(edits),
        "edits_acknowledged": sum(w.acknowledged for w in edits),
        "edits_with_conflict": sum(w.conflicts > 0 for w in edits),
        "conflicts": sum(w.conflicts for w in edits),
        "edits_given_up_after_conflicts": sum(
            (not w.acknowledged) and w.status == 409 for w in edits
        ),
        "uploads": len(uploads),
        "uploads_acknowledged": sum(w.acknowledged for w in uploads),
    }


def client_figures(tallies: list[Tally], seconds: float, server_cpu_s: float) -> dict[str, Any]:
    """Is the client the bottleneck? Its CPU against the server's, and how long readers
    waited for answers (a reader that waits nearly all the time is limited by the server)."""
    cpu = sum(t.cpu_seconds for t in tallies)
    requests = sum(len(t.samples) for t in tallies)
    readers = [t for t in tallies if t.name.startswith("leser")]
    waiting = [sum(s.ms for s in t.samples) / 1000 / t.wall_seconds for t in readers]
    return {
        "processes": len(tallies),
        "client_cpu_s": round(cpu, 1),
        "client_cores": round(cpu / seconds, 2),
        "client_cpu_ms_per_request": round(cpu * 1000 / requests, 2) if requests else None,
        "server_cores": round(server_cpu_s / seconds, 2),
        "reader_wait_share": round(statistics.fmean(waiting), 3) if waiting else None,
        "reconnects": sum(t.reconnects for t in tallies),
    }


# --- checks after the run ----------------------------------------------------------------------


def findable(client: Client, write: Write) -> bool:
    answer = client.get(f"/api/v1/search?q={write.token}&per_page=5")
    if answer.status != 200:
        return False
    return any(hit.get("slug") == write.slug for hit in json.loads(answer.body).get("hits", []))


def wait_findable(client: Client, writes: list[Write], timeout: float) -> tuple[list[Write], float]:
    """Poll the search API until every write's word finds its object; answer the ones not
    found within ``timeout`` and the seconds it took."""
    started = time.monotonic()
    missing = list(writes)
    while missing and time.monotonic() - started < timeout:
        missing = [w for w in missing if not findable(client, w)]
        if missing:
            time.sleep(0.5)
    return missing, time.monotonic() - started


def exported_tokens(data: Path, target: Path) -> tuple[dict[str, str], set[str]]:
    """Article texts by slug and document slugs, as ``wissen export`` writes them."""
    shutil.rmtree(target, ignore_errors=True)
    wissen_steps.cli(data, "export", str(target))
    texts = {p.stem: p.read_text() for p in (target / "articles").glob("*.md")}
    documents = {p.stem for p in (target / "documents").glob("*.yml")}
    return texts, documents


def lost_writes(writes: list[Write], texts: dict[str, str], documents: set[str]) -> dict:
    """Acknowledged writes missing from the export, and unacknowledged ones that landed."""

    def stored(write: Write) -> bool:
        if write.kind == "edit":
            return write.token in texts.get(write.slug, "")
        return bool(write.slug) and write.slug in documents

    lost = [w.token for w in writes if w.acknowledged and not stored(w)]
    unconfirmed = [w.token for w in writes if not w.acknowledged and w.slug and stored(w)]
    return {"lost": lost, "stored_without_acknowledgement": unconfirmed}


def verify(
    args: argparse.Namespace, inst: Instance, port: int, server_pid: int, writes: list[Write]
) -> dict[str, Any]:
    client = Client(port)
    acknowledged = [w for w in writes if w.acknowledged]
    uploads = [w.slug for w in acknowledged if w.kind == "upload"]
    log(f"Prüfung: {len(acknowledged)} bestätigte Schreibvorgänge, {len(uploads)} Uploads")
    documents = wissen_steps.wait_documents(client, uploads, args.settle)
    missing, seconds = wait_findable(client, acknowledged, args.settle)
    log(f"  durchsuchbar nach {seconds:.1f} s, nicht gefunden: {len(missing)}")
    texts, exported = exported_tokens(inst.data, args.work / "export")
    lost = lost_writes(writes, texts, exported)
    quiet = procs.wait_quiet(server_pid, 600)
    check = wissen_steps.cli(inst.data, "check", check=False)
    log(f"  wissen check: Code {check.code} (nach {quiet:.1f} s Ruhe)")
    return {
        "documents": documents,
        "not_findable": [w.token for w in missing],
        "findable_after_s": round(seconds, 1),
        **lost,
        "check_exit_code": check.code,
        "check_output": check.output.strip().splitlines()[-5:],
    }


def server_log_problems(path: Path) -> int:
    text = path.read_text(errors="replace") if path.exists() else ""
    return text.count("Traceback")


# --- the report --------------------------------------------------------------------------------


Row = tuple[str, str, str, str]


def _met(ok: bool) -> str:
    return "met" if ok else "NO"


def targets(report: dict[str, Any]) -> list[Row]:
    errors = sum(report["errors"].values())
    check = report["verify"]
    lost = len(check["lost"])
    rows = [
        ("errors (5xx, connection, unexpected 4xx)", str(errors), "0", _met(errors == 0)),
        ("acknowledged writes lost", str(lost), "0", _met(lost == 0)),
        (
            "acknowledged writes not findable",
            str(len(check["not_findable"])),
            f"0 within {report['settle_s']:.0f} s",
            _met(not check["not_findable"]),
        ),
        (
            "uploads not ready/failed",
            str(check["documents"].get("unfinished", 0)),
            "0",
            _met(check["documents"].get("unfinished", 0) == 0),
        ),
        (
            "wissen check exit code",
            str(check["check_exit_code"]),
            "0",
            _met(not check["check_exit_code"]),
        ),
    ]
    for kind, label in (("suche", "GET /suche"), ("api", "GET /api/v1/search")):
        p95 = report["kinds"].get(kind, {}).get("p95_ms")
        ok = p95 is not None and p95 < TARGET_SEARCH_P95_MS
        rows.append((f"{label} p95 while writers run", f"{p95} ms", "< 100 ms", _met(ok)))
    return rows


def print_report(report: dict[str, Any]) -> None:
    m, a = report["machine"], report["args"]
    workers = a.get("workers", 1)
    print(f"\nMachine: {m['nproc']} cores, {m['cpu']}, Python {m['python']}; {m['date']}")
    print(
        f"Load average (1/5/15 min) before: {report['load_before']}, after: {report['load_after']}"
    )
    print(
        f"Load: {a['seconds']:.0f} s, {a['readers']} readers, {a['writers']} writers "
        f"({a['shared']} shared articles, {a['upload_share']:.0%} uploads, think {a['think']} s, "
        f"reader pause {a['pause']} s); "
        f"bundle {report['bundle']}; wissen serve --threads {a['threads']} "
        f"--workers {workers} ({'embedded worker' if workers == 1 else 'plus one job worker'})\n"
    )
    print("| kind | requests | per s | p50 ms | p95 ms | p99 ms | max ms | errors | conflicts |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, f in report["kinds"].items():
        print(
            f"| {kind} | {f['requests']} | {f['per_s']} | {f['p50_ms']} | {f['p95_ms']} "
            f"| {f['p99_ms']} | {f['max_ms']} | {f['errors']} | {f['conflicts']} |"
        )
    print(
        f"\nErrors: {json.dumps(report['errors'])}; server log tracebacks: {report['tracebacks']}"
    )
    for note in report["error_notes"][:10]:
        print(f"  {note}")
    print(f"Writes: {json.dumps(report['writes'])}")
    c = report["clients"]
    print(
        f"Clients: {c['processes']} processes (one per client: no shared GIL), CPU "
        f"{c['client_cpu_s']} s = {c['client_cores']} cores ({c['client_cpu_ms_per_request']} ms"
        f" per request); server {c['server_cores']} cores; readers waited for answers "
        f"{c['reader_wait_share']:.1%} of their time; reconnects {c['reconnects']}"
    )
    print(f"Server memory: {json.dumps(report['memory'])}")
    v = report["verify"]
    print(
        f"After the run: uploads {json.dumps(v['documents'])}; all acknowledged writes findable "
        f"after {v['findable_after_s']} s; stored without acknowledgement: "
        f"{len(v['stored_without_acknowledgement'])}; wissen check: {v['check_output']}"
    )
    print("\n| target | figure | target | met |")
    print("|---|---:|---|---|")
    for what, figure, goal, met in report["targets"]:
        print(f"| {what} | {figure} | {goal} | {met} |")


# --- main --------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Fills ``report`` step by step; the caller saves it even when a step fails."""
    inst = prepare(args)
    report["bundle"] = str(inst.bundle)
    port = procs.free_port()
    serve_log = args.work / "wissen-serve.log"
    serve_log.unlink(missing_ok=True)
    options = ["--threads", str(args.threads), "--workers", str(args.workers)]
    server = wissen_steps.serve(inst.data, port, serve_log, *options)
    try:
        procs.wait_http(f"http://127.0.0.1:{port}/-/health", server, 300)
        ready = wissen_steps.wait_documents(Client(port), inst.documents, 600)
        quiet = procs.wait_quiet(server.pid, 600)
        log(f"Server bereit: Dokumente {ready}, Ruhe nach {quiet:.1f} s; Last beginnt")
        report["load_before"] = [round(x, 2) for x in os.getloadavg()]
        run = run_clients(args, inst, port, server.pid)
        report["load_after"] = [round(x, 2) for x in os.getloadavg()]
        tallies = run.pop("tallies")
        writes = [w for t in tallies for w in t.writes]
        report.update(run)
        report["kinds"] = by_kind(tallies, run["seconds"])
        report["errors"] = error_classes(tallies)
        report["error_notes"] = [note for t in tallies for note in t.errors]
        report["writes"] = write_figures(writes)
        report["clients"] = client_figures(tallies, run["seconds"], run["server_cpu_s"])
        count = sum(len(t.samples) for t in tallies)
        log(f"Last vorbei: {count} Anfragen in {run['seconds']:.1f} s")
        report["verify"] = verify(args, inst, port, server.pid, writes)
    finally:
        procs.stop(server)
    report["tracebacks"] = server_log_problems(serve_log)
    report["targets"] = targets(report)


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # the finally blocks stop every child


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lock = procs.lock_work(args.work, "load")  # noqa: F841 - released when the process ends
    signal.signal(signal.SIGTERM, _terminate)
    report: dict[str, Any] = {"machine": machine(), "settle_s": args.settle}
    report["args"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    try:
        measure(args, report)
    except KeyboardInterrupt:
        log("abgebrochen")
        return 130
    finally:
        procs.stop_all()
        (args.work / "last-run.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0 if all(row[3] == "met" for row in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
