"""An HTTP proxy between ONE terraform process and moto, for ordering lock events exactly.

Terraform's S3 lock (``use_lockfile``) is a ``PutObject`` of ``<key>.tflock`` with
``If-None-Match: *``; on a 412 it reads the lock's info with ``GetObject`` and, when it has
``-lock-timeout``, tries again after a back-off. Whether another process releases the lock
before, between or after those two requests decides what Terraform does, so a test that races
two processes on wall-clock sleeps decides it at random. Here the test runs code at a named
point of that exchange instead: ``before`` runs when a ``.tflock`` request arrives (before moto
sees it), ``after`` when moto has answered (before Terraform sees the answer). Every other
request passes through untouched. Tests only; it listens on 127.0.0.1, on an ephemeral port.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.terraform.harness import assert_loopback

# Hop-by-hop headers are the proxy's own business; bodies are forwarded with a Content-Length.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
)


@dataclass(frozen=True, kw_only=True)
class LockRequest:
    """One request on the lock object: its method, and moto's status once it answered."""

    method: str
    index: int  # 1 for the first request with this method on the lock object, 2 next, ...
    status: int | None = None


Hook = Callable[[LockRequest], None]


class LockProxy:
    """``with LockProxy(upstream=moto.endpoint, before=..., after=...) as proxy``; point one
    process's ``AWS_ENDPOINT_URL`` at ``proxy.endpoint``. ``proxy.requests`` lists what the
    process did to the lock object, in order, with moto's answers."""

    def __init__(self, *, upstream: str, before: Hook | None = None, after: Hook | None = None):
        parts = urllib.parse.urlsplit(assert_loopback(upstream))
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._before = before
        self._after = after
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self.requests: list[LockRequest] = []
        self.errors: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LockProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def trace(self) -> list[tuple[str, int | None]]:
        """``[("PUT", 412), ("GET", 200), ...]``: the lock requests and moto's answers."""
        with self._lock:
            return [(r.method, r.status) for r in self.requests]

    def _start(self, method: str) -> LockRequest:
        with self._lock:
            self._counts[method] = self._counts.get(method, 0) + 1
            return LockRequest(method=method, index=self._counts[method])

    def _finish(self, request: LockRequest, status: int) -> LockRequest:
        done = LockRequest(method=request.method, index=request.index, status=status)
        with self._lock:
            self.requests.append(done)
        return done

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _forward(self) -> None:
                body = self._read_body()
                is_lock = urllib.parse.urlsplit(self.path).path.endswith(".tflock")
                request = proxy._start(self.command) if is_lock else None
                try:
                    if request is not None and proxy._before is not None:
                        proxy._before(request)
                    status, headers, payload = self._upstream(body)
                    if request is not None:
                        done = proxy._finish(request, status)
                        if proxy._after is not None:
                            proxy._after(done)
                except Exception as exc:  # a hook failed: tell the test, fail the request
                    proxy.errors.append(f"{type(exc).__name__}: {exc}")
                    status, headers, payload = 599, [], b""
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                # A HEAD answer's Content-Length is the object's size, not this (empty) body's.
                length = {k.lower(): v for k, v in headers}.get("content-length")
                self.send_header(
                    "Content-Length",
                    length if self.command == "HEAD" and length else str(len(payload)),
                )
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass  # trailers
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _upstream(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(*proxy._upstream, timeout=60)
                try:
                    headers = {
                        k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                    }
                    headers["Content-Length"] = str(len(body))
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    return response.status, response.getheaders(), response.read()
                finally:
                    connection.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        return Handler
