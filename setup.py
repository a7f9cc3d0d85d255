"""Compile the translation catalogues into the built package.

Everything else about the build is in pyproject.toml; this hook exists only so
that `pip install .` ships .mo files built from the committed .po files.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "pupilvoice" / "translations"
        for po_path in Path("translations").glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[1])
            mo_path = target / po_path.relative_to("translations").with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildWithCatalogues})
