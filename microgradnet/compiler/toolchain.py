"""The system's C compiler, and a per-user cache of the libraries it builds.

`load(source)` returns the C source compiled to a shared library and loaded with ctypes. A
library is cached under a hash of everything that decides its bits (the source, the compiler and
its version, the flags), in a directory only its owner may write to; it is written to a temporary
file in that directory and renamed into place, so that processes compiling the same source at
once each finish with the same complete file, and a later process loads it without compiling.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

# The numbers must be the Python back end's bit for bit:
# -ffp-contract=off: no a * b + c fused into one rounding (FMA);
# -fno-fast-math: IEEE semantics, no reassociation, nan and infinities kept;
# -fno-builtin: exp, log, pow, tanh called in libm, as CPython's math module calls them, not rewritten.
BIT_EXACT = ("-ffp-contract=off", "-fno-fast-math", "-fno-builtin")
FLAGS = ("-O2", "-fPIC", "-shared", "-std=c99", *BIT_EXACT, "-Werror=implicit-function-declaration")
LIBRARIES = ("-lm",)
COMPILER_VARIABLE = "MICROGRADNET_CC"
CACHE_VARIABLE = "MICROGRADNET_CACHE_DIR"
SUFFIX = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")

compiles = 0  # how many times this process ran the compiler (a cached library needs none)


class CompilerNotFoundError(RuntimeError):
    """No C compiler was found for the C back end."""

    def __init__(self) -> None:
        super().__init__(
            "no C compiler found for backend='c' (looked for $MICROGRADNET_CC, cc, gcc, clang on PATH). "
            "Install one (Debian/Ubuntu: apt-get install gcc; macOS: xcode-select --install), name it with "
            'MICROGRADNET_CC=/path/to/cc, or compile with backend="python" (or "auto", which falls back to it)'
        )


class CCompileError(RuntimeError):
    """The C compiler refused the generated source."""


def find_compiler() -> str | None:
    """`MICROGRADNET_CC` (empty or `none`: no compiler), else the first of cc, gcc, clang on PATH."""
    named = os.environ.get(COMPILER_VARIABLE)
    if named is not None:
        return None if named.strip().lower() in ("", "none") else shutil.which(named)
    return next((found for name in ("cc", "gcc", "clang") if (found := shutil.which(name))), None)


def available() -> bool:
    """Whether a C compiler is found."""
    return find_compiler() is not None


@functools.cache
def _version(compiler: str) -> str:
    """The first line of `compiler --version`: a new compiler makes new libraries."""
    run = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=False)
    return (run.stdout or run.stderr).splitlines()[0] if (run.stdout or run.stderr) else ""


def _user_cache() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "microgradnet"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "microgradnet"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "microgradnet"


def _private(path: Path) -> None:
    """Refuse a cache directory another user could write into (and so plant a library in)."""
    if os.name != "posix":
        return
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(
            f"the cache directory {path} is not private: it must be owned by you and writable by you only "
            f"(owner uid {info.st_uid}, mode {stat.filemode(info.st_mode)}); fix it (chmod 700) or set "
            f"{CACHE_VARIABLE} to another directory"
        )


def cache_dir() -> Path:
    """The directory of compiled libraries: `$MICROGRADNET_CACHE_DIR`, else the user's cache
    directory (`~/.cache/microgradnet/c` on Linux); created owner-only, refused if it is not."""
    named = os.environ.get(CACHE_VARIABLE)
    base = Path(named) if named else _user_cache()
    directory = base / "c"
    for level in (base, directory):
        if not level.exists():
            level.mkdir(mode=0o700, parents=True, exist_ok=True)
        _private(level)
    return directory


@functools.cache
def _loaded(path: str) -> ctypes.CDLL:
    return ctypes.CDLL(path)


def library_path(source: str, compiler: str) -> Path:
    """Where the library of `source` built by `compiler` is cached."""
    key = hashlib.sha256(
        "\0".join([source, compiler, _version(compiler), *FLAGS, *LIBRARIES, platform.machine()]).encode()
    ).hexdigest()
    return cache_dir() / f"{key[:32]}{SUFFIX}"


def load(source: str) -> ctypes.CDLL:
    """`source` compiled to a shared library (or taken from the cache) and loaded."""
    global compiles
    compiler = find_compiler()
    if compiler is None:
        raise CompilerNotFoundError()
    path = library_path(source, compiler)
    if path.is_file() and not path.is_symlink():
        _private(path)
        return _loaded(str(path))
    descriptor, c_file = tempfile.mkstemp(suffix=".c", dir=path.parent)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(source)
    descriptor, built = tempfile.mkstemp(suffix=SUFFIX, dir=path.parent)
    os.close(descriptor)
    try:
        command = [compiler, *FLAGS, "-o", built, c_file, *LIBRARIES]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        compiles += 1
        if run.returncode != 0:
            message = (run.stderr or run.stdout).strip()
            raise CCompileError(f"the C compiler failed ({' '.join(command)}):\n{message[:4000]}")
        os.chmod(built, 0o700)
        os.replace(built, path)  # atomic: a reader sees no library or a whole one
    finally:
        for leftover in (c_file, built):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return _loaded(str(path))
