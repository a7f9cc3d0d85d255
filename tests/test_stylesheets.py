"""A stylesheet with one brace left open swallows every rule after it, and the
browser says nothing (a merge did that to the offline note once)."""

import pytest

from pupilvoice.paths import STATIC


@pytest.mark.parametrize("path", sorted((STATIC / "css").glob("*.css")), ids=str)
def test_every_block_is_closed(path):
    depth = 0
    in_comment = False
    text = path.read_text()
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if not in_comment and pair == "/*":
            in_comment, i = True, i + 2
            continue
        if in_comment and pair == "*/":
            in_comment, i = False, i + 2
            continue
        if not in_comment:
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                assert depth >= 0, f"{path.name}: a brace closes nothing"
        i += 1
    assert depth == 0, f"{path.name}: {depth} block(s) left open"
