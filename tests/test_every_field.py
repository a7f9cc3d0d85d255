"""Every form field the app shows, found by walking the app's own URL map as
each role and reading the forms on every page, takes the hostile-input corpus
and an oversized value: never a 500, never unescaped, never stored past its
limit. A new page, form or field is covered without anyone adding it here;
a new POST route that no page offers a form for fails the coverage check."""

from html.parser import HTMLParser

import pytest
from flask_wtf import FlaskForm
from school import PASSWORD, Browserless, add_section
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField

from pupilvoice import forms

NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    '=HYPERLINK("http://evil.example","x")',
    "مرحبا \u202eevil\u202c \u2066x\u2069",
    "nul\x00byte\x07\x1b[31m",
    "'; DROP TABLE answers; --",
    "../../etc/passwd",
    "9" * 30,
    "-1",
    "",
]
OVERSIZED = "x" * 5_000  # past every field's limit, under the request's
LONGEST_TEXT_KEPT = 4_000  # a staff note; a pupil's answer is 2,000


class Forms(HTMLParser):
    """The POST forms on a page: action, and each field with its value."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.current = {"action": attrs.get("action"), "fields": MultiDict()}
            self.found.append(self.current)
        elif self.current is not None and tag in ("input", "textarea", "select"):
            name = attrs.get("name")
            kind = attrs.get("type", "text")
            if name and kind not in ("submit", "button"):
                if kind in ("radio", "checkbox") and "checked" not in attrs:
                    self.current["fields"].setdefault(name, attrs.get("value", ""))
                else:
                    self.current["fields"].add(name, attrs.get("value", ""))
        elif self.current is not None and tag == "button" and attrs.get("name"):
            self.current["fields"].setdefault(attrs["name"], attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_on(html: str, page_url: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    for form in parser.found:
        form["action"] = form["action"] or page_url
    return parser.found


def values(db, school):
    leo = school["pupils"]["Leo"]
    section, meeting = add_section(
        db,
        leo,
        status="finished",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:00+00:00",
    )
    db["talk_flags"].insert(
        {"section_id": section, "raised_at": "2026-01-01T00:00:00+00:00"}
    )
    # Words in another language, which the teacher can translate.
    db["answers"].insert(
        {
            "section_id": section,
            "step": "going_well",
            "status": "answered",
            "text": "Dobrze",
            "language": "pl",
            "updated_at": "2026-01-01T00:00:00+00:00",
        }
    )
    db["outcomes"].insert(
        {
            "meeting_id": meeting,
            "position": 0,
            "what": "w",
            "who": "x",
            "by_when": "2099-01-01",
        }
    )
    return {
        "pupil_id": leo,
        "meeting_id": meeting,
        "section_id": section,
        "fmt": "json",
    }


def staff_pages(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("pupil.", "static")):
            continue
        if set(rule.arguments) <= set(ids):
            yield rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[
                1
            ]


def pupil_pages(web):
    yield from ["/pupil/welcome", "/pupil/check", "/pupil/settings", "/pupil/teacher"]
    for step in ["feel", "going_well", "hard", "meeting_share", "private_note"]:
        yield f"/pupil/q/{step}"


# Posting these ends the session or the pupil's turn: each gets a client of
# its own, so the walk carries on signed in.
ENDS_SESSION = ("/sign-out", "/pupil-mode", "/pupil/finish", "/pupil/teacher")


def discover(app, db, school):
    """(role, page, form) for every POST form any role is shown."""
    ids = values(db, school)
    found = []
    for email in ["teacher@ours.test", "sw@council.test", "admin@council.test"]:
        web = Browserless(app.test_client())
        web.sign_in(email)
        # Leo's voice is finished (his page offers Reopen); Maya's is not
        # started (hers offers the hand-over form).
        maya = f"/staff/pupils/{school['pupils']['Maya']}"
        for url in [*staff_pages(app, ids), maya]:
            response = web.get(url)
            if response.mimetype == "text/html":
                found += [(email, url, f) for f in forms_on(response.text, url)]
    web = Browserless(app.test_client())
    found += [
        ("signed out", "/sign-in", f)
        for f in forms_on(web.get("/sign-in").text, "/sign-in")
    ]
    web = client_for(app, school, "half signed in")
    page = web.get("/sign-in/code").text
    found += [
        ("half signed in", "/sign-in/code", f) for f in forms_on(page, "/sign-in/code")
    ]
    tablet = pupil_mode(app, school)
    for url in pupil_pages(tablet):
        found += [("pupil", url, f) for f in forms_on(tablet.get(url).text, url)]
    # The sign-out button is on every page: each form once a role is enough.
    unique = {}
    for role, page, form in found:
        key = (role, form["action"], tuple(sorted(form["fields"].keys())))
        unique.setdefault(key, (role, page, form))
    return list(unique.values())


def pupil_mode(app, school):
    web = Browserless(app.test_client())
    web.sign_in("teacher@ours.test")
    maya = school["pupils"]["Maya"]
    web.get(f"/staff/pupils/{maya}")
    web.post(f"/staff/pupils/{maya}/pupil-mode", {"band": "ks34", "language": "en"})
    return web


def client_for(app, school, role):
    if role == "pupil":
        return pupil_mode(app, school)
    web = Browserless(app.test_client())
    if role == "half signed in":
        web.get("/sign-in")
        web.post("/sign-in", {"email": "admin@council.test", "password": PASSWORD})
        return web
    if role == "signed out":
        web.get("/sign-in")
    else:
        web.sign_in(role)
    return web


def test_every_field_of_every_form_takes_hostile_and_oversized_input(app, db, school):
    found = discover(app, db, school)
    posted = 0
    clients = {}
    for role, page, form in found:
        ends = form["action"].endswith(ENDS_SESSION)
        for field in list(form["fields"].keys()):
            if field == "csrf_token":
                continue
            for value in [*NASTY, OVERSIZED]:
                if ends or role not in clients:
                    clients[role] = client_for(app, school, role)
                web = clients[role]
                web.get(page)
                data = MultiDict(form["fields"])
                data.setlist(field, [value])
                data["csrf_token"] = web.token
                response = web.client.post(form["action"], data=data)
                posted += 1
                where = (role, form["action"], field, value[:12])
                assert response.status_code in (200, 204, 302, 400, 404, 409), where
                if response.mimetype == "text/html":
                    assert "<script>alert(1)</script>" not in response.text, where
                    assert "<img src=x onerror" not in response.text, where
                if ends:
                    clients.pop(role)
    assert posted > 500, posted
    longest = longest_text_stored(db)
    assert longest[0] <= LONGEST_TEXT_KEPT, longest


def longest_text_stored(db) -> tuple[int, str]:
    longest = (0, "")
    for table in db.table_names():
        for column in db[table].columns:
            if column.type.upper() != "TEXT":
                continue
            (size,) = db.execute(
                f'SELECT coalesce(max(length("{column.name}")), 0) FROM "{table}"'  # noqa: S608 - names from the schema
            ).fetchone()
            longest = max(longest, (size, f"{table}.{column.name}"))
    return longest


# Routes a page calls without a form of its own, and why.
NO_FORM = {
    "pupil.still_here": "htmx button in the idle warning, no fields",
}


def test_every_post_route_is_offered_by_some_form(app, db, school):
    actions = {
        form["action"].split("?")[0] for _r, _p, form in discover(app, db, school)
    }
    adapter = app.url_map.bind("localhost")
    reached = {adapter.match(a, method="POST")[0] for a in actions}
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    missing = posts - reached - set(NO_FORM)
    assert not missing, f"POST routes no page offers a form for: {sorted(missing)}"


def form_classes():
    """Every form class the app defines (the module's FlaskForm subclasses)."""
    return [
        value
        for value in vars(forms).values()
        if isinstance(value, type)
        and issubclass(value, FlaskForm)
        and value.__module__ == forms.__name__
        and value.__name__ != "Form"
    ]


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda c: c.__name__)
def test_every_text_field_has_a_length_limit(app, form_class):
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        for field in form:
            if not isinstance(field, StringField | PasswordField):
                continue
            if type(field).__name__ == "DateText":
                continue  # refused unparsed past 40 characters
            limits = [
                v.max
                for v in field.validators
                if getattr(v, "max", -1) not in (-1, None)
            ]
            assert limits, f"{form_class.__name__}.{field.name} has no length limit"
