"""Race fixture: N requests sent at once to a real threaded HTTP server running the test app."""

import http.client
import json
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from werkzeug.serving import make_server


@dataclass(frozen=True)
class Sent:
    """One request of a race: method, path (with query), JSON body or raw bytes, headers."""

    method: str
    path: str
    json: object = None
    data: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


class LiveServer:
    """The app served by werkzeug's threaded server on a free loopback port, one thread per request."""

    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(10)

    def send(self, request: Sent, timeout: float = 60) -> Received:
        host = urlsplit(self.url)
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
        try:
            conn.request(*self._prepared(request))
            response = conn.getresponse()
            return Received(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def race(self, requests: list[Sent], timeout: float = 60) -> list[Received]:
        """Send every request from its own thread, released together by a barrier; answers in order."""
        barrier = threading.Barrier(len(requests))
        answers: list[Received | BaseException | None] = [None] * len(requests)

        def run(i: int, request: Sent) -> None:
            try:
                barrier.wait(timeout)
                answers[i] = self.send(request, timeout)
            except BaseException as exc:  # surfaced below, in the test's thread
                answers[i] = exc

        threads = [threading.Thread(target=run, args=(i, r), daemon=True) for i, r in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout + 5)
        for answer in answers:
            if not isinstance(answer, Received):
                raise AssertionError(f"a racing request did not complete: {answer!r}")
        return answers  # type: ignore[return-value]

    @staticmethod
    def _prepared(request: Sent) -> tuple[str, str, bytes | None, dict[str, str]]:
        headers = dict(request.headers)
        body = request.data
        if request.json is not None:
            body = json.dumps(request.json).encode()
            headers.setdefault("Content-Type", "application/json")
        return request.method, request.path, body, headers


def statuses(answers: list[Received]) -> list[int]:
    return sorted(a.status for a in answers)
