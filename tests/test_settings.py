"""Every setting the code reads is declared, with its default, in config/default.py."""

import re
from pathlib import Path

import registration
from registration.paths import shipped

ROOT = Path(registration.__file__).parent
#: config["NAME"], config.get("NAME"), settings.get("NAME") (the storage reads app settings).
_READ = re.compile(r"""(?:config|settings)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def _declared() -> set[str]:
    text = (shipped("config") / "default.py").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)\s*(?::[^=]+)?=", text, re.MULTILINE))


def test_every_setting_read_is_declared_in_the_defaults():
    read = {
        name: path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        for name in _READ.findall(path.read_text())
    }
    assert len(read) > 20  # the pattern still finds the settings
    missing = {name: where for name, where in read.items() if name not in _declared()}
    assert missing == {}
