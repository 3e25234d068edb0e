"""Fixtures for the outbox's tests: a clean rule cache and SMS outbox, a recording HTTP server
on 127.0.0.1 standing in for the SMS gateway and the WeCom / DingTalk robots, and helpers to run
an event's notification work the way the worker would."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notify import rules, sms


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox() -> Iterator[None]:
    rules.invalidate()
    sms.outbox.clear()
    yield
    rules.invalidate()
    sms.outbox.clear()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Recorder:
    """What the local server received, and what it answers next (status, JSON body)."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    answer: Any = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def http_recorder() -> Iterator[Recorder]:
    recorder = Recorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            recorder.received.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            body = json.dumps(recorder.answer, ensure_ascii=False).encode("utf-8")
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """An address nothing listens on: a gateway that is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/send"
