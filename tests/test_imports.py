"""Every feature package imports on its own, first, in a fresh interpreter: no import cycle
waits for a lucky order (a worker process, a script or a shell may import any of them first)."""

import pkgutil
import subprocess
import sys

import pytest

import registration

PACKAGES = sorted(
    f"registration.{module.name}"
    for module in pkgutil.iter_modules(registration.__path__)
    if module.ispkg
)


def test_the_feature_packages_are_found():
    assert {"registration.delegates", "registration.mail", "registration.desk"} <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_first_on_its_own(package):
    result = subprocess.run(
        [sys.executable, "-c", f"import {package}"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
