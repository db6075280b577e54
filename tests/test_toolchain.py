"""The C toolchain: libraries compiled bit-exact, cached per user in a private directory, installed
atomically and reused by later processes."""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from system_programs import requires_c_compiler

from microgradnet.compiler import toolchain

pytestmark = requires_c_compiler


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory for the test, never the user's own."""
    monkeypatch.setenv(toolchain.CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.delenv(toolchain.COMPILER_VARIABLE, raising=False)
    return tmp_path / "cache"


def test_a_function_compiles_loads_and_runs(cache: Path) -> None:
    """A C function compiled by load() is called through ctypes and gives its result."""
    library = toolchain.load("double twice(double x) { return 2.0 * x; }\n")
    library.twice.argtypes, library.twice.restype = [ctypes.c_double], ctypes.c_double
    assert library.twice(21.5) == 43.0


def test_the_flags_forbid_fusing_a_multiply_and_an_add(cache: Path) -> None:
    """a * b + c is rounded twice, as Python rounds it, not once as a fused multiply-add would."""
    library = toolchain.load("double mad(double a, double b, double c) { return a * b + c; }\n")
    library.mad.argtypes, library.mad.restype = [ctypes.c_double] * 3, ctypes.c_double
    a, b = 1.0 + 2.0**-30, 1.0 - 2.0**-30  # a * b = 1 - 2**-60: rounds to 1.0, an FMA keeps the tail
    assert library.mad(a, b, -1.0) == a * b - 1.0 == 0.0
    assert "-ffp-contract=off" in toolchain.FLAGS and "-fno-builtin" in toolchain.FLAGS


def test_the_cache_directory_is_private(cache: Path) -> None:
    """The cache directory and every library in it are the user's own, writable by nobody else."""
    toolchain.load("int one(void) { return 1; }\n")
    for path in (cache, cache / "c", *(cache / "c").iterdir()):
        assert path.stat().st_uid == os.getuid()
        assert not path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO), path


def test_a_cache_directory_others_may_write_is_refused(cache: Path) -> None:
    """Negative control: a group- or world-writable cache directory is refused by name, not used."""
    (cache / "c").mkdir(parents=True, mode=0o700)
    os.chmod(cache, 0o700)
    os.chmod(cache / "c", 0o777)
    with pytest.raises(PermissionError, match=r"is not private.*chmod 700"):
        toolchain.load("int two(void) { return 2; }\n")


def test_a_compile_error_shows_the_compilers_message(cache: Path) -> None:
    """Source the compiler refuses raises CCompileError with the compiler's own message; no file is left."""
    with pytest.raises(toolchain.CCompileError, match=r"the C compiler failed[\s\S]*error"):
        toolchain.load("double broken(double x) { return x +; }\n")
    assert list((cache / "c").iterdir()) == []


LOAD = """
import sys
from microgradnet.compiler import toolchain
toolchain.load(sys.argv[1])
print(toolchain.compiles)
"""


def run_load(source: str, cache: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, toolchain.CACHE_VARIABLE: str(cache)}
    return subprocess.Popen(
        [sys.executable, "-c", LOAD, source], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )


def test_a_second_process_reuses_the_library(cache: Path) -> None:
    """A later process finds the library in the cache and runs no compiler."""
    source = "int three(void) { return 3; }\n"
    first, second = (run_load(source, cache).communicate() for _ in range(2))
    assert (first[0].strip(), second[0].strip()) == ("1", "0"), (first, second)


def test_processes_compiling_the_same_source_at_once_all_succeed(cache: Path) -> None:
    """Four processes compiling one new source at once all load it, leaving one library and no temporary file."""
    source = "int four(void) { return 4; }\n"
    runs = [run_load(source, cache) for _ in range(4)]
    outputs = [run.communicate() for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    assert [path.suffix for path in (cache / "c").iterdir()] == [toolchain.SUFFIX]


def test_without_a_compiler_load_says_how_to_install_one(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MICROGRADNET_CC=none stands for a machine without a compiler: not available, and load() says what to do."""
    monkeypatch.setenv(toolchain.COMPILER_VARIABLE, "none")
    assert not toolchain.available()
    with pytest.raises(toolchain.CompilerNotFoundError, match=r"apt-get install gcc.*backend=\"python\""):
        toolchain.load("int five(void) { return 5; }\n")
    monkeypatch.setenv(toolchain.COMPILER_VARIABLE, "no-such-compiler-here")
    assert toolchain.find_compiler() is None


def test_the_ci_script_installs_a_compiler() -> None:
    """CI installs gcc where no cc is found, as it installs Graphviz and Chromium."""
    script = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert "command -v cc >/dev/null 2>&1 || missing+=(gcc)" in textwrap.dedent(script)
