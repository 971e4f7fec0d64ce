"""The HTTP server: the sandbox on loopback in a background thread, and its job runner."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Protocol, TypeVar

from zendesk_sla.sandbox.jobs import JobQueue
from zendesk_sla.sandbox.routing import Reply, parse_query


class Sandbox(Protocol):
    """What the server needs of the sandbox it serves (`sandbox.server.Sandbox` is one)."""

    base_url: str

    @property
    def account(self) -> JobQueue: ...

    def handle(
        self, method: str, path: str, query: dict[str, str], body: bytes, auth: str
    ) -> Reply | None: ...


Served = TypeVar("Served", bound=Sandbox)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms ACK waits
    sandbox: Sandbox

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        reply = self.sandbox.handle(
            self.command, path, parse_query(raw_query), body, self.headers.get("Authorization", "")
        )
        if reply is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Zendesk-API-Version", "v2")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


class SandboxServer(Generic[Served]):
    """Runs a `Sandbox` on loopback in a background thread; `port=0` picks a free port."""

    def __init__(self, sandbox: Served, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"sandbox": sandbox})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.sandbox = sandbox
        bound_port = self.httpd.server_address[1]
        sandbox.base_url = f"http://{host}:{bound_port}"
        self._thread: threading.Thread | None = None
        self._stop_jobs = threading.Event()

    @property
    def url(self) -> str:
        return self.sandbox.base_url

    def start(self) -> SandboxServer[Served]:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="zendesk-sandbox", daemon=True
        )
        self._thread.start()
        jobs = threading.Thread(
            target=self.sandbox.account.run_jobs,
            args=(self._stop_jobs,),
            name="sandbox-jobs",
            daemon=True,
        )
        jobs.start()
        return self

    def stop(self) -> None:
        self._stop_jobs.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer[Served]:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
