"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every request and answers with the next
status of its script (then 200). `hold` keeps the next request unanswered until `release()`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    hold_next: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/lotpick"

    def release(self) -> None:
        self.released.set()

    def events(self) -> list[dict[str, Any]]:
        return [r.event for r in self.requests]


def start_receiver(*statuses: int, hold_next: bool = False) -> Receiver:
    receiver = Receiver(statuses=list(statuses), hold_next=hold_next)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(headers=dict(self.headers.items()), body=body))
            receiver.arrived.set()
            if receiver.hold_next:
                receiver.hold_next = False
                receiver.released.wait(60)
                return  # no answer: the sender is gone by now
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"try again later")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver


def stop_receiver(receiver: Receiver) -> None:
    receiver.release()
    if receiver.server is not None:
        receiver.server.shutdown()
        receiver.server.server_close()
