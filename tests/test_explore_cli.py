"""`microgradnet explore graph|network`: writes the page, prints its path, opens it with --open, and
turns bad choices into argparse errors."""

from __future__ import annotations

import re
import shutil
import webbrowser
from pathlib import Path
from typing import Any

import pytest
from explore_pages import page_data
from system_programs import requires_dot

from microgradnet.cli import main
from microgradnet.datasets import moons
from microgradnet.demo import DemoSettings, new_network, sample_cost, train_network


def _data(path: Path) -> dict[str, Any]:
    """The first view's data of the page at `path`."""
    view: dict[str, Any] = page_data(path.read_text(encoding="utf-8"))["views"][0]
    return view


@requires_dot
def test_explore_graph_writes_the_page_of_one_moons_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The graph page follows moons sample 3 through the untrained 2-2-1 network, as sample_cost builds it."""
    out = tmp_path / "g.html"
    assert main(["explore", "graph", "--sample", "3", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote the graph explorer (2-2-1 network, moons sample 3) to {out.resolve()}\n"
    settings = DemoSettings(hidden=(2,))
    inputs, targets = moons(settings.n, settings.noise, settings.seed)
    cost = sample_cost(new_network(settings), inputs[3], targets[3], settings.cost)
    nodes = _data(out)["nodes"]
    assert isinstance(nodes, list) and [n["data"] for n in nodes][-1] == cost.data
    assert next(n["data"] for n in nodes if n["title"] == "x[0]") == inputs[3][0]


def test_explore_network_replays_the_demo_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The network page holds a snapshot before and after each of the 3 epochs, with fit's losses."""
    out = tmp_path / "n.html"
    assert main(["explore", "network", "--epochs", "3", "--hidden", "4", "--out", str(out)]) == 0
    assert "wrote the network explorer (2-4-1 network, 3 epochs) to" in capsys.readouterr().out
    view = _data(out)
    _, history, _ = train_network(DemoSettings(hidden=(4,), epochs=3), progress=False)
    assert view["epochs"] == [0, 1, 2, 3] and view["losses"] == history


@requires_dot
def test_open_shows_the_page_in_the_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--open hands the page's file:// address to the web browser."""
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url))
    out = tmp_path / "g.html"
    assert main(["explore", "graph", "--out", str(out), "--open"]) == 0
    assert opened == [out.resolve().as_uri()]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["graph", "--hidden", "16,16"],
            "the graph has 41[0-9] nodes, more than max_nodes=150.*; on the command line: microgradnet explore network",
        ),
        (["network", "--epochs", "0"], "--epochs: must be at least 1, got 0"),
        (["graph", "--sample", "200"], "--sample: expected 0 to 199, got 200"),
        (["table"], "invalid choice: 'table'"),
    ],
)
def test_bad_choices_are_argparse_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each bad choice exits 2 with a message naming it, no traceback."""
    with pytest.raises(SystemExit) as exited:
        main(["explore", *argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err


def test_without_dot_explore_graph_says_how_to_install_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Graphviz's dot the graph page cannot be laid out: exit 1 with install instructions."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as exited:
        main(["explore", "graph", "--out", str(tmp_path / "g.html")])
    assert exited.value.code == 1
    assert "needs Graphviz's `dot` program" in capsys.readouterr().err
    assert not (tmp_path / "g.html").exists()
