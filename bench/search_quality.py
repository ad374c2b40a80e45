"""Benchmark: search quality of wissen against plain baselines, on a bundle's judgements.

Reads ``BUNDLE/eval/queries.tsv`` (``qid<TAB>query``) and ``BUNDLE/eval/qrels.tsv``
(``qid<TAB>target<TAB>grade``, grade 1..3) and ranks every query, in the same run, with

- **wissen**: the bundle imported into a fresh app in a temporary data folder, then
  ``wissen reindex``, then ``GET /api/v1/search`` as an anonymous visitor;
- **whoosh-and**: plain Whoosh (default ``TEXT`` fields, StandardAnalyzer), title + content,
  ``MultifieldParser`` with its default AND grouping: what wikmd does;
- **whoosh-or**: the same index, ``group=OrGroup``;
- **fts5**: SQLite FTS5 in memory (``unicode61 remove_diacritics 2``), the query's words
  OR-ed, ranked by ``bm25``.

The baselines read the bundle themselves: one entry per article (title + Markdown body),
per document (title + the PDF's text from pypdf, all pages) and per contact (name, role,
organisation, region, themes as written in contacts.yml).

Metrics over the top k (default 10), each target counted once: nDCG@k (gain = grade, or
2^grade - 1 with ``--gain exp``; log2 discount; ideal ranking from the qrels), recall@k
(judged targets with grade >= 1 found), MRR@k (first hit with grade >= 1), P@1 (top hit
has grade >= 2). The articles' front matter summary and tags count as body text. Run from
the repository root:

    .venv/bin/python bench/search_quality.py ../shared/eval-dev [--json] [--k 10]
        [--gain linear|exp] [--min-ndcg 0.7]

Exit status: 0; 2 when the bundle cannot be read; 1 with ``--min-ndcg`` when wissen's
nDCG@k is below the limit or wissen could not be measured. Nothing is written outside a
temporary folder.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/search_quality.py` puts bench/ first, not the repo
    sys.path.insert(0, str(REPO))

METRICS = ("ndcg", "recall", "mrr", "p1")
SEARCH_URL = "/api/v1/search"
TYPE_PREFIX = {"article": "articles", "document": "documents", "contact": "contacts"}

GAINS: dict[str, Callable[[int], float]] = {
    "linear": float,  # gain = grade, as trec_eval and scikit-learn count it
    "exp": lambda grade: 2.0**grade - 1,  # 2^grade - 1 (Burges et al.): grade 3 weighs 7x grade 1
}
GAIN_TEXT = {"linear": "= grade", "exp": "= 2^grade - 1"}
Ranker = Callable[[str, int], list[str]]  # (query, k) -> targets, best first


class BundleError(Exception):
    """The bundle or its evaluation files cannot be read."""


class SystemUnavailable(Exception):
    """A system cannot be measured in this run (e.g. a command or route is missing)."""


@dataclass(frozen=True)
class Entry:
    target: str  # "articles/<slug>", "documents/<slug>" or "contacts/<id>"
    title: str
    content: str


@dataclass
class Evaluation:
    queries: list[tuple[str, str]]  # (qid, query) in file order
    qrels: dict[str, dict[str, int]]  # qid -> target -> grade


@dataclass
class SystemResult:
    name: str
    error: str | None = None
    rankings: dict[str, list[str]] = field(default_factory=dict)  # qid -> targets
    millis: list[float] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.error is None


# --- reading the bundle ----------------------------------------------------------------


def read_tsv(path: Path, columns: int) -> Iterator[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BundleError(f"{path}: {error}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != columns:
            raise BundleError(f"{path}:{number}: {columns} Spalten erwartet / expected")
        yield [c.strip() for c in cells]


def read_evaluation(bundle: Path) -> Evaluation:
    queries = [(qid, query) for qid, query in read_tsv(bundle / "eval" / "queries.tsv", 2)]
    qrels: dict[str, dict[str, int]] = {}
    for qid, target, grade in read_tsv(bundle / "eval" / "qrels.tsv", 3):
        if not grade.isdigit():
            raise BundleError(f"qrels.tsv: Note „{grade}“ ist keine Zahl / grade not a number")
        qrels.setdefault(qid, {})[target] = int(grade)
    if not queries:
        raise BundleError(f"{bundle / 'eval' / 'queries.tsv'}: keine Anfragen / no queries")
    return Evaluation(queries, qrels)


def load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise BundleError(f"{path}: {error}") from None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = re.match(r"---\n(.*?)\n---\n?(.*)", text, flags=re.DOTALL)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    return (meta if isinstance(meta, dict) else {}), match.group(2)


def read_articles(bundle: Path) -> list[Entry]:
    entries = []
    for path in sorted((bundle / "articles").glob("*.md")):
        try:
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise BundleError(f"{path}: {error}") from None
        entries.append(
            Entry(f"articles/{path.stem}", str(meta.get("title", "")), body_text(meta, body))
        )
    return entries


def body_text(meta: dict[str, Any], body: str) -> str:
    """The body with the front matter's readable text (summary, tags), as a page shows it.

    The YAML keys and slugs are left out; summary and tags stay because a reader sees them
    and wissen searches them too (without them fts5 loses 0.11 nDCG@10 on eval-dev).
    """
    tags = " ".join(str(tag) for tag in meta.get("tags") or [])
    return "\n".join(part for part in (str(meta.get("summary") or ""), tags, body) if part)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    except (OSError, PyPdfError) as error:
        raise BundleError(f"{path}: {error}") from None


def read_documents(bundle: Path) -> list[Entry]:
    entries = []
    for sidecar in sorted((bundle / "documents").glob("*.yml")):
        meta = load_yaml(sidecar) or {}
        file = bundle / "documents" / str(meta.get("file") or f"{sidecar.stem}.pdf")
        text = pdf_text(file) if file.suffix.lower() == ".pdf" else ""
        entries.append(Entry(f"documents/{sidecar.stem}", str(meta.get("title", "")), text))
    return entries


def read_contacts(bundle: Path) -> list[Entry]:
    path = bundle / "contacts.yml"
    items = load_yaml(path) if path.exists() else []
    entries = []
    for item in items or []:
        if not isinstance(item, dict) or "id" not in item:
            continue
        themes = " ".join(str(t) for t in item.get("themes") or [])
        parts = [item.get("role"), item.get("organisation"), item.get("region"), themes]
        content = "\n".join(str(p) for p in parts if p)
        entries.append(Entry(f"contacts/{item['id']}", str(item.get("name", "")), content))
    return entries


def read_corpus(bundle: Path) -> list[Entry]:
    return read_articles(bundle) + read_documents(bundle) + read_contacts(bundle)


# --- the baselines -----------------------------------------------------------------------


def whoosh_rankers(corpus: list[Entry]) -> dict[str, Ranker]:
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

    schema = Schema(target=ID(stored=True, unique=True), title=TEXT, content=TEXT)
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for entry in corpus:
            writer.add_document(target=entry.target, title=entry.title, content=entry.content)
    searcher = index.searcher()  # lives as long as the process: the index is in memory

    def ranker(group: Any) -> Ranker:
        parser = MultifieldParser(["title", "content"], schema, group=group)

        def rank(query: str, k: int) -> list[str]:
            hits = searcher.search(parser.parse(query), limit=k)
            return [hit["target"] for hit in hits]

        return rank

    return {"whoosh-and": ranker(AndGroup), "whoosh-or": ranker(OrGroup)}


def fts5_query(query: str) -> str:
    return " OR ".join(f'"{word}"' for word in re.findall(r"\w+", query))


def fts5_ranker(corpus: list[Entry]) -> Ranker:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, content, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    connection.executemany(
        "INSERT INTO docs(rowid, title, content) VALUES (?, ?, ?)",
        [(n, e.title, e.content) for n, e in enumerate(corpus)],
    )

    def rank(query: str, k: int) -> list[str]:
        match = fts5_query(query)
        if not match:
            return []
        rows = connection.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, k)
        )
        return [corpus[rowid].target for (rowid,) in rows]

    return rank


def run_ranker(name: str, rank: Ranker, evaluation: Evaluation, k: int) -> SystemResult:
    result = SystemResult(name)
    for qid, query in evaluation.queries:
        started = time.perf_counter()
        result.rankings[qid] = rank(query, k)
        result.millis.append((time.perf_counter() - started) * 1000)
    return result


# --- wissen --------------------------------------------------------------------------------


def make_app(bundle: Path, tmp: Path) -> Any:
    from wissen import create_app
    from wissen.db_schema import upgrade
    from wissen.extensions import db

    # Every path is set, so that WISSEN_* variables in the environment cannot send a write
    # elsewhere; PUBLIC_READ because the queries are sent as an anonymous visitor.
    app = create_app(
        {
            "DATA_DIR": str(tmp),
            "UPLOAD_DIR": str(tmp / "uploads"),
            "INDEX_DIR": str(tmp / "index"),
            "DATABASE_URL": f"sqlite:///{tmp / 'wissen.sqlite3'}",
            "CONTENT_DIR": str(bundle),
            "SECRET_KEY": "bench",
            "PUBLIC_READ": True,
            "JOBS_IMMEDIATE": True,
        }
    )
    assert db.engine is not None
    upgrade(db.engine)
    return app


def import_into(app: Any, bundle: Path) -> None:
    from wissen.extensions import db
    from wissen.services.bundle import import_bundle
    from wissen.storage import BlobStore

    with app.app_context():
        report = import_bundle(db.session, BlobStore(app.config["UPLOAD_DIR"]), bundle)
        if report.rejected:
            warn(f"wissen: {len(report.rejected)} Einträge beim Import abgelehnt / rejected")
        # As `wissen serve` does at start: read the uploaded files (here at once, in-process).
        from wissen import jobs

        jobs.resume_unfinished()
        db.session.remove()


def reindex(app: Any) -> None:
    from wissen.cli import main

    runner = app.test_cli_runner()
    if "reindex" in main.commands:
        outcome = runner.invoke(main, ["reindex"])
    elif "reindex" in app.cli.commands:
        outcome = runner.invoke(args=["reindex"])
    else:
        raise SystemUnavailable("`wissen reindex` gibt es (noch) nicht / does not exist yet")
    if outcome.exit_code != 0:
        lines = (outcome.output or repr(outcome.exception)).strip().splitlines()
        detail = lines[-1] if lines else ""
        raise SystemUnavailable(f"`wissen reindex` exit {outcome.exit_code}: {detail}")


def api_ranker(app: Any) -> Ranker:
    if not any(rule.rule == SEARCH_URL for rule in app.url_map.iter_rules()):
        raise SystemUnavailable(f"GET {SEARCH_URL} gibt es (noch) nicht / does not exist yet")
    client = app.test_client()

    def rank(query: str, k: int) -> list[str]:
        response = client.get(SEARCH_URL, query_string={"q": query, "per_page": k})
        if response.status_code != 200 or not response.is_json:
            raise SystemUnavailable(f"GET {SEARCH_URL} → {response.status_code} für „{query}“")
        hits = response.get_json().get("hits", [])
        return [f"{TYPE_PREFIX.get(h.get('type'), h.get('type'))}/{h.get('slug')}" for h in hits]

    return rank


def run_wissen(bundle: Path, evaluation: Evaluation, k: int) -> SystemResult:
    from wissen.extensions import db

    with tempfile.TemporaryDirectory(prefix="wissen-bench-") as tmp:
        try:
            app = make_app(bundle, Path(tmp))
            import_into(app, bundle)
            reindex(app)
            return run_ranker("wissen", api_ranker(app), evaluation, k)
        except SystemUnavailable as error:
            return SystemResult("wissen", error=str(error))
        except Exception as error:  # a broken system is a finding, not a crash of the bench
            return SystemResult("wissen", error=f"{type(error).__name__}: {error}")
        finally:
            db.session.remove()
            if db.engine is not None:
                db.engine.dispose()  # close the SQLite file before its folder goes


# --- metrics -------------------------------------------------------------------------------


def unique(targets: list[str]) -> list[str]:
    """Each target counts once, at its best rank (a document may come back per page)."""
    return list(dict.fromkeys(targets))


def ndcg(ranking: list[str], grades: dict[str, int], k: int, gain: str = "linear") -> float:
    value = GAINS[gain]
    dcg = sum(value(grades.get(t, 0)) / math.log2(i + 2) for i, t in enumerate(ranking[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(value(g) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranking: list[str], grades: dict[str, int], k: int) -> float:
    relevant = {t for t, g in grades.items() if g >= 1}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranking: list[str], grades: dict[str, int], k: int) -> float:
    for rank, target in enumerate(ranking[:k], start=1):
        if grades.get(target, 0) >= 1:
            return 1 / rank
    return 0.0


def precision_at_1(ranking: list[str], grades: dict[str, int]) -> float:
    return 1.0 if ranking and grades.get(ranking[0], 0) >= 2 else 0.0


def query_scores(ranking: list[str], grades: dict[str, int], k: int, gain: str) -> dict[str, float]:
    ranking = unique(ranking)
    return {
        "ndcg": ndcg(ranking, grades, k, gain),
        "recall": recall(ranking, grades, k),
        "mrr": reciprocal_rank(ranking, grades, k),
        "p1": precision_at_1(ranking, grades),
    }


def summarise(result: SystemResult, evaluation: Evaluation, k: int, gain: str) -> dict[str, Any]:
    if not result.available:
        return {"available": False, "error": result.error}
    judged = [qid for qid, _ in evaluation.queries if evaluation.qrels.get(qid)]
    per_query = [query_scores(result.rankings[q], evaluation.qrels[q], k, gain) for q in judged]
    means = {m: statistics.fmean(s[m] for s in per_query) if per_query else 0.0 for m in METRICS}
    return {
        "available": True,
        "error": None,
        **means,
        "median_ms": statistics.median(result.millis) if result.millis else None,
    }


# --- report --------------------------------------------------------------------------------


def build_report(
    bundle: Path, evaluation: Evaluation, results: list[SystemResult], k: int, gain: str
) -> dict[str, Any]:
    per_query = []
    for qid, query in evaluation.queries:
        grades = evaluation.qrels.get(qid, {})
        row: dict[str, Any] = {"qid": qid, "query": query, "judged": bool(grades)}
        row["ndcg"] = {
            r.name: query_scores(r.rankings[qid], grades, k, gain)["ndcg"] if r.available else None
            for r in results
        }
        row["hits"] = {r.name: unique(r.rankings.get(qid, []))[:k] for r in results}
        per_query.append(row)
    return {
        "bundle": str(bundle),
        "k": k,
        "gain": gain,
        "queries": len(evaluation.queries),
        "judged_queries": sum(1 for row in per_query if row["judged"]),
        "definitions": {
            "ndcg": f"nDCG@{k}, gain {GAIN_TEXT[gain]}, discount log2(rank+1), ideal from qrels",
            "recall": f"recall@{k}: share of judged targets with grade >= 1 in the top {k}",
            "mrr": f"MRR@{k}: 1/rank of the first hit with grade >= 1, 0 if none in the top {k}",
            "p1": "P@1: the top hit has grade >= 2",
            "median_ms": "median ms per query, in-process (wissen: through the Flask test "
            "client and the JSON API; baselines: a function call)",
        },
        "systems": {r.name: summarise(r, evaluation, k, gain) for r in results},
        "per_query": per_query,
    }


def number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_table(report: dict[str, Any]) -> None:
    k, systems = report["k"], report["systems"]
    print(f"Suchqualität / search quality: {report['bundle']}")
    print(f"{report['queries']} queries ({report['judged_queries']} judged), k={k}\n")
    heads = (f"nDCG@{k}", f"recall@{k}", f"MRR@{k}", "P@1", "ms/query")
    print(f"{'system':<11} {heads[0]:>8} {heads[1]:>10} {heads[2]:>7} {heads[3]:>5} {heads[4]:>9}")
    for name, s in systems.items():
        if not s["available"]:
            print(f"{name:<11} nicht gemessen / not measured: {s['error']}")
            continue
        print(
            f"{name:<11} {number(s['ndcg']):>8} {number(s['recall']):>10} {number(s['mrr']):>7}"
            f" {number(s['p1']):>5} {number(s['median_ms'], 1):>9}"
        )
    gain = GAIN_TEXT[report["gain"]]
    print(f"\nMRR: first hit with grade >= 1; P@1: top hit with grade >= 2; nDCG gain {gain}.")
    print("ms/query: median, in-process (wissen through the test client and the JSON API).\n")
    print_per_query(report)
    summary = " | ".join(f"{name} {number(s.get('ndcg'))}" for name, s in systems.items())
    print(f"\nnDCG@{k} {summary}")


def print_per_query(report: dict[str, Any]) -> None:
    names = list(report["systems"])
    print(f"nDCG@{report['k']} per query  (! = wissen below the best baseline)")
    print("qid   " + " ".join(f"{n:>10}" for n in names) + "   query")
    for row in report["per_query"]:
        scores = [row["ndcg"][n] for n in names]
        wissen = row["ndcg"].get("wissen")
        best = max((row["ndcg"][n] or 0.0 for n in names if n != "wissen"), default=0.0)
        worse = wissen is not None and wissen < best
        cells = " ".join(f"{number(s):>10}" for s in scores)
        note = "" if row["judged"] else "  (no judgements)"
        print(f"{row['qid']:<5} {cells} {'!' if worse else ' '} {row['query']}{note}")


def warn(message: str) -> None:
    print(message, file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="bundle folder with eval/queries.tsv, qrels")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--k", type=int, default=10, help="cut-off rank (default 10)")
    parser.add_argument(
        "--min-ndcg", type=float, help="exit 1 when wissen's nDCG@k is below this (for CI)"
    )
    parser.add_argument(
        "--gain",
        choices=sorted(GAINS),
        default="linear",
        help="nDCG gain of a grade: linear = grade (default), exp = 2^grade - 1",
    )
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    return args


def measure(bundle: Path, k: int, gain: str) -> dict[str, Any]:
    evaluation = read_evaluation(bundle)
    corpus = read_corpus(bundle)
    results = [run_wissen(bundle, evaluation, k)]
    rankers = {**whoosh_rankers(corpus), "fts5": fts5_ranker(corpus)}
    results += [run_ranker(name, rank, evaluation, k) for name, rank in rankers.items()]
    return build_report(bundle, evaluation, results, k, gain)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.bundle / "eval").is_dir():
        warn(f"Fehler: {args.bundle}/eval fehlt, kein Bundle mit Bewertungsdateien / not found")
        return 2
    try:
        report = measure(args.bundle, args.k, args.gain)
    except BundleError as error:
        warn(f"Fehler: Bundle nicht lesbar / bundle unreadable: {error}")
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report)
    wissen = report["systems"]["wissen"]
    if args.min_ndcg is not None and (not wissen["available"] or wissen["ndcg"] < args.min_ndcg):
        measured = (
            number(wissen["ndcg"]) if wissen["available"] else "nicht gemessen / not measured"
        )
        warn(f"wissen nDCG@{args.k} {measured} < --min-ndcg {args.min_ndcg}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
