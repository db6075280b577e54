"""Saving and loading models: bit-exact round trips, one error type that says where a file is
wrong, a target model untouched by a failed load, and saves that never truncate the old file."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import finite_floats, small_mlps

from microgradnet import MLP, ModelFormatError, serialize


def _bits(mlp: MLP) -> list[str]:
    """Every parameter as its exact bit pattern (float.hex tells -0.0 from 0.0)."""
    return [p.data.hex() for p in mlp.parameters()]


def _state() -> dict[str, Any]:
    """A valid state of a 2-3-3 network, fresh for each use."""
    return MLP(2, [3, 3], "tanh", output_activation="sigmoid", seed=1).state_dict()


# --- round trips ------------------------------------------------------------------------------


@settings(max_examples=50)  # each example fsyncs a file; the in-memory round trip below draws the full count
@given(small_mlps(), st.data())
def test_save_then_load_is_bit_exact(mlp: MLP, data: st.DataObject) -> None:
    """Any finite weights (subnormal, huge, -0.0) come back bit for bit, with the same architecture."""
    for p in mlp.parameters():
        p.data = data.draw(finite_floats)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.json"
        mlp.save(path)
        loaded = MLP.load(path)
    assert _bits(loaded) == _bits(mlp)
    assert repr(loaded) == repr(mlp)


@given(small_mlps(), st.data())
def test_state_dict_survives_json_and_load_state_dict(mlp: MLP, data: st.DataObject) -> None:
    """state_dict -> JSON text -> load_state_dict into a fresh model of the same shape is bit-exact."""
    for p in mlp.parameters():
        p.data = data.draw(finite_floats)
    other = MLP(mlp.nin, mlp.sizes[1:], mlp.activation, output_activation=mlp.output_activation, seed=0)
    other.load_state_dict(json.loads(json.dumps(mlp.state_dict())))
    assert _bits(other) == _bits(mlp)


def test_state_dict_layout_follows_the_labels() -> None:
    """layers[l].weights[j][k] is w[l][j][k] and layers[l].biases[j] is b[l][j]."""
    mlp = MLP(2, [3, 1], seed=0)
    state = mlp.state_dict()
    assert state["format"] == "microgradnet.MLP" and state["version"] == 1
    assert (state["nin"], state["nouts"]) == (2, [3, 1])
    assert (state["activation"], state["output_activation"]) == ("sigmoid", "sigmoid")
    assert state["layers"][1]["weights"][0][2] == mlp.layers[1].neurons[0].w[2].data
    assert state["layers"][0]["biases"][2] == mlp.layers[0].neurons[2].b.data


def test_loaded_model_computes_the_same_outputs(tmp_path: Path) -> None:
    """A loaded model is the same function as the saved one."""
    mlp = MLP(2, [4, 2], "relu", output_activation="linear", seed=3)
    mlp.save(tmp_path / "m.json")
    loaded = MLP.load(tmp_path / "m.json")
    assert [a.data for a in loaded([0.3, -1.2])] == [a.data for a in mlp([0.3, -1.2])]


def test_saved_file_is_plain_readable_json(tmp_path: Path) -> None:
    """The file is JSON equal to state_dict(), one line per neuron's weights."""
    mlp = MLP(2, [3, 1], seed=0)
    mlp.save(str(tmp_path / "m.json"))
    text = (tmp_path / "m.json").read_text()
    assert json.loads(text) == mlp.state_dict()
    assert json.dumps(mlp.state_dict()["layers"][0]["weights"][1]) in text


# --- validation: one error type, naming the place ----------------------------------------------


def _set(path: tuple[Any, ...], value: object) -> Callable[[dict[str, Any]], object]:
    def mutate(state: dict[str, Any]) -> object:
        target: Any = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return state

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], object]:
    def mutate(state: dict[str, Any]) -> object:
        target: Any = state
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return state

    return mutate


