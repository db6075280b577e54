"""`microgradnet demo`: its network learns the moons (a deterministic learning test), and the
command prints the accuracy and writes its pictures into the folder it names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from system_programs import requires_dot

from microgradnet.cli import main
from microgradnet.demo import DemoSettings, train_network


def test_demo_network_learns_the_moons() -> None:
    """With its default settings and seed, the demo's network reaches >= 97% training accuracy on
    200 moons with noise 0.1, and its loss falls by more than 10x."""
    settings = DemoSettings()
    assert (settings.n, settings.noise, settings.activation) == (200, 0.1, "sigmoid")
    _, history, train_accuracy = train_network(settings, progress=False)
    assert train_accuracy >= 0.97
    assert history[-1] < history[0] / 10


@requires_dot
def test_demo_writes_its_pictures_and_names_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo prints its accuracy, shows a progress bar, and writes non-empty PNGs into --out."""
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "3"]) == 0
    captured = capsys.readouterr()
    assert "training accuracy:" in captured.out
    assert "autograd vs the delta equations (BP1-BP4), one sample" in captured.out
    largest = float(captured.out.split("largest |difference| over all 33 parameters: ")[1].split()[0])
    assert largest <= 1e-15
    assert f"into {out.resolve()}/:" in captured.out
    assert "  network.svg" in captured.out
    assert "3/3" in captured.err and "loss=" in captured.err
    for name in ("decision_boundary.png", "loss.png"):
        data = (out / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000
    network = (out / "network.svg").read_text()
    assert network.startswith("<?xml") and "[0][7]" in network and "bce" in network  # every neuron and the cost


def test_demo_without_dot_writes_the_dot_source_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Graphviz's dot program the network picture is written as network.dot, with the one note of
    `save_or_dot`: how to install Graphviz and the dot command, with absolute paths."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["demo", "--out", str(tmp_path), "--epochs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    dot = tmp_path.resolve() / "network.dot"
    assert f"so network.svg was written as its DOT source {dot}; to draw the picture, install Graphviz" in out
    assert f"run: dot -Tsvg {dot} -o {dot.with_suffix('.svg')}" in out
    assert "  network.dot" in out
    assert dot.read_text().splitlines()[1].startswith("digraph network")
    assert not (tmp_path / "network.svg").exists()


@requires_dot
def test_demo_with_dot_leaves_no_stale_dot_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo run without dot leaves network.dot; the next run with dot draws network.svg and removes it."""
    with monkeypatch.context() as without_dot:
        without_dot.setattr(shutil, "which", lambda name: None)
        assert main(["demo", "--out", str(tmp_path), "--epochs", "1", "--no-progress"]) == 0
    assert (tmp_path / "network.dot").exists()
    assert main(["demo", "--out", str(tmp_path), "--epochs", "1", "--no-progress"]) == 0
    assert (tmp_path / "network.svg").exists() and not (tmp_path / "network.dot").exists()


def test_demo_into_a_file_is_an_argparse_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out naming an existing file exits 2 naming it, without a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--out", str(blocker), "--epochs", "1", "--no-progress"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"cannot write into {str(blocker)!r}" in err and "Traceback" not in err


def test_compiled_demo_learns_the_same_network() -> None:
    """DemoSettings(compiled=True) (`demo --compiled`) reaches the graph path's loss and accuracy."""
    _, graph_history, graph_accuracy = train_network(DemoSettings(epochs=5), progress=False)
    _, history, train_accuracy = train_network(DemoSettings(epochs=5, compiled=True), progress=False)
    assert history == pytest.approx(graph_history, rel=1e-12)
    assert train_accuracy == graph_accuracy


@requires_dot
def test_demo_writes_an_explorer_page_of_one_sample_and_the_training(tmp_path: Path) -> None:
    """explore.html holds sample 0's graph of the trained network and a snapshot per epoch of its training."""
    import json
    import re

    main(["demo", "--out", str(tmp_path), "--epochs", "4", "--no-progress"])
    page = (tmp_path / "explore.html").read_text(encoding="utf-8")
    match = re.search(r'id="explorer-data">(.*?)</script>', page, re.S)
    assert match is not None
    graph, network = json.loads(match[1])["views"]
    assert (graph["kind"], network["kind"]) == ("graph", "network")
    assert network["epochs"] == [0, 1, 2, 3, 4] and network["sizes"] == [2, 8, 1]
    _, history, _ = train_network(DemoSettings(epochs=4), progress=False)
    assert network["losses"] == history
    assert graph["nodes"][-1]["title"] == "C" and graph["nodes"][-1]["grad"] == 1.0


def test_demo_without_dot_writes_the_training_page_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without dot the graph cannot be laid out: explore.html has the training only, and the demo says so in
    the same one note that says network.svg was written as network.dot."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    main(["demo", "--out", str(tmp_path), "--epochs", "1", "--no-progress"])
    notes = [line for line in capsys.readouterr().out.splitlines() if "Graphviz" in line]
    assert len(notes) == 1
    assert "so network.svg was written as its DOT source" in notes[0]
    assert notes[0].endswith("network.svg. Without `dot`, explore.html shows the training but not the graph.")
    page = (tmp_path / "explore.html").read_text(encoding="utf-8")
    assert '"kind":"network"' in page and '"kind":"graph"' not in page
