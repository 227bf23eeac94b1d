"""lit configuration: FileCheck tests of `ember-opt`, one file per pass (tests/lit/passes),
the dialect (tests/lit/dialect) and the tool itself (tests/lit/tools).

Run from the repository root with `lit tests/lit -v`. `ember-opt` and `filecheck` are the
scripts installed beside the Python running lit, so the venv's ember is the one tested.
"""
import os
import sys

import lit.formats

config.name = "ember"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.test_source_root

_bin = os.path.dirname(sys.executable)
_ember_opt = os.path.join(_bin, "ember-opt")
if not os.path.exists(_ember_opt):  # NOTE: ember is importable but its scripts are not installed
    _ember_opt = f"{sys.executable} -m ember.tools.ember_opt"


def _tool(name: str) -> str:
    """A substitution key matching `name` as a command, not inside a path such as %s."""
    return rf"(?<![\w/.%-]){name}(?![\w.-])"


config.substitutions.append(("%python", sys.executable))
config.substitutions.append((_tool("ember-opt"), _ember_opt))
config.substitutions.append((_tool("filecheck"), os.path.join(_bin, "filecheck")))
config.environment["PATH"] = os.pathsep.join([_bin, config.environment.get("PATH", "")])
# NOTE: lit runs tests in a clean environment; keep PYTHONPATH so that a checkout put
# first on it is the ember under test.
if "PYTHONPATH" in os.environ:
    config.environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
# NOTE: the CPU schedules' checks (register tiles, vector lengths) are written for AVX-512's
# 512-bit vectors; ember-opt schedules for them on any host.
config.environment["EMBER_VECTOR_WIDTH"] = "512"
