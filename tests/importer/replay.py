"""A local HTTP server that replays recorded API answers (the shared fixtures), with the
faults an importer must survive scripted per request: 429 with Retry-After, a 5xx, and
a connection dropped before any answer. The recorded host names in the bodies are
rewritten to this server, so every link the reader follows comes back here."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

DROP = "drop"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Replay:
    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.faults: dict[str, list[Answer | str]] = {}
        self.seen: list[str] = []
        # Answers computed from the request (a paged list), for paths not routed.
        self.dynamic: Callable[[str], Answer | None] = lambda path: None
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def json(self, path: str, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode()
        self.routes[path] = Answer(
            200, body, {"Content-Type": "application/json", **(headers or {})}
        )

    def fault(self, path: str, *answers: Answer | str) -> None:
        """Answer ``path`` with these first (an Answer, or DROP), then as routed."""
        self.faults.setdefault(path, []).extend(answers)

    def answer(self, path: str) -> Answer | str:
        with self.lock:
            self.seen.append(path)
            queue = self.faults.get(path) or self.faults.get(urlsplit(path).path)
            if queue:
                return queue.pop(0)
        # A recording may keep a query decoded (%2F as /), or a file's link signed again.
        found = (
            self.routes.get(path)
            or self.routes.get(unquote(path))
            or self.routes.get(urlsplit(path).path)
            or self.dynamic(path)
        )
        return found or Answer(404, b'{"error": "RecordNotFound"}')

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def _handler(replay: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            answer = replay.answer(self.path)
            if answer == DROP:
                self.close_connection = True  # no status line: the client sees it dropped
                return
            assert isinstance(answer, Answer)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
