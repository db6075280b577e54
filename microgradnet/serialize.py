"""Saving and loading an `MLP` as JSON: its architecture and every weight and bias, bit-exact.

The format (version 1), where `weights[j][k]` is `mlp.layers[l].neurons[j].w[k]` (`w_jk` of
layer `l`) and `biases[j]` is `mlp.layers[l].neurons[j].b`:

    {"format": "microgradnet.MLP", "version": 1, "nin": 2, "nouts": [3, 1],
     "activation": "sigmoid", "output_activation": "sigmoid",
     "layers": [{"weights": [[w_00, w_01], [w_10, w_11], [w_20, w_21]], "biases": [b_0, b_1, b_2]},
                {"weights": [[w_00, w_01, w_02]], "biases": [b_0]}]}

Floats are written with `repr`, which round-trips every finite float exactly (subnormals and
-0.0 included). Loading parses JSON only (no pickle, no eval) and checks everything before it
touches a model; any defect raises `ModelFormatError` naming where it is, as a JSON path such as
`layers[1].weights[0][2]`. Saving writes a temporary file next to the target, flushes it to disk
and renames it over the target, so a crash mid-save leaves the old file whole. A symlink is
followed, as `open` would: the file it points to is replaced and the link stays.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from microgradnet.activations import check_activation, check_output_activation
from microgradnet.engine import Value

FORMAT = "microgradnet.MLP"
VERSION = 1
KEYS = ("format", "version", "nin", "nouts", "activation", "output_activation", "layers")
LAYER_KEYS = ("weights", "biases")


class _Neuron(Protocol):
    w: list[Value]
    b: Value


class _Layer(Protocol):
    @property
    def neurons(self) -> Sequence[_Neuron]: ...


class MLP(Protocol):
    """What this module reads and writes of an `nn.MLP` (it does not import `nn`, which saves through it)."""

    nin: int
    activation: str
    output_activation: str

    @property
    def sizes(self) -> list[int]: ...

    @property
    def layers(self) -> Sequence[_Layer]: ...


class ModelFormatError(ValueError):
    """A saved model or state dict is malformed; the message says what is wrong and where."""


# --- writing --------------------------------------------------------------------------------


def architecture(mlp: MLP) -> dict[str, Any]:
    """What a model is, apart from its numbers: input width, layer sizes, activations."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "nin": mlp.nin,
        "nouts": mlp.sizes[1:],
        "activation": mlp.activation,
        "output_activation": mlp.output_activation,
    }


def state_dict(mlp: MLP) -> dict[str, Any]:
    """The model as JSON-ready data: its architecture, then weights[j][k] and biases[j] per layer."""
    layers = [
        {
            "weights": [[w_k.data for w_k in neuron.w] for neuron in layer.neurons],
            "biases": [neuron.b.data for neuron in layer.neurons],
        }
        for layer in mlp.layers
    ]
    return {**architecture(mlp), "layers": layers}


def save_target(path: str | os.PathLike[str]) -> Path:
    """The file that saving to `path` writes: `path` itself, or the file a symlink points to.

    `ValueError` naming `path` if it names no file: empty (""), the root ("/"), "." or "..", or a folder.
    """
    target = _as_path(path)
    if target.name in ("", "..") or target.is_dir():  # Path("") is Path("."), whose name is ""
        raise ValueError(
            f"cannot save to {os.fspath(path)!r}: it names no file (it is empty, or a folder); "
            "give a file name such as 'model.json'"
        )
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def save(mlp: MLP, path: str | os.PathLike[str]) -> None:
    """Write `state_dict(mlp)` to `path` atomically: temp file, flush, fsync, rename over `path`
    (over the file it points to, if `path` is a symlink)."""
    target = save_target(path)
    state = state_dict(mlp)
    check_state(state)  # a model holding nan or inf would write a file that cannot be loaded
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    # O_EXCL: never clobber another file; mode 0o666 lets the umask set the permissions, as open() does.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(dumps(state))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        directory = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def dumps(state: dict[str, Any]) -> str:
    """`state` as JSON text with one line per neuron's weights, so a reader can find w_jk by eye."""
    lines = ["{", *(f" {json.dumps(key)}: {json.dumps(state[key])}," for key in KEYS[:-1]), ' "layers": [']
    for l, layer in enumerate(state["layers"]):
        rows = ",\n".join(f"   {json.dumps(row, allow_nan=False)}" for row in layer["weights"])
        comma = "," if l < len(state["layers"]) - 1 else ""
        lines.append(
            f'  {{"weights": [\n{rows}\n  ],\n   "biases": {json.dumps(layer["biases"], allow_nan=False)}}}{comma}'
        )
    return "\n".join([*lines, " ]", "}", ""])


# --- reading --------------------------------------------------------------------------------


