"""Cleaning text people type, the pupil's and the staff's alike: one function.

Control characters have no place in a name or an answer and break exports
(NUL ends a C string; a form feed upsets Word). Bidi overrides, embeddings and
isolates (U+202A-U+202E, U+2066-U+2069) let typed text reorder what is shown
around it, so "\u202eevil" inside a name scrambles the rest of the line; they
go too. Marks that only hint a direction (LRM, RLM, ALM) and joiners (ZWJ,
ZWNJ, needed for emoji and for Persian and Pashto words) are kept. Text is
stored in NFC, so the same word is always the same string.
"""

import unicodedata

BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


def clean(value: str | None, multiline: bool = True) -> str:
    value = value or ""
    for old, new in LINE_BREAKS.items():
        value = value.replace(old, new)
    keep = "\n\t" if multiline else ""
    value = "".join(
        ch
        for ch in value
        if ch in keep
        or (ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cs"))
    )
    if not multiline:
        value = " ".join(value.split())
    return unicodedata.normalize("NFC", value).strip()