BAD_STATES: list[tuple[Callable[[dict[str, Any]], object], list[str]]] = [
    (lambda state: [state], ["state", "object", "list"]),
    (lambda state: None, ["state", "object", "NoneType"]),
    (_delete(("nin",)), ["missing key 'nin'"]),
    (_delete(("layers", 1, "biases")), ["layers[1]", "missing key 'biases'"]),
    (_set(("extra",), 1), ["unknown key 'extra'"]),
    (_set(("layers", 0, "gradients"), []), ["layers[0]", "unknown key 'gradients'"]),
    (_set(("format",), "pickle"), ["format", "'pickle'"]),
    (_set(("version",), 2), ["version", "2"]),
    (_set(("version",), True), ["version", "bool"]),
    (_set(("activation",), "softplus"), ["activation", "'softplus'", "'sigmoid'"]),
    (_set(("activation",), "softmax"), ["activation", "softmax is the activation of a whole output layer"]),
    (_set(("output_activation",), None), ["output_activation", "None"]),
    (_set(("nin",), "3"), ["nin", "str"]),
    (_set(("nin",), 0), ["nin", "0"]),
    (_set(("nin",), 4), ["layers[0].weights[0]", "expected 4 weights", "got 2"]),
    (_set(("nin",), 10**400), ["nin", "bits"]),
    (_set(("nouts",), [2]), ["nouts", "1 sizes", "2 layers"]),
    (_set(("nouts",), {"0": 2}), ["nouts", "array", "dict"]),
    (_set(("nouts", 1), 2.0), ["nouts[1]", "float"]),
    (_set(("layers",), []), ["layers", "at least one"]),
    (_set(("layers", 1), [1.0]), ["layers[1]", "object", "list"]),
    (_set(("layers", 1, "weights", 0, 2), float("nan")), ["layers[1].weights[0][2]", "finite", "nan"]),
    (_set(("layers", 1, "weights", 0, 2), float("inf")), ["layers[1].weights[0][2]", "finite", "inf"]),
    (_set(("layers", 1, "weights", 0, 2), True), ["layers[1].weights[0][2]", "number", "bool"]),
    (_set(("layers", 1, "weights", 0, 2), "0.5"), ["layers[1].weights[0][2]", "number", "str"]),
    (_set(("layers", 1, "weights", 0, 2), None), ["layers[1].weights[0][2]", "number", "None"]),
    (_set(("layers", 1, "weights", 0, 2), 10**400), ["layers[1].weights[0][2]", "finite", "bits"]),
    (_set(("layers", 0, "biases", 1), float("-inf")), ["layers[0].biases[1]", "finite"]),
    (_set(("layers", 1, "weights", 0, 2), 2**53 + 1), ["layers[1].weights[0][2]", "exactly", "9007199254740993"]),
    (_set(("layers", 0, "biases", 1), -(10**300)), ["layers[0].biases[1]", "exactly", "int of 997 bits"]),
    (_delete(("layers", 0, "weights", 1, 0)), ["layers[0].weights[1]", "expected 2 weights", "got 1"]),
    (_delete(("layers", 1, "weights", 2)), ["layers[1].weights", "expected 3 entries", "got 2"]),
    (_delete(("layers", 1, "biases", 0)), ["layers[1].biases", "expected 3 entries", "got 2"]),
    (_set(("layers", 1, "weights", 0), 0.5), ["layers[1].weights[0]", "array", "float"]),
]


@pytest.mark.parametrize(("mutate", "words"), BAD_STATES)
def test_a_bad_state_raises_model_format_error_naming_the_place(
    mutate: Callable[[dict[str, Any]], object], words: list[str]
) -> None:
    """Each defect raises ModelFormatError (a ValueError) whose message names the JSON path and the problem."""
    mlp = MLP(2, [3, 3], "tanh", output_activation="sigmoid", seed=7)
    before = _bits(mlp)
    with pytest.raises(ModelFormatError) as info:
        mlp.load_state_dict(mutate(_state()))  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)
    assert isinstance(info.value, ValueError)
    assert _bits(mlp) == before


def test_an_int_that_a_float_holds_exactly_loads_as_that_float() -> None:
    """Ints are weights too where a float holds them exactly: 3, 2**60, -10**22 load as those very numbers."""
    mlp = MLP(2, [3, 3], "tanh", output_activation="sigmoid", seed=7)
    state = _state()
    state["layers"][1]["weights"][0][:] = [3, 2**60, -(10**22)]
    mlp.load_state_dict(state)
    assert [w.data for w in mlp.layers[1].neurons[0].w] == [3.0, 2.0**60, -1e22]


def test_a_failed_load_leaves_the_model_unchanged_even_if_the_error_is_last() -> None:
    """A defect in the very last number still leaves every earlier parameter of the target untouched."""
    mlp = MLP(2, [3, 3], "tanh", output_activation="sigmoid", seed=7)
    before = _bits(mlp)
    state = _state()
    state["layers"][-1]["biases"][-1] = float("nan")
    with pytest.raises(ModelFormatError, match=r"layers\[1\]\.biases\[2\]"):
        mlp.load_state_dict(state)
    assert _bits(mlp) == before


@pytest.mark.parametrize(
    ("key", "other"),
    [
        ("nin", MLP(4, [3, 3], "tanh", output_activation="sigmoid")),
        ("nouts", MLP(2, [2, 3], "tanh", output_activation="sigmoid")),
        ("activation", MLP(2, [3, 3], "relu", output_activation="sigmoid")),
        ("output_activation", MLP(2, [3, 3], "tanh", output_activation="linear")),
    ],
)
def test_load_state_dict_needs_the_same_architecture(key: str, other: MLP) -> None:
    """A valid state of another architecture is refused, naming the key and both values."""
    mlp = MLP(2, [3, 3], "tanh", output_activation="sigmoid", seed=7)
    before = _bits(mlp)
    with pytest.raises(ModelFormatError) as info:
        mlp.load_state_dict(other.state_dict())
    message = str(info.value)
    assert key in message and repr(other.state_dict()[key]) in message and repr(mlp.state_dict()[key]) in message
    assert _bits(mlp) == before


