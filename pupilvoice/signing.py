"""Signatures checked, and made, once: the session cookie and the CSRF token.

Every request opens the signed session cookie (a serializer built, an HMAC
checked, JSON read) and every page signs the CSRF token afresh: together about
a tenth of a pupil's page. A tablet sends the same cookie all session and its
token never changes (WTF_CSRF_TIME_LIMIT is None: it lives as long as the
session), so each process does that work once per cookie and once per token.

Nothing is trusted that was not checked: the kept results are keyed by the
exact signed value, and the cookie's age is still checked on every request.
"""

import time

from flask import current_app, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

from .kept import Kept

# Per process; a session cookie and a token are each a few hundred bytes.
MAX_KEPT = 10_000


class CheckedOnceSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, each cookie's signature checked once."""

    def __init__(self):
        self._opened = Kept(MAX_KEPT)  # cookie -> (its data, when signed)

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        found = self._opened.get(value)
        if found is None:
            serializer = self.get_signing_serializer(app)
            if serializer is None:
                return None
            try:
                data, signed_at = serializer.loads(
                    value, max_age=max_age, return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            found = (data, signed_at.timestamp())
            self._opened.add(value, found)
        data, signed_at = found
        if time.time() - signed_at > max_age:
            return self.session_class()
        # A copy: the request may change its session, never the kept one.
        # (Values are only ever replaced, never changed in place.)
        return self.session_class(dict(data))


_tokens = Kept(MAX_KEPT)


def csrf_token() -> str:
    """Flask-WTF's generate_csrf(), signed once per session's token."""
    raw = session.get("csrf_token")
    if raw is None:
        return generate_csrf()
    key = (current_app.secret_key, raw)
    found = _tokens.get(key)
    if found is None:
        found = generate_csrf()
        _tokens.add(key, found)
    return found


def init_app(app) -> None:
    app.session_interface = CheckedOnceSessions()
    # Flask-WTF offers its own both as a global and from a context processor;
    # this one, registered later, takes the place of both.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
