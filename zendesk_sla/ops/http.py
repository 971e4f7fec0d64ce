"""The operator's HTTP endpoint: /metrics, /healthz (ready and live) and the daemon's pages.

/healthz answers 200 while a cycle succeeded within `max_age` seconds, 503
otherwise, so an orchestrator restarts a worker that is stuck or failing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from zendesk_sla.ops.health import CycleHealth
from zendesk_sla.ops.metrics import Metrics

# A page the ops server serves: the query's parameters -> (status, content type, body).
Page = Callable[[dict[str, str]], tuple[int, str, bytes]]


class OpsServer:
    """Serves /metrics, /healthz and the `pages` given (the daemon's /report) on a thread.

    `/healthz` (also `/healthz/ready`): 200 while ready, else 503, with a JSON body saying
    why; `/healthz/live`: 200 while live (see `ops.health`).
    """

    def __init__(
        self,
        *,
        metrics: Metrics,
        health: CycleHealth,
        max_age: float,
        host: str = "127.0.0.1",
        port: int = 9108,
        pages: Mapping[str, Page] | None = None,
    ) -> None:
        served = dict(pages or {})

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                kind = "application/json"
                url = urlsplit(self.path)
                if url.path in served:
                    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                    status, kind, body = served[url.path](query)
                elif url.path == "/metrics":
                    body, kind, status = generate_latest(metrics.registry), CONTENT_TYPE_LATEST, 200
                elif url.path in ("/healthz", "/healthz/ready", "/healthz/live"):
                    ready, live, report = health.report(time.time(), max_age)
                    ok = live if url.path == "/healthz/live" else ready and live
                    body, status = (json.dumps(report) + "\n").encode(), 200 if ok else 503
                else:
                    body, kind, status = b"not found\n", "text/plain", 404
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":  # a probe's HEAD: the status and headers only
                    self.wfile.write(body)

            def do_HEAD(self) -> None:
                self.do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.2,), daemon=True)

    def start(self) -> OpsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
