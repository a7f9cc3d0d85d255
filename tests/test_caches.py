"""A kept piece of a page ({% cache %}) is the same for everyone whose key it
is: so a block must not show anything about this request or this pupil that
its key does not name. Every template is parsed, every block checked.
"""

from pathlib import Path

import pytest
from jinja2 import nodes

from pupilvoice.paths import TEMPLATES

# Names that differ from one request, person or pupil to the next.
PER_REQUEST = {
    "g",
    "request",
    "session",
    "csrf_token",
    "form",
    "errors",
    "draft",
    "pupil",
    "section",
    "saved",
    "answer",
    "meeting",
    "notes",
    "flags",
    "talk_flags",
    "get_flashed_messages",
}


def reference(node) -> str | None:
    """`g.pupil.preferred_name` for a chain of attributes on a name."""
    parts = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name):
        return ".".join([node.name, *reversed(parts)])
    return None


def references(node) -> set[str]:
    """Every name and whole attribute chain an expression or block reads
    (`g.pupil.name`, not also `g.pupil` and `g`)."""
    found = set()

    def visit(child):
        ref = reference(child)
        if ref is not None:
            if not isinstance(child, nodes.Name) or child.ctx == "load":
                found.add(ref)
            return
        for grandchild in child.iter_child_nodes():
            visit(grandchild)

    visit(node)
    return found


def cache_blocks(env, path: Path):
    tree = env.parse(path.read_text(), name=str(path))
    for block in tree.find_all(nodes.CallBlock):
        call = block.call
        if (
            isinstance(call.node, nodes.ExtensionAttribute)
            and call.node.name == "_piece"
        ):
            key = call.args[0]
            body = nodes.Template(block.body)
            yield block.lineno, references(key), references(body)


def uncovered(key: set[str], body: set[str]) -> set[str]:
    """Per-request references in the body that the key does not name."""
    return {
        ref
        for ref in body
        if ref.split(".")[0] in PER_REQUEST
        and not any(ref == k or ref.startswith(k + ".") for k in key)
    }


TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize(
    "path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_a_kept_piece_shows_nothing_its_key_does_not_name(app, path):
    for line, key, body in cache_blocks(app.jinja_env, path):
        assert not uncovered(key, body), (
            f"{path.name}:{line}: {{% cache %}} reads {sorted(uncovered(key, body))}"
            f" but its key is {sorted(key)}"
        )


def test_the_check_sees_blocks_and_catches_a_name_left_out(app):
    blocks = [b for p in TEMPLATE_FILES for b in cache_blocks(app.jinja_env, p)]
    assert len(blocks) >= 8
    source = '{% cache "cards", step.id %}{{ g.pupil.preferred_name }}{% endcache %}'
    tree = app.jinja_env.parse(source)
    block = next(tree.find_all(nodes.CallBlock))
    key = references(block.call.args[0])
    assert uncovered(key, references(nodes.Template(block.body))) == {
        "g.pupil.preferred_name"
    }
    safe = '{% cache "k", g.pupil.id %}{{ g.pupil.id }}{% endcache %}'
    block = next(app.jinja_env.parse(safe).find_all(nodes.CallBlock))
    key = references(block.call.args[0])
    assert not uncovered(key, references(nodes.Template(block.body)))
