"""Browser tests' access to the system's Chromium, without downloading anything.

`requires_program(name, install_hint)` is how a test asks for a system program: its path, or a
skip that says how to install it; with MICROGRADNET_REQUIRE_SYSTEM=1 (as `.ci/run` sets) a
missing program fails the test instead. `chromium()` starts Debian's headless Chromium with its
own chromedriver (`microgradnet.explore.browser`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from microgradnet.explore.browser import headless_chromium

INSTALL_CHROMIUM = "apt-get install chromium chromium-driver (Debian, Ubuntu)"


def requires_program(name: str, install_hint: str) -> str:
    """The path of program `name`; without it, skip the test naming `install_hint`, or fail when
    MICROGRADNET_REQUIRE_SYSTEM=1 says the system programs must be there."""
    path = shutil.which(name)
    if path is None:
        message = f"this test needs the program `{name}`, which is not on PATH; install it: {install_hint}"
        if os.environ.get("MICROGRADNET_REQUIRE_SYSTEM") == "1":
            pytest.fail(message + " (MICROGRADNET_REQUIRE_SYSTEM=1 makes it required)")
        pytest.skip(message)
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, or a skip (a failure in CI) without one."""
    browser = requires_program("chromium", INSTALL_CHROMIUM)
    driver = requires_program("chromedriver", INSTALL_CHROMIUM)
    with headless_chromium(browser, driver) as chrome:
        yield chrome
