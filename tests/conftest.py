"""Shared test settings: the hypothesis profiles, and the `requires_program` marker.

Hypothesis profiles:
- `dev` (the default, what a plain `python -m pytest` loads): derandomized, 50 examples per property;
- `ci` (loaded when the environment variable CI is set, or by HYPOTHESIS_PROFILE=ci): derandomized, 200;
- `explore` (HYPOTHESIS_PROFILE=explore, opt-in): random, 1000 examples, to look for new failing cases.
The default profiles are derandomized so that no test passes or fails by luck.

The C back end's compiled libraries are cached in a fresh private directory for the run.

Tests marked `@requires_program(name, install_hint)` (see `system_programs`) are skipped where the
program is missing, or fail there when MICROGRADNET_REQUIRE_SYSTEM=1 (as `.ci/run` sets it).
"""

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from system_programs import MARKER, check_program

pytest_plugins = ["pytester"]

# The C back end's libraries go to a private directory of this test run (created owner-only, removed
# at exit), not into the user's cache, which would collect one library per graph a property test draws.
if "MICROGRADNET_CACHE_DIR" not in os.environ:
    os.environ["MICROGRADNET_CACHE_DIR"] = tempfile.mkdtemp(prefix="microgradnet-tests-")
    atexit.register(shutil.rmtree, os.environ["MICROGRADNET_CACHE_DIR"], ignore_errors=True)

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", derandomize=True, max_examples=50, deadline=None)
settings.register_profile(
    "explore", max_examples=1000, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(name, install_hint): the test needs this program on PATH")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers(MARKER):
        check_program(*mark.args)


class TrainedDigits:
    """What `microgradnet train --dataset digits --compiled` printed, and the model it saved."""

    def __init__(self, output: str, model: str) -> None:
        self.output = output
        self.model = model


@pytest.fixture(scope="session")
def trained_digits(tmp_path_factory: pytest.TempPathFactory) -> TrainedDigits:
    """The digits network trained once by the command line (seed 0, its defaults), for every test that reads it."""
    pytest.importorskip("sklearn", reason="the digits need scikit-learn: pip install 'microgradnet[data]'")
    import contextlib
    import io

    from microgradnet.cli import main

    model = str(tmp_path_factory.mktemp("digits") / "digits.json")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        assert main(["train", "--dataset", "digits", "--compiled", "--no-progress", "--save", model]) == 0
    return TrainedDigits(output.getvalue(), model)