# --- reading files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{", ["not valid JSON"]),
        (b"", ["not valid JSON"]),
        (b'{"nin": NaN}', ["NaN", "finite"]),
        (b'{"nin": -Infinity}', ["-Infinity"]),
        (b'{"nin": 1, "nin": 2}', ["duplicate key 'nin'"]),
        (b"\xff\xfe{}", ["UTF-8"]),
        (b"[" * 100_000 + b"]" * 100_000, ["nested too deeply"]),
        (b'{"nin": ' + b"9" * 5000 + b"}", ["not valid JSON"]),
        (b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94.", ["UTF-8"]),  # a pickle is never unpickled
        (b"[]", ["state", "object"]),
    ],
)
def test_load_rejects_malformed_files_naming_the_file(tmp_path: Path, content: bytes, words: list[str]) -> None:
    """Whatever the bytes, MLP.load raises ModelFormatError naming the file and what is wrong."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError) as info:
        MLP.load(path)
    for word in [*words, "bad.json"]:
        assert word in str(info.value)


def test_load_of_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    """A file that cannot be read is an OSError (FileNotFoundError), not a format error."""
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "missing.json")


@pytest.mark.parametrize("bad", [None, 3, b"m.json"])
def test_paths_must_be_str_or_pathlike(bad: object) -> None:
    """save and load reject a path that is not a str or os.PathLike, naming its type."""
    with pytest.raises(TypeError, match=type(bad).__name__):
        MLP.load(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=type(bad).__name__):
        MLP(1, [1]).save(bad)  # type: ignore[arg-type]


# --- atomic saving ---------------------------------------------------------------------------


@pytest.mark.parametrize("fail_at", ["dumps", "fsync", "replace"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    """A crash while writing, syncing or renaming leaves the previous file byte for byte, and nothing else."""
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=0).save(path)
    old = path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full (simulated)")

    target = serialize if fail_at == "dumps" else serialize.os
    monkeypatch.setattr(target, fail_at, crash)
    with pytest.raises(OSError, match="simulated"):
        MLP(2, [3, 1], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.json"]


def test_save_refuses_non_finite_weights_and_writes_nothing(tmp_path: Path) -> None:
    """A model holding nan cannot be saved (its file could not be loaded): the error names the parameter."""
    mlp = MLP(2, [3, 1], seed=0)
    mlp.layers[0].neurons[1].w[0].data = float("nan")
    with pytest.raises(ModelFormatError, match=r"layers\[0\]\.weights\[1\]\[0\]"):
        mlp.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_saved_file_permissions_follow_the_umask(tmp_path: Path) -> None:
    """The saved file gets the same permissions as one made with open(), not the 0600 of a temp file."""
    (tmp_path / "plain").write_text("")
    MLP(1, [1]).save(tmp_path / "m.json")
    mode = stat.S_IMODE
    assert mode((tmp_path / "m.json").stat().st_mode) == mode((tmp_path / "plain").stat().st_mode)


@pytest.mark.parametrize("path", ["", "/", ".", "..", "folder"])
def test_save_to_no_file_name_is_a_value_error_naming_the_path(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty path, the root, or a folder names no file: ValueError naming the path as given; nothing written."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(ValueError, match=re.escape(f"cannot save to {path!r}: it names no file")):
        MLP(1, [1], seed=0).save(path)
    assert os.listdir(tmp_path) == ["folder"] and os.listdir(tmp_path / "folder") == []


def test_save_to_a_symlink_writes_the_file_it_points_to(tmp_path: Path) -> None:
    """Saving through a symlink follows it, as open() would: the link stays a link and its target holds the model
    (also when the target does not exist yet)."""
    mlp = MLP(2, [3, 1], seed=4)
    (tmp_path / "models").mkdir()
    for target in (tmp_path / "models" / "old.json", tmp_path / "models" / "new.json"):
        if target.name == "old.json":
            target.write_text("old")
        link = tmp_path / f"link-to-{target.name}"
        link.symlink_to(target)
        mlp.save(link)
        assert link.is_symlink() and link.resolve() == target
        assert MLP.load(target).state_dict() == mlp.state_dict()
    assert sorted(os.listdir(tmp_path / "models")) == ["new.json", "old.json"]  # no temporary file left


def test_save_to_a_symlink_to_a_folder_is_refused(tmp_path: Path) -> None:
    """A symlink to a folder names no file either."""
    (tmp_path / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="it names no file"):
        MLP(1, [1], seed=0).save(tmp_path / "link")


def test_a_softmax_model_saves_and_loads(tmp_path: Path) -> None:
    """A model with a softmax output layer saves, loads with that layer (one node per output) and the
    same outputs, bit for bit."""
    mlp = MLP(3, [4, 5], "tanh", output_activation="softmax", seed=4)
    mlp.save(tmp_path / "softmax.json")
    loaded = MLP.load(tmp_path / "softmax.json")
    assert (loaded.output_activation, repr(loaded)) == ("softmax", repr(mlp))
    x = [0.5, -1.0, 2.0]
    assert [a_j.data for a_j in loaded(x)] == [a_j.data for a_j in mlp(x)]
    assert {a_j.op for a_j in loaded(x)} == {"softmax"}
