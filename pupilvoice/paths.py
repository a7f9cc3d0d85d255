"""Where the top-level templates/, static/ and translations/ folders live.

In a checkout they sit beside the package; in an installed copy they are shipped
inside it (pyproject.toml maps them in). Looking inside first means an installed
copy never reads a stray checkout's files.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    inside = PACKAGE / name
    if inside.is_dir():
        return inside
    return PACKAGE.parent / name


TEMPLATES = resource_dir("templates")
STATIC = resource_dir("static")
TRANSLATIONS = resource_dir("translations")
