"""Tests that need a program outside Python (Graphviz's `dot`, a browser) run only where it is installed.

Mark such a test `@requires_program(name, install_hint)` (or `@requires_dot`). Where the program is
not on PATH the test is skipped, with a reason saying how to install it, so the test command
passes on a fresh machine; with the environment variable MICROGRADNET_REQUIRE_SYSTEM=1 (which
`.ci/run` sets) the test fails instead, so CI runs every one of them. `tests/conftest.py` applies
the marker before each test runs; a fixture can call `check_program` itself.
"""

from __future__ import annotations

import os
import shutil

import pytest

from microgradnet.render.backend import INSTALL_GRAPHVIZ

REQUIRE_SYSTEM = "MICROGRADNET_REQUIRE_SYSTEM"
MARKER = "requires_program"


def system_required() -> bool:
    """Whether missing programs fail the tests that need them (MICROGRADNET_REQUIRE_SYSTEM set, and not 0)."""
    return os.environ.get(REQUIRE_SYSTEM, "") not in ("", "0")


def check_program(name: str, install_hint: str) -> None:
    """Return if `name` is on PATH; else skip the running test, or fail it when the system is required."""
    if shutil.which(name) is not None:
        return
    reason = f"needs the `{name}` program, which is not on PATH; {install_hint}"
    if system_required():
        pytest.fail(f"{reason} ({REQUIRE_SYSTEM}=1 makes it required)", pytrace=False)
    pytest.skip(reason)


def requires_program(name: str, install_hint: str) -> pytest.MarkDecorator:
    """A marker: the test needs the program `name`; `install_hint` says how to install it."""
    return getattr(pytest.mark, MARKER)(name, install_hint)


requires_dot = requires_program("dot", f"it is Graphviz's layout program: {INSTALL_GRAPHVIZ}")
