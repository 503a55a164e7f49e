"""Where the files that ship with the application live.

In a checkout, ``templates/``, ``migrations/`` and ``config/`` sit beside the package (the layout
the project keeps); a built wheel carries copies inside the package (see ``setup.py``), because an
installed package has no checkout around it.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def shipped(name: str) -> Path:
    """The folder ``name`` (templates, migrations, config): inside the package when installed
    from a wheel, else beside it in the checkout."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PROJECT_ROOT / name


def in_checkout() -> bool:
    """True when running from a source checkout (editable install or plain path)."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "templates").is_dir()
