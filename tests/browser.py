"""Driving the system's Chromium from tests, with Selenium, without downloading anything.

`requires_program(name, install_hint)` is how a test asks for a system program: its path, or a
skip that says how to install it; with MICROGRADNET_REQUIRE_SYSTEM=1 (as `.ci/run` sets) a
missing program fails the test instead. `chromium()` starts headless Chromium from Debian's
packages with its own chromedriver (given explicitly, so Selenium Manager never runs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

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


FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests may run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, logging the pages' console messages."""
    browser = requires_program("chromium", INSTALL_CHROMIUM)
    driver_path = requires_program("chromedriver", INSTALL_CHROMIUM)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="microgradnet-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield driver
        finally:
            driver.quit()
