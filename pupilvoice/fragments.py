"""{% cache key, ... %}…{% endcache %}: a piece of a page rendered once and kept.

A question page is mostly the same for every pupil in a band and a language:
the question, its picture cards, the buttons, the "are you still there?"
dialog. Rendering those costs more than everything else the request does, so
they are rendered once per key and kept in this process (as Jinja's own
documentation does it: jinja.palletsprojects.com, "Extensions", "Example
Extensions").

The key must name everything the piece depends on: the page's language,
where the app is mounted (for links), and whatever it shows. Nothing personal
goes inside a cached piece except what is in its key, and never a CSRF token.
"""

import threading

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

# Pieces a process keeps; the oldest go first. A piece is a few kilobytes, and
# there are a few per question, band and language, plus the picture choices
# pupils have made.
MAX_PIECES = 5000


class FragmentCache(Extension):
    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache={})

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
        # Templates have lists, not tuples, and a key must be hashable.
        key = tuple(tuple(part) if isinstance(part, list) else part for part in key)
        found = pieces.get(key)
        if found is None:
            found = Markup(caller())  # noqa: S704 - as above
            with _adding:
                if len(pieces) >= MAX_PIECES:
                    del pieces[next(iter(pieces))]
                pieces[key] = found
        return found


_adding = threading.Lock()


def init_app(app) -> None:
    app.jinja_env.add_extension(FragmentCache)
