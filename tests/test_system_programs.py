"""The `requires_program` marker and `require_module`: a test needing a missing program (or Python package) is
skipped with the install hint, and fails instead when MICROGRADNET_REQUIRE_SYSTEM=1; a present one lets it run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from system_programs import INSTALL_CHROMIUM, REQUIRE_SYSTEM, check_program, require_module, requires_dot

HINT = "install it with `apt-get install nothing-here`"


@pytest.fixture
def no_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)


@pytest.mark.usefixtures("no_program")
@pytest.mark.parametrize("value", [None, "", "0"])
def test_a_missing_program_skips_with_the_install_hint(value: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the program, and without MICROGRADNET_REQUIRE_SYSTEM (or set to "" or 0), the test is skipped
    with a reason naming the program and how to install it."""
    if value is None:
        monkeypatch.delenv(REQUIRE_SYSTEM, raising=False)
    else:
        monkeypatch.setenv(REQUIRE_SYSTEM, value)
    with pytest.raises(pytest.skip.Exception, match="needs the `dot` program, which is not on PATH") as skipped:
        check_program("dot", HINT)
    assert HINT in str(skipped.value)


@pytest.mark.usefixtures("no_program")
def test_a_missing_program_fails_when_the_system_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    """With MICROGRADNET_REQUIRE_SYSTEM=1 a missing program fails the test, with the same hint."""
    monkeypatch.setenv(REQUIRE_SYSTEM, "1")
    with pytest.raises(pytest.fail.Exception, match="MICROGRADNET_REQUIRE_SYSTEM=1 makes it required") as failed:
        check_program("dot", HINT)
    assert HINT in str(failed.value)


def test_a_present_program_lets_the_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the program on PATH, check_program returns its path, whatever the variable says."""
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv(REQUIRE_SYSTEM, "1")
    assert check_program("dot", HINT) == "/usr/bin/dot"


def test_the_chromium_hint_names_both_packages() -> None:
    """The reason for a skipped browser test names Debian's packages of the browser and of its driver."""
    assert "apt-get install chromium chromium-driver" in INSTALL_CHROMIUM


@pytest.mark.parametrize(("required", "raised"), [("0", pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_a_missing_python_package_skips_or_fails_naming_how_to_install_it(
    required: str, raised: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    """require_module on a package that is not installed skips (a failure under MICROGRADNET_REQUIRE_SYSTEM=1)
    with a reason naming the package and the hint; an installed one is returned."""
    monkeypatch.setenv(REQUIRE_SYSTEM, required)
    with pytest.raises(raised, match="needs the Python package `no_such_package`, which is not installed") as missing:
        require_module("no_such_package", HINT)
    assert HINT in str(missing.value)
    assert require_module("shutil", HINT) is shutil


def test_the_dot_hint_names_every_package_manager() -> None:
    """The reason for a skipped dot test says how to install Graphviz on Debian/Ubuntu, macOS and conda."""
    _, hint = requires_dot.args
    assert all(command in hint for command in ("apt-get install graphviz", "brew install graphviz", "conda install"))


@pytest.mark.parametrize(("required", "outcome"), [("0", {"skipped": 1}), ("1", {"errors": 1})])
def test_the_marker_skips_or_fails_a_test_in_a_session(
    required: str, outcome: dict[str, int], pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a pytest run with this conftest, a test marked with a missing program is skipped (reason shown by
    -ra), or fails at setup when the system is required; an unmarked test passes either way."""
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(
        f"""
        from system_programs import requires_program

        @requires_program("no-such-program-anywhere", {HINT!r})
        def test_needs_it():
            pass

        def test_needs_nothing():
            pass
        """
    )
    monkeypatch.setenv(REQUIRE_SYSTEM, required)
    result = pytester.runpytest("-ra", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, **outcome)
    result.stdout.fnmatch_lines([f"*needs the `no-such-program-anywhere` program*{HINT}*"])
