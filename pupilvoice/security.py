"""Headers on every response, CSRF protection on every POST (htmx included),
and only the host names this site is served under (TRUSTED_HOSTS)."""

from flask import current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import SecurityError

from .i18n import gettext

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# On every response, the app's and gunicorn's own (server.Worker) alike.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# On everything but a static file. Pages may hold a pupil's answers: never
# keep them in a browser cache on a shared school tablet.
NO_STORE = {"Cache-Control": "no-store"}


def set_headers(response):
    response.headers.update(HEADERS)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.endpoint != "static":
        response.headers.update(NO_STORE)
    return response


def refuse_untrusted_host():
    """Flask checks the Host header against TRUSTED_HOSTS as it routes, but
    keeps the refusal until the view would run, after every before-request
    function. Raised here, first, nothing is done for a request sent to a name
    this site is not served under (a redirect or link built on it, a sign-in,
    an audit row)."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def untrusted_host(_error):
    # Without a host it trusts, the app builds no links, so no page with a
    # layout: a line for the browser, and one for whoever runs the server.
    current_app.logger.warning(
        "Refused a request for host %r: not in PUPILVOICE_TRUSTED_HOSTS",
        request.headers.get("Host", "")[:100],
    )
    return (
        gettext("This site is not served under that name.") + "\n",
        400,
        {"Content-Type": "text/plain; charset=utf-8"},
    )


def init_app(app) -> None:
    """Before any other part of the app, so that its checks come first."""
    app.before_request(refuse_untrusted_host)
    app.register_error_handler(SecurityError, untrusted_host)
    csrf.init_app(app)
    app.after_request(set_headers)
