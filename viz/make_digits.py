"""Draw the digits network's test predictions and confusion matrix (run: python viz/make_digits.py).

- digits_predicted.png  the first 10 test digits, each titled with the class the trained 64-32-10
                        network predicts and the true one (red where they differ)
- digits_confusion.png  the confusion matrix of all 355 test digits

The network is the one `microgradnet train --dataset digits --compiled` trains (seed 0, its
defaults), so the pictures change only when the code does; `--model MODEL.json` draws a saved one
instead. Needs the data and examples extras.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
from pathlib import Path

from microgradnet import MLP, datasets, metrics, plots
from microgradnet.cli import main

HERE = Path(__file__).resolve().parent


def trained_digits() -> MLP:
    """The network `microgradnet train --dataset digits --compiled` trains and saves."""
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "digits.json"
        with contextlib.redirect_stdout(io.StringIO()):
            main(["train", "--dataset", "digits", "--compiled", "--no-progress", "--save", str(model)])
        return MLP.load(model)


def main_(out: Path, model: Path | None = None) -> None:
    mlp = trained_digits() if model is None else MLP.load(model)
    split = datasets.digits()
    inputs, targets = split.test
    out.mkdir(parents=True, exist_ok=True)
    print(plots.predicted_images(mlp, inputs, targets, out / "digits_predicted.png", classes=split.classes))
    counts = metrics.confusion_matrix(mlp, inputs, targets)
    print(plots.confusion_matrix(counts, out / "digits_confusion.png", classes=split.classes, title="Test digits"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: viz/)")
    parser.add_argument("--model", type=Path, help="a saved digits model to draw, instead of training one")
    arguments = parser.parse_args()
    main_(arguments.out, arguments.model)
