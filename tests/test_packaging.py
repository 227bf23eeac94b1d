"""Every Python package folder of ember is listed in pyproject.toml, so a wheel built from
it (not only an editable install) holds all of ember."""
from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP = {"tests", "bench", "examples", ".venv", "build", ".git"}


def _listed_packages() -> set[str]:
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"^packages = \[(.*?)\]", text, re.S | re.M).group(1)
    return set(re.findall(r'"(ember[\w.]*)"', block))


def _package_folders() -> set[str]:
    found = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP and not d.startswith((".", "__"))]
        if "__init__.py" in files:
            rel = os.path.relpath(folder, ROOT)
            found.add("ember" if rel == "." else "ember." + rel.replace(os.sep, "."))
    return found


def test_every_package_is_listed_in_pyproject():
    missing = _package_folders() - _listed_packages()
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_every_listed_package_exists():
    assert not _listed_packages() - _package_folders()
