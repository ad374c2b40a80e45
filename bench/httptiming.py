"""One keep-alive HTTP client on loopback and the latency figures of a query mix."""

from __future__ import annotations

import http.client
import math
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    location: str = ""


class Client:
    """A single persistent connection, like one browser tab; cookies kept for a login."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 120.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, form: dict | list | None = None) -> Answer:
        """Send one request, read the whole body; one retry on a dropped keep-alive."""
        body = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        headers = {"Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                return self._send(method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.close()
                self.reconnects += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, body: bytes | None, headers: dict) -> Answer:
        connection = self._connect()
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        if response.will_close:
            self.close()
        return Answer(response.status, data, seconds, response.headers.get("Location", ""))

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict | list) -> Answer:
        return self.request("POST", path, form)


def url(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 50 values is the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@dataclass
class MixTiming:
    """Per query: the median of its repetitions; p50/p95 over those medians, in ms."""

    label: str
    rounds: int = 0
    load: float = 0.0  # 1-minute load average at the end (others on a shared machine)
    per_query_ms: list[float] = field(default_factory=list)
    # The first warm-up round: each query asked for the first time, before wissen's
    # in-memory caches (decoded posting lists, phrase matches) hold its words.
    first_round_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    requests: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.per_query_ms)

    @property
    def p95(self) -> float:
        return percentile(self.per_query_ms, 0.95)

    def figures(self) -> dict:
        return {
            "p50_ms": round(self.p50, 2),
            "p95_ms": round(self.p95, 2),
            "max_ms": round(max(self.per_query_ms), 2),
            "mean_ms": round(statistics.fmean(self.per_query_ms), 2),
            "queries": len(self.per_query_ms),
            "rounds": self.rounds,
            "load_avg_1min": round(self.load, 2),
            "requests": self.requests,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "per_query_ms": [round(ms, 2) for ms in self.per_query_ms],
            **self.first_round_figures(),
        }

    def first_round_figures(self) -> dict:
        if not self.first_round_ms:
            return {}
        return {
            "first_round_p50_ms": round(statistics.median(self.first_round_ms), 2),
            "first_round_p95_ms": round(percentile(self.first_round_ms, 0.95), 2),
        }


def time_mix(
    client: Client, label: str, urls: list[str], repeat: int, warmup: int, budget: float = 0
) -> MixTiming:
    """Warm up (every URL ``warmup`` times), then up to ``repeat`` rounds over all URLs.

    With a ``budget`` (seconds, warm-up included) no round is started that would end
    after it, but at least one runs: a slow peer gets fewer rounds; ``rounds`` says how many.
    """
    started = time.perf_counter()
    timing = MixTiming(label)
    for warm_round in range(warmup):
        for address in urls:
            answer = client.get(address)
            if warm_round == 0:
                timing.first_round_ms.append(answer.seconds * 1000)
    samples: list[list[float]] = [[] for _ in urls]
    while timing.rounds < repeat:  # rounds, so that no query profits from its own repetition
        round_started = time.perf_counter()
        for position, address in enumerate(urls):
            answer = client.get(address)
            samples[position].append(answer.seconds * 1000)
            timing.statuses[answer.status] = timing.statuses.get(answer.status, 0) + 1
            timing.requests += 1
        timing.rounds += 1
        now = time.perf_counter()
        if budget and now - started + (now - round_started) > budget:
            break
    timing.per_query_ms = [statistics.median(s) for s in samples]
    return timing
