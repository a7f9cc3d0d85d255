"""Static files for school Wi-Fi: fingerprinted URLs a browser may keep for a
year, and gzip for anything text-like when the browser accepts it."""

import contextlib
import gzip
import hashlib
from functools import cache
from pathlib import Path

from flask import Response, abort, request
from werkzeug.security import safe_join

from .paths import STATIC

COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt"}
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}
A_YEAR = 365 * 24 * 3600


@cache
def _read(filename: str) -> tuple[bytes, bytes | None, str]:
    """The file, its gzipped form if worth having, and its fingerprint. Static
    files change only with a new release, which starts new processes."""
    path = safe_join(str(STATIC), filename)
    if path is None or not Path(path).is_file():
        raise FileNotFoundError(filename)
    body = Path(path).read_bytes()
    packed = None
    if Path(path).suffix in COMPRESSIBLE:
        packed = gzip.compress(body, compresslevel=9, mtime=0)
    return body, packed, hashlib.sha256(body).hexdigest()[:12]


def fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        with contextlib.suppress(FileNotFoundError):
            values["v"] = _read(values["filename"])[2]


def send(filename: str):
    try:
        body, packed, digest = _read(filename)
    except FileNotFoundError:
        abort(404)
    # content_type, not mimetype: Flask adds a charset to a text mimetype,
    # and TYPES already has the one it should have.
    response = Response(
        content_type=TYPES.get(Path(filename).suffix, "application/octet-stream")
    )
    response.headers["Vary"] = "Accept-Encoding"
    if packed is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(body)
    if request.args.get("v") == digest:
        response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
        response.set_etag(digest)
        response.make_conditional(request)
    return response


def init_app(app) -> None:
    app.url_defaults(fingerprint)
    app.view_functions["static"] = send
