"""How the app is served: gunicorn's settings, its own error pages, what it
leaves behind, how it restarts, and the Content-Type of every static file.

The tests that need a real server start `python -m pupilvoice serve` on a free
127.0.0.1 port, in a process group of their own that is killed at the end,
whatever happened.
"""

import contextlib
import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gunicorn.config import Config

from pupilvoice import create_app, retention, server
from pupilvoice.paths import STATIC

ROOT = Path(__file__).resolve().parent.parent
# The headers pupilvoice.security puts on every page of the app.
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "cache-control",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """`python -m pupilvoice serve` on 127.0.0.1, with its home, runtime and
    instance folders inside `folder`, and its output in a log file there."""

    def __init__(self, folder: Path, port: int, workers: int = 1):
        self.port = port
        for name in ("home", "run", "instance"):
            (folder / name).mkdir(exist_ok=True)
        env = {
            name: value
            for name, value in os.environ.items()
            # Anything that could make this server trust forwarded headers
            # other than what pupilvoice.server says.
            if not name.startswith(("PUPILVOICE_", "GUNICORN", "FORWARDED_"))
        }
        env.update(
            HOME=str(folder / "home"),
            XDG_RUNTIME_DIR=str(folder / "run"),
            PUPILVOICE_INSTANCE=str(folder / "instance"),
            PYTHONPATH=str(ROOT),
        )
        self.log = folder / f"serve-{time.monotonic_ns()}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pupilvoice", "serve", "--host", "127.0.0.1"]
                + ["--port", str(port), "--workers", str(workers), "--threads", "2"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def connect(self, timeout: float = 20) -> http.client.HTTPConnection:
        """A keep-alive connection on which the server has answered once."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited:\n{self.output()[-3000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/sign-in")
                connection.getresponse().read()
                return connection
            except OSError:
                connection.close()
                if time.monotonic() > deadline:
                    pytest.fail(f"no answer in {timeout} s:\n{self.output()[-3000:]}")
                time.sleep(0.1)

    def wait_listening(self, timeout: float) -> None:
        """Until this master has bound its port: gunicorn logs "Listening at"
        only once the bind has worked, which it cannot while another process
        still listens there."""
        deadline = time.monotonic() + timeout
        while f"Listening at: http://127.0.0.1:{self.port}" not in self.output():
            if "Connection in use" in self.output() or self.process.poll() is not None:
                pytest.fail(f"the port was still taken:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"not listening in {timeout} s:\n{self.output()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """The master, its workers and any worker it left behind: the group
        is only what this server started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(port: int | None = None, workers: int = 1) -> Served:
        started.append(Served(tmp_path, port or free_port(), workers))
        return started[-1]

    yield start
    for served in started:
        served.kill()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the tests that only ask it things."""
    instance = Served(tmp_path_factory.mktemp("served"), free_port())
    try:
        instance.connect().close()
        yield instance
    finally:
        instance.kill()


def get(port: int, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def raw(port: int, request: bytes) -> tuple[int, dict[str, str]]:
    """Send bytes that are not a valid request; the status and headers back."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := client.recv(65536):
                received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status, *lines = head.split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status.split()[1]), headers


# gunicorn's settings


def test_gunicorn_itself_trusts_no_forwarded_headers():
    settings = server.settings("127.0.0.1", 8000, 1, 1)
    assert settings["forwarded_allow_ips"] == ""
    assert settings["secure_scheme_headers"] == {}
    assert settings["forwarder_headers"] == ""


def test_request_limits_are_set_explicitly():
    settings = server.settings("127.0.0.1", 8000, 1, 1)
    for name in ("limit_request_line", "limit_request_fields"):
        assert 0 < settings[name] <= 8190, name
    assert 0 < settings["limit_request_field_size"] <= 8190


