"""A small asyncio HTTP/1.1 client: persistent connections, cookies, CSRF.

Only the standard library, and lean on purpose: the load generator shares the
machine's two cores with the server it measures, so each request should cost
it as little as possible. It talks only to loopback.
"""

import asyncio
import gzip
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

LOOPBACK = "127.0.0.1"
CSRF_META = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')


class HTTPFailure(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    raw: bytes  # as sent: maybe compressed

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def body(self) -> bytes:
        if self.header("content-encoding") == "gzip":
            return gzip.decompress(self.raw)
        return self.raw

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One keep-alive connection, reopened when the server has closed it."""

    def __init__(self, port: int, timeout: float = 30.0):
        self.port = port
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(LOOPBACK, self.port, limit=1 << 20), self.timeout
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, raw: bytes) -> Response:
        for attempt in range(2):
            fresh = self.writer is None
            if fresh:
                await self._open()
            assert self.writer is not None
            try:
                self.writer.write(raw)
                response = await asyncio.wait_for(self._read(), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                self.close()
                # A kept-alive connection the server had just closed: the
                # request never arrived, so it is safe to send it again once.
                if fresh or attempt or not _nothing_read(error):
                    raise HTTPFailure(repr(error)) from error
                continue
            except TimeoutError as error:
                self.close()
                raise HTTPFailure("timed out") from error
            if response.header("connection") == "close":
                self.close()
            return response
        raise HTTPFailure("unreachable")

    async def _read(self) -> Response:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        for line in lines[1:]:
            if line:
                key, _, value = line.partition(":")
                headers.append((key.strip().lower(), value.strip()))
        response = Response(status, headers, b"")
        length = response.header("content-length")
        if status in (204, 304):
            return response
        if length is not None:
            response.raw = await self.reader.readexactly(int(length))
        elif response.header("transfer-encoding") == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            response.raw = b"".join(parts)
        else:
            response.raw = await self.reader.read()
            self.close()
        return response


def _nothing_read(error: Exception) -> bool:
    if isinstance(error, asyncio.IncompleteReadError):
        return not error.partial
    return True


@dataclass
class Client:
    """A browser, more or less: its own cookies, CSRF token and connection."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None
    conn: Connection = None  # type: ignore[assignment]

    def __post_init__(self):
        if self.conn is None:
            self.conn = Connection(self.port)

    def clone(self) -> "Client":
        """The same session on a connection of its own, like a second tab."""
        return Client(self.port, dict(self.cookies), self.csrf)

    def _request(self, method: str, path: str, headers: dict, body: bytes) -> bytes:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {LOOPBACK}:{self.port}",
            "Accept-Encoding: gzip",
        ]
        if self.cookies:
            lines.append(
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        for key, value in headers.items():
            lines.append(f"{key}: {value}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def request(
        self, method: str, path: str, headers: dict | None = None, body: bytes = b""
    ) -> Response:
        response = await self.conn.send(
            self._request(method, path, headers or {}, body)
        )
        for key, value in response.headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value and "expires=thu, 01 jan 1970" not in rest.lower():
                    self.cookies[name] = cookie_value
                else:
                    self.cookies.pop(name, None)
        return response

    async def get(self, path: str, headers: dict | None = None) -> Response:
        return await self.request("GET", path, headers)

    async def post(
        self, path: str, fields: list[tuple[str, str]], headers: dict | None = None
    ) -> Response:
        body = urlencode([("csrf_token", self.csrf or ""), *fields]).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        }
        return await self.request("POST", path, headers, body)

    async def page(self, path: str, expect: int = 200) -> Response:
        """GET a page and keep its CSRF token, as the page's forms would."""
        response = await self.get(path)
        if response.status != expect:
            raise HTTPFailure(f"GET {path}: {response.status}")
        found = CSRF_META.search(response.body)
        if found:
            self.csrf = found.group(1).decode()
        return response

    def close(self) -> None:
        self.conn.close()


async def wait_until_up(port: int, path: str, deadline: float) -> None:
    """Poll until the server answers, or fail at the deadline."""
    last = None
    while time.monotonic() < deadline:
        client = Client(port)
        try:
            response = await client.get(path)
            if response.status < 500:
                return
            last = f"status {response.status}"
        except (OSError, HTTPFailure) as error:
            last = repr(error)
        finally:
            client.close()
        await asyncio.sleep(0.1)
    raise HTTPFailure(f"the server on port {port} did not come up: {last}")
