"""A headless Chromium for looking at explorer pages from Python (the tests, the screenshots in viz/).

It drives the Chromium and chromedriver installed on the system (Debian: `apt-get install chromium
chromium-driver`) through Selenium (`pip install selenium`, in the dev extra), with both paths
given explicitly so that Selenium never downloads a browser or a driver.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

FLAGS = (
    "--headless",
    "--no-sandbox",  # Chromium's sandbox refuses to start as root, as in a CI container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@contextmanager
def headless_chromium(browser: str, driver: str, *, width: int = 1400, height: int = 1000) -> Iterator[WebDriver]:
    """Chromium at `browser` driven by chromedriver at `driver`, headless, with a fresh profile and
    the pages' console messages logged (`get_log("browser")`); it quits when the block ends."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="microgradnet-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
        try:
            yield chrome
        finally:
            chrome.quit()
