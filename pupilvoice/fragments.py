"""{% cache key, ... %}…{% endcache %}: a piece of a page rendered once and kept.

A question page is mostly the same for every pupil in a band and a language:
the question, its picture cards, the buttons, the "are you still there?"
dialog. Rendering those costs more than everything else the request does, so
they are rendered once per key and kept in this process (as Jinja's own
documentation does it: jinja.palletsprojects.com, "Extensions", "Example
Extensions").

The page's language and where the app is mounted (for links) are always part
of the key; the template names everything else the piece shows. Nothing
personal goes inside a kept piece except what is in its key (which cards a
pupil chose, never their words), and never a CSRF token.
"""

from flask import has_request_context, request
from jinja2 import Undefined, nodes
from jinja2.ext import Extension
from markupsafe import Markup

from .i18n import locale
from .kept import Kept

# Pieces a process keeps; the oldest go first. A piece is a few kilobytes, and
# there are a few per question, band and language, plus the picture choices
# pupils have made.
MAX_PIECES = 5000


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache=Kept(MAX_PIECES))

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        parts = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            parts.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        key = nodes.Tuple(parts, "load", lineno=lineno)
        return nodes.CallBlock(
            self.call_method("_piece", [key]), [], [], body
        ).set_lineno(lineno)

    def _piece(self, key: tuple, caller) -> Markup:
        if self.environment.auto_reload:
            # Templates being edited (debug mode): show each change at once.
            return Markup(caller())  # noqa: S704 - a rendered, escaped template
        pieces = self.environment.fragment_cache
        for part in key:
            if isinstance(part, Undefined):
                # A name the template cannot see (a macro sees no page
                # variables): a piece kept under it would be shown to anyone.
                raise TypeError(f"{{% cache %}} key {key!r} has an undefined part")
        # Every piece is in the page's language, with links for where the app
        # is mounted; templates have lists, not tuples, and a key is hashed.
        key = (
            locale(),
            request.script_root if has_request_context() else "",
            *(tuple(part) if isinstance(part, list) else part for part in key),
        )
        found = pieces.get(key)
        if found is None:
            found = Markup(caller())  # noqa: S704 - as above
            pieces.add(key, found)
        return found


def init_app(app) -> None:
    app.jinja_env.add_extension(FragmentCache)
