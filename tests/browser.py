"""Browser tests' access to the system's Chromium, without downloading anything.

`chromium()` starts Debian's headless Chromium with its own chromedriver (`microgradnet.explore.browser`);
without them the test is skipped saying how to install them, or fails under MICROGRADNET_REQUIRE_SYSTEM=1
(`system_programs.check_program`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from system_programs import INSTALL_CHROMIUM, check_program

from microgradnet.explore.browser import headless_chromium


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, or a skip (a failure in CI) without one."""
    browser = check_program("chromium", INSTALL_CHROMIUM)
    driver = check_program("chromedriver", INSTALL_CHROMIUM)
    with headless_chromium(browser, driver) as chrome:
        yield chrome