def test_a_forwarded_https_header_does_not_make_the_served_app_see_https(served):
    response = get(
        served.port,
        "/sign-in",
        {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"},
    )
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None
    cookie = response.getheader("Set-Cookie") or ""
    assert "secure" not in cookie.lower()


def test_behind_a_trusted_proxy_the_app_alone_believes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PUPILVOICE_TRUSTED_PROXIES", "1")
    app = create_app(
        {"DATABASE": str(tmp_path / "db.sqlite3"), "SECRET_KEY": "test-only"}
    )
    response = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_control_socket_is_made(served):
    folder = served.log.parent
    assert not list((folder / "run").rglob("*")), "under XDG_RUNTIME_DIR"
    assert not list((folder / "home").rglob("*")), "in the home folder"
    assert not list(folder.glob("*.ctl"))


# gunicorn's own error pages


BAD_REQUESTS = [
    "a bad request line",
    "a URL over the limit",
    "too many headers",
    "a header too large",
]


def served_limits() -> Config:
    """gunicorn's configuration as `pupilvoice serve` sets it."""
    config = Config()
    for name, value in server.settings("127.0.0.1", 8000, 1, 1).items():
        config.set(name, value)
    return config


def _bad_request(what: str) -> tuple[bytes, int]:
    """The bytes to send, and the status gunicorn should answer with."""
    limits = served_limits()
    long_url = "/" + "a" * limits.limit_request_line
    many = "".join(f"X-{n}: 1\r\n" for n in range(limits.limit_request_fields + 1))
    large = "X-Large: " + "a" * limits.limit_request_field_size + "\r\n"
    found = {
        "a bad request line": (b"NOT HTTP AT ALL\r\n\r\n", 400),
        "a URL over the limit": (f"GET {long_url} HTTP/1.1\r\n\r\n".encode(), 414),
        "too many headers": (f"GET / HTTP/1.1\r\n{many}\r\n".encode(), 431),
        "a header too large": (f"GET / HTTP/1.1\r\n{large}\r\n".encode(), 431),
    }
    return found[what]


@pytest.mark.parametrize("what", BAD_REQUESTS)
def test_gunicorns_own_error_pages_carry_the_apps_security_headers(served, what):
    request, status = _bad_request(what)
    page = get(served.port, "/sign-in")
    found, headers = raw(served.port, request)
    assert found == status
    for name in SECURITY_HEADERS:
        assert headers.get(name) == page.getheader(name), name
    assert headers["cache-control"] == "no-store"


def test_a_url_at_the_limit_still_reaches_the_app(served):
    # "GET " + path + " HTTP/1.1" is the request line gunicorn measures.
    longest = served_limits().limit_request_line - len("GET  HTTP/1.1")
    path = "/" + "a" * (longest - 1)
    assert get(served.port, path).status == 404


# Request bodies


def test_a_chunked_body_over_the_limit_is_refused_by_the_served_app(served):
    """gunicorn hands the app a chunked body with no length; the app must
    still refuse one past MAX_CONTENT_LENGTH, not read up to it and go on."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=20)
    try:
        connection.request("GET", "/sign-in")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        token = html.split('name="csrf-token" content="')[1].split('"')[0]
        head = f"csrf_token={token}&password=x&email=".encode()
        chunks = [head] + [b"a" * 16384] * 20  # 320 KB, over the 256 KB limit
        connection.request(
            "POST",
            "/sign-in",
            body=iter(chunks),
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            encode_chunked=True,
        )
        response = connection.getresponse()
        text = response.read().decode()
    finally:
        connection.close()
    assert response.status == 413
    assert "too much to send" in text
    assert "aaaa" not in text


# Restarting


def test_a_restart_right_after_the_master_is_killed_gets_the_port(serve):
    port = free_port()
    first = serve(port, workers=2)
    # When the master dies a tablet's connection is kept alive and others are
    # open with no request on them yet: the workers would wait up to their
    # 30 s graceful timeout for those, holding the port.
    tablet = first.connect()
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    time.sleep(0.3)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    second = serve(port, workers=2)
    second.wait_listening(timeout=10)
    second.connect(timeout=10).close()
    tablet.close()
    for connection in silent:
        connection.close()


# Static files


def test_every_static_file_type_has_one_charset_at_most(app):
    client = app.test_client()
    by_type = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            by_type.setdefault(path.suffix, path.relative_to(STATIC).as_posix())
    assert {".css", ".js", ".svg", ".woff2", ".md"} <= set(by_type)
    for suffix, name in by_type.items():
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        content_type = response.headers["Content-Type"]
        assert content_type.count("charset") <= 1, content_type
        if content_type.startswith("text/"):
            assert content_type.endswith("; charset=utf-8"), (suffix, content_type)


def test_pages_have_one_charset(app):
    response = app.test_client().get("/sign-in")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


# Durability


class Noted(sqlite3.Connection):
    """A connection that notes its synchronous setting as it closes."""

    def close(self):
        with contextlib.suppress(sqlite3.ProgrammingError):
            self.noted = self.execute("PRAGMA synchronous").fetchone()[0]
        super().close()


def test_every_connection_the_app_uses_waits_for_the_disk(tmp_path, monkeypatch):
    """synchronous = FULL (2): in WAL mode, NORMAL can lose the last commits on
    a power cut, answers the tablet has already shown as saved."""
    opened = []
    connect = sqlite3.connect

    def noting(*args, **kwargs):
        kwargs.setdefault("factory", Noted)
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", noting)
    app = create_app(
        {"DATABASE": str(tmp_path / "db.sqlite3"), "SECRET_KEY": "test-only"}
    )
    app.test_client().get("/sign-in")
    retention.run_daily(app.config["DATABASE"])
    for thread in threading.enumerate():
        if thread.name == "daily-purge":
            thread.join(10)
    # The app's own (one a thread) and the daily purge's.
    assert len(opened) >= 2
    for conn in opened:
        level = getattr(conn, "noted", None)
        if level is None:
            level = conn.execute("PRAGMA synchronous").fetchone()[0]
        assert level == 2
