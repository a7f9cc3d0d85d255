"""How `pupilvoice serve` runs gunicorn. The benchmark serves its bare Flask
baseline through this too, so the two are compared under the same settings."""

import ctypes
import os
import signal
import sys
from functools import cache

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from . import security

# A Python process runs one thread at a time, so it is processes that use the
# cores: two a core, as gunicorn's documentation advises, so that one busy with
# a PDF leaves others free. Threads only cover waiting (for SQLite's write
# lock, or a slow connection). Measured on the 2-core machine, with the
# keep-alive below: the question page's p95 under the realistic load went from
# 39 ms (2 workers x 4 threads, 2 s keep-alive) to 16 ms (docs/decisions.md).
WORKERS = 2 * (os.cpu_count() or 1)
THREADS = 2
# Tablets ask every few seconds. gunicorn's default of 2 s would close most of
# their connections between two requests, and each would be opened again.
KEEPALIVE_SECONDS = 30
# Every request bounded (docs/security.md). The app's URLs are short: the
# longest, the audit log with its filter or a sign-in with the page to return
# to, are a few hundred bytes at most.
LIMIT_REQUEST_LINE = 2048
# Browsers send about 15 headers, a reverse proxy adds a few.
LIMIT_REQUEST_FIELDS = 50
# The Cookie header is the largest: ours are small, but other services on a
# school's domain may set big ones. nginx's default buffer is 8 KB too.
LIMIT_REQUEST_FIELD_SIZE = 8190
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def settings(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": Worker,
        "keepalive": KEEPALIVE_SECONDS,
        "accesslog": None,
        "post_fork": die_with_master,
        # gunicorn believes X-Forwarded-Proto and friends from 127.0.0.1 by
        # default. Only the app's ProxyFix, set by PUPILVOICE_TRUSTED_PROXIES,
        # may believe them: one place to decide, and nothing trusted unless set.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        # The control socket is one path in the home folder for every
        # instance, and nothing here uses it.
        "control_socket_disable": True,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
    }


def die_with_master(_master, worker) -> None:
    """gunicorn's post_fork hook, run in each new worker. If the master is
    killed outright (SIGKILL, the out-of-memory killer), a worker notices only
    later and then waits up to its 30 s graceful timeout for open connections,
    keeping the port, so a restart cannot bind it. On Linux the kernel ends the
    worker with its master instead. SIGKILL, not a graceful signal: a stopping
    worker would keep the port while it finishes. A save cut off this way is
    shown on the tablet as not saved, its answer still on the page to send
    again, and SQLite commits a transaction whole or not at all."""
    if not sys.platform.startswith("linux"):
        return
    # The signal comes when the thread that forked the worker ends: gunicorn
    # forks from the master's main thread (its control socket thread is off).
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != worker.ppid:
        # The master died before the line above could take effect.
        os._exit(1)


@cache
def security_headers() -> bytes:
    """The headers pupilvoice.security puts on every page, as header lines
    (gunicorn's own answers are never static files, so never kept)."""
    headers = {**security.HEADERS, **security.NO_STORE}
    lines = [f"{name}: {value}\r\n" for name, value in headers.items()]
    return "".join(lines).encode("latin-1")


class _WithSecurityHeaders:
    """A client socket that adds the security headers to the one response
    gunicorn writes on it itself, right after its status line."""

    def __init__(self, sock):
        self._sock = sock
        self._written = False

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def sendall(self, data: bytes) -> None:
        if not self._written:
            self._written = True
            status, rest = data.split(b"\r\n", 1)
            data = status + b"\r\n" + security_headers() + rest
        self._sock.sendall(data)


class Worker(ThreadWorker):
    """gunicorn's gthread worker, whose own error pages (a bad request line, a
    URL or headers over the limits, an error escaping the app) carry the same
    security headers as the app's pages."""

    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, _WithSecurityHeaders(client), addr, exc)


def run(app, host: str, port: int, workers: int = WORKERS, threads: int = THREADS):
    class Server(BaseApplication):
        def load_config(self):
            for name, value in settings(host, port, workers, threads).items():
                self.cfg.set(name, value)

        def load(self):
            return app

    Server().run()
