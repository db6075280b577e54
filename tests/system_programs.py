"""Tests that need something outside the standard install (Graphviz's `dot`, a browser, torch) run only where
it is installed.

Mark such a test `@requires_program(name, install_hint)` (or `@requires_dot`). Where the program is
not on PATH the test is skipped, with a reason saying how to install it, so the test command
passes on a fresh machine; with the environment variable MICROGRADNET_REQUIRE_SYSTEM=1 (which
`.ci/run` sets) the test fails instead, so CI runs every one of them. `tests/conftest.py` applies
the marker before each test runs; a fixture can call `check_program` itself, and a test module that
needs a Python package the dev extra leaves out (torch) calls `require_module`.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest

from microgradnet.render.backend import INSTALL_GRAPHVIZ

REQUIRE_SYSTEM = "MICROGRADNET_REQUIRE_SYSTEM"
MARKER = "requires_program"
INSTALL_CHROMIUM = "install it with `apt-get install chromium chromium-driver` (Debian, Ubuntu)"


def system_required() -> bool:
    """Whether missing programs fail the tests that need them (MICROGRADNET_REQUIRE_SYSTEM set, and not 0)."""
    return os.environ.get(REQUIRE_SYSTEM, "") not in ("", "0")


def missing(reason: str, *, allow_module_level: bool = False) -> NoReturn:
    """Skip the running test (or module) for `reason`; fail it instead when the system is required."""
    if system_required():
        pytest.fail(f"{reason} ({REQUIRE_SYSTEM}=1 makes it required)", pytrace=False)
    pytest.skip(reason, allow_module_level=allow_module_level)


# The name `requires_program` takes for the C back end's compiler, found as the back end finds it.
C_COMPILER = "a C compiler"


def check_program(name: str, install_hint: str) -> str:
    """The path of program `name` on PATH; without it, skip the running test, or fail it when the system is required."""
    if name == C_COMPILER:
        from microgradnet.compiler import toolchain

        path = toolchain.find_compiler()
        if path is None:
            missing(
                f"needs a C compiler (cc, gcc or clang on PATH, or $MICROGRADNET_CC), none is found; {install_hint}"
            )
        return path
    path = shutil.which(name)
    if path is None:
        missing(f"needs the `{name}` program, which is not on PATH; {install_hint}")
    return path


def require_module(name: str, install_hint: str) -> ModuleType:
    """The Python module `name`; without it, skip the whole test module (call this at import), or fail it when the
    system is required."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"needs the Python package `{name}`, which is not installed; {install_hint}", allow_module_level=True)


def requires_program(name: str, install_hint: str) -> pytest.MarkDecorator:
    """A marker: the test needs the program `name`; `install_hint` says how to install it."""
    return getattr(pytest.mark, MARKER)(name, install_hint)


requires_c_compiler = requires_program(C_COMPILER, "install one with `apt-get install gcc` (Debian, Ubuntu)")
requires_dot = requires_program("dot", f"it is Graphviz's layout program: {INSTALL_GRAPHVIZ}")
