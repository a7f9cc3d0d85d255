"""Cleaning text people type, the pupil's and the staff's alike: one function.

Control characters have no place in a name or an answer and break exports
(NUL ends a C string; a form feed upsets Word). Bidi overrides, embeddings and
isolates (U+202A-U+202E, U+2066-U+2069) let typed text reorder what is shown
around it, so "\u202eevil" inside a name scrambles the rest of the line; they
go too. So do invisible format characters (zero-width space, byte order mark,
word joiner, soft hyphen, Unicode tags and the like): they make two names that
look the same differ, hide words from a search, and carry hidden text into
exports. Kept are the ones a language or an emoji needs: joiners (ZWJ, ZWNJ,
for emoji and for Persian and Pashto words), marks that only hint a direction
(LRM, RLM, ALM), format characters that are seen (the Arabic number sign and
its like), and the tags of a flag (Wales, Scotland, England are a black flag
and tags). Text is stored in NFC, so the same word is always the same string.
"""

import re
import unicodedata

BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
# Format characters (category Cf) that are kept: joiners, direction marks, and
# the "prepended concatenation marks", which are drawn (Unicode's
# Prepended_Concatenation_Mark property).
KEPT_FORMAT = frozenset(
    "\u200c\u200d\u200e\u200f\u061c"
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd"
)
# Invisible code points not (yet) assigned a category of their own, which
# Unicode nonetheless reserves as ignorable (Default_Ignorable_Code_Point).
RESERVED_INVISIBLE = re.compile(
    "[\u2065\ufff0-\ufff8\U000e0000-\U000e00ff\U000e01f0-\U000e0fff]"
)
# An emoji flag made of tags (UTS #51 emoji_tag_sequence): a black flag, a
# region's letters or digits as tags, and the cancel tag.
FLAG = re.compile(
    "\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,7}\U000e007f"
)
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


def _kept(ch: str, keep: str) -> bool:
    if ch in keep:
        return True
    if ch in BIDI_CONTROLS:
        return False
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch in KEPT_FORMAT
    return category not in ("Cc", "Cs")


def _visible(value: str, keep: str) -> str:
    return "".join(ch for ch in RESERVED_INVISIBLE.sub("", value) if _kept(ch, keep))


def clean(value: str | None, multiline: bool = True) -> str:
    value = value or ""
    for old, new in LINE_BREAKS.items():
        value = value.replace(old, new)
    keep = "\n\t" if multiline else ""
    # Flags are set aside whole, so that their tags are not taken for hidden text.
    kept, start = [], 0
    for flag in FLAG.finditer(value):
        kept.append(_visible(value[start : flag.start()], keep))
        kept.append(flag.group())
        start = flag.end()
    kept.append(_visible(value[start:], keep))
    value = "".join(kept)
    if not multiline:
        value = " ".join(value.split())
    return unicodedata.normalize("NFC", value).strip()
