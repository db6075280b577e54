"""`microgradnet check --backprop TARGET` and `microgradnet check --engine TARGET`.

TARGET names the function or class as `module:name` (imported from the working folder too) or as
`path/to/file.py:name` (so a teacher can run one command over a folder of submissions). The report
is printed as the Python API gives it; the exit status is 0 when everything agrees, 1 on a mismatch,
and 2 when the target cannot be loaded or an option does not fit (argparse's usage error).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from microgradnet.testing.adapters import nielsen_network
from microgradnet.testing.backprop import BackpropMismatch, check_backprop
from microgradnet.testing.engines import check_engine
from microgradnet.testing.kinks import SLOPES
from microgradnet.testing.layouts import Returns


class TargetError(ValueError):
    """A TARGET that names nothing loadable; the message says what and why."""


def _import_file(path: Path) -> ModuleType:
    """The module in `path`, imported under a name of its own (two submissions both called backprop.py
    do not collide), with its folder on sys.path so that it can import its neighbours."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    name = f"_microgradnet_check_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"cannot import {str(path)!r}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.resolve().parent))
    return module


def load(target: str) -> Any:
    """The object `target` names: `module:name` or `path/to/file.py:name` (`name` may be dotted)."""
    return _resolve(target)[1]


def _resolve(target: str) -> tuple[Any, Any]:
    """The object `target` names and the one it is an attribute of (its module, or its class)."""
    where, colon, name = target.rpartition(":")
    if not colon or not where or not name:
        raise TargetError(f"expected MODULE:NAME or path/to/file.py:NAME, got {target!r}")
    try:
        if where.endswith(".py") or "/" in where or os.sep in where:
            path = Path(where)
            if not path.is_file():
                raise TargetError(f"no such file: {where!r}")
            module = _import_file(path)
        else:
            sys.path.insert(0, os.getcwd())
            try:
                module = importlib.import_module(where)
            finally:
                sys.path.remove(os.getcwd())
    except TargetError:
        raise
    except Exception as error:  # the module's own errors: a SyntaxError, an ImportError, ...
        raise TargetError(f"cannot import {where!r}: {type(error).__name__}: {error}") from None
    owner: Any = None
    found: Any = module
    for part in name.split("."):
        try:
            owner, found = found, getattr(found, part)
        except AttributeError:
            raise TargetError(f"{where!r} has no {name!r}") from None
    return owner, found


def run_kit(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the check the arguments ask for, print its report, and return the exit status."""
    if args.backprop is not None and args.engine is not None:
        parser.error("give --backprop or --engine, not both")
    target = args.backprop if args.backprop is not None else args.engine
    try:
        owner, found = _resolve(target)
    except TargetError as error:
        parser.error(f"argument {'--backprop' if args.backprop is not None else '--engine'}: {error}")
    if not callable(found):
        parser.error(f"{target!r} is a {type(found).__name__}, not a function or class")
    if args.backprop is not None and isinstance(owner, type) and inspect.isfunction(found):
        found = nielsen_network(owner, found.__name__)  # file.py:Network.backprop, a method of a network class
    try:
        if args.backprop is not None:
            return _backprop(found, args, parser)
        return _engine(found, args, parser)
    except (TypeError, ValueError) as error:  # options the checkers refuse, e.g. bce without a sigmoid output
        parser.error(str(error))


def _backprop(fn: Any, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.skip:
        parser.error("--skip applies to --engine only")
    returns: Returns | None = {"db,dw": "db, dw", "dw,db": "dw, db", None: None}[args.returns]
    try:
        report = check_backprop(
            fn,
            layout=args.layout,
            returns=returns,
            relu_prime_at_0=args.relu_prime_at_0 or SLOPES,
            batch=args.batch,
            activation=args.activation,
            output_activation=args.output_activation,
            cost=args.cost,
            sizes=args.sizes,
            examples=args.samples or 200,
            tolerance=1e-6 if args.tolerance is None else args.tolerance,
            seed=args.seed,
        )
    except BackpropMismatch as mismatch:
        print(mismatch)
        return 1
    print(report)
    return 0


def _engine(leaf: Any, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    given = [
        option
        for option, value in (
            ("--layout", args.layout),
            ("--returns", args.returns),
            ("--batch", args.batch),
            ("--sizes", args.sizes),
            ("--relu-prime-at-0", args.relu_prime_at_0),
        )
        if value
    ]
    if given:
        parser.error(f"{', '.join(given)} apply to --backprop only")
    report = check_engine(
        leaf,
        examples=args.samples or 200,
        tolerance=1e-9 if args.tolerance is None else args.tolerance,
        seed=args.seed,
        skip=args.skip or (),
    )
    print(report)
    return 0 if report.ok else 1
