"""Ship the top-level folders inside the package, with compiled catalogues.

Everything else about the build is in pyproject.toml. This hook copies
templates/, static/ and translations/ into the built package (see
pupilvoice/paths.py) and compiles each committed .po file to .mo, so an
installed PupilVoice never depends on hand-built catalogues.
"""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

FOLDERS = ("templates", "static", "translations")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        package = Path(self.build_lib) / "pupilvoice"
        for folder in FOLDERS:
            shutil.copytree(
                folder,
                package / folder,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("*.mo", "__pycache__"),
            )
        for po_path in Path("translations").glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[1])
            mo_path = package / po_path.with_suffix(".mo")
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildWithResources})