def read_state(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse and check the JSON file at `path`; `OSError` if it cannot be read."""
    raw = _as_path(path).read_bytes()
    name = os.fspath(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ModelFormatError(f"{name!r} is not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        state = check_state(json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys))
    except ModelFormatError as error:
        raise ModelFormatError(f"{name!r}: {error}") from None
    except RecursionError:
        raise ModelFormatError(f"{name!r}: JSON nested too deeply") from None
    except ValueError as error:  # json.JSONDecodeError, or an integer too long to convert
        raise ModelFormatError(f"{name!r} is not valid JSON: {error}") from None
    return state


def load_state_dict(mlp: MLP, state: object) -> None:
    """Copy the weights and biases of `state` into `mlp`; on any error `mlp` is left unchanged."""
    checked = check_state(state)
    for key, ours in architecture(mlp).items():
        if checked[key] != ours:
            raise ModelFormatError(f"{key}: the state has {checked[key]!r}, this model has {ours!r}")
    # Checked in full above, so from here nothing can fail and the model changes all at once.
    for layer, saved in zip(mlp.layers, checked["layers"]):
        for neuron, weights, bias in zip(layer.neurons, saved["weights"], saved["biases"]):
            for w_k, number in zip(neuron.w, weights):
                w_k.data = float(number)
            neuron.b.data = float(bias)


def check_state(state: object) -> dict[str, Any]:
    """`state` itself if it follows the format, else `ModelFormatError` at the first thing that does not."""
    # Format and version first, so that a file from a newer version is reported as such.
    if isinstance(state, dict) and "format" in state and state["format"] != FORMAT:
        raise ModelFormatError(f"format: expected {FORMAT!r}, got {_kind(state['format'])}")
    if isinstance(state, dict) and "version" in state and _int(state["version"], "version") != VERSION:
        raise ModelFormatError(
            f"version: this microgradnet reads version {VERSION}, the state has {_kind(state['version'])}"
        )
    state = _check_keys(state, "state", KEYS)
    for key, check in (("activation", check_activation), ("output_activation", check_output_activation)):
        try:
            check(state[key])
        except ValueError as error:
            raise ModelFormatError(f"{key}: {error}") from None
    layers = _list(state["layers"], "layers")
    if not layers:
        raise ModelFormatError("layers: expected at least one layer, got []")
    nouts = _list(state["nouts"], "nouts")
    if len(nouts) != len(layers):
        raise ModelFormatError(f"nouts: {len(nouts)} sizes given for {len(layers)} layers")
    # Each layer's shape is checked against the lists actually present, so sizes are bounded
    # by the file and a huge stated size cannot make us allocate anything.
    nin = _int(state["nin"], "nin")
    for l, layer in enumerate(layers):
        _check_layer(layer, f"layers[{l}]", nin, _int(nouts[l], f"nouts[{l}]"))
        nin = nouts[l]
    return state


def _check_layer(layer: object, path: str, nin: int, nout: int) -> None:
    layer = _check_keys(layer, path, LAYER_KEYS)
    weights = _list(layer["weights"], f"{path}.weights")
    biases = _list(layer["biases"], f"{path}.biases")
    for name, rows in (("weights", weights), ("biases", biases)):
        if len(rows) != nout:
            raise ModelFormatError(f"{path}.{name}: expected {nout} entries (one per neuron), got {len(rows)}")
    for j, row in enumerate(weights):
        row = _list(row, f"{path}.weights[{j}]")
        if len(row) != nin:
            raise ModelFormatError(f"{path}.weights[{j}]: expected {nin} weights (one per input), got {len(row)}")
        for k, w_jk in enumerate(row):
            _finite(w_jk, f"{path}.weights[{j}][{k}]")
    for j, b_j in enumerate(biases):
        _finite(b_j, f"{path}.biases[{j}]")


# --- the checks, each naming the JSON path it failed at ---------------------------------------


def _check_keys(obj: object, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ModelFormatError(f"{path}: expected a JSON object, got {_kind(obj)}")
    missing = [key for key in keys if key not in obj]
    if missing:
        raise ModelFormatError(f"{path}: missing key {', '.join(map(repr, missing))}")
    unknown = [key for key in obj if key not in keys]
    if unknown:
        raise ModelFormatError(f"{path}: unknown key {', '.join(map(repr, unknown))}")
    return obj


def _list(obj: object, path: str) -> list[Any]:
    if not isinstance(obj, list):
        raise ModelFormatError(f"{path}: expected a JSON array, got {_kind(obj)}")
    return obj


def _int(obj: object, path: str) -> int:
    if type(obj) is not int or not 1 <= obj < 2**63:
        raise ModelFormatError(f"{path}: expected a positive integer below 2**63, got {_kind(obj)}")
    return obj


def _finite(obj: object, path: str) -> None:
    """A JSON number (int or float, not bool) that is finite as a float; an int must be one a float holds
    exactly (every int up to 2**53, and larger ones such as 2**60), since rounding it would load another number."""
    if type(obj) is float:
        ok = math.isfinite(obj)
    elif type(obj) is int:
        ok = -_MAX_INT <= obj <= _MAX_INT  # float(obj) would overflow beyond this
        if ok and float(obj) != obj:
            raise ModelFormatError(f"{path}: expected a number that a float holds exactly, got {_kind(obj)}")
    else:
        raise ModelFormatError(f"{path}: expected a number, got {_kind(obj)}")
    if not ok:
        raise ModelFormatError(f"{path}: expected a finite number, got {_kind(obj)}")


_MAX_INT = int(2.0**1023 * (2.0 - 2.0**-52))  # the largest finite float, as an int


def _kind(obj: object) -> str:
    """What `obj` is, for messages: its type and a short repr (containers by size only)."""
    if isinstance(obj, (list, dict)):
        return f"{type(obj).__name__} of {len(obj)} items"
    if isinstance(obj, int) and obj.bit_length() > 128:
        return f"{type(obj).__name__} of {obj.bit_length()} bits"
    if obj is None or isinstance(obj, (str, int, float)):
        text = repr(obj)
        return f"{type(obj).__name__} {text[:37] + '...' if len(text) > 40 else text}"
    return type(obj).__name__


def _reject_constant(name: str) -> float:
    raise ModelFormatError(f"{name} is not a number in JSON (the format holds finite numbers only)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ModelFormatError(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


def _as_path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}: {path!r}")
    return Path(path)


__all__ = [
    "FORMAT",
    "VERSION",
    "ModelFormatError",
    "architecture",
    "check_state",
    "dumps",
    "load_state_dict",
    "read_state",
    "save",
    "save_target",
    "state_dict",
]
