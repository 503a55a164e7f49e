"""Build hook: a wheel carries the templates, migrations, config and compiled catalogues.

The checkout keeps ``templates/``, ``migrations/`` and ``config/`` beside the package; the wheel
copies them inside it (``registration.paths.shipped`` finds either) and compiles every ``.po``
catalogue to ``.mo``, so an installed application speaks French and Spanish without ``make``.
"""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("templates", "migrations", "config")


class BuildWithResources(build_py):
    """build_py, plus the shipped folders and the compiled catalogues."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself
            return
        package = Path(self.build_lib) / "registration"
        for name in SHIPPED:
            shutil.copytree(
                name,
                package / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "production.py"),
            )
        for po_path in (package / "translations").glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as source:
                catalogue = read_po(source)
            with po_path.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalogue)


setup(cmdclass={"build_py": BuildWithResources})
