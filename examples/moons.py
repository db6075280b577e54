"""Two moons with `fit`: a tanh network learns a curved boundary, drawn to a PNG.

Run: python examples/moons.py [--epochs N] [--out moons.png]   (a few seconds)
"""

import argparse

from microgradnet import MLP
from microgradnet.datasets import moons
from microgradnet.optim import Adam
from microgradnet.plots import decision_boundary, loss_curve
from microgradnet.train import accuracy, fit

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--out", default="moons.png", help="decision boundary picture (the loss curve goes next to it)")
args = parser.parse_args()

inputs, targets = moons(n=200, noise=0.15, seed=1)
# Two tanh hidden layers and a sigmoid output, so that a is a probability for the bce cost.
mlp = MLP(2, [8, 8, 1], activation="tanh", output_activation="sigmoid", seed=1)
optimizer = Adam(mlp.parameters(), lr=0.03)

# fit runs the loop of examples/xor.py on mini-batches of 10 shuffled samples, with a progress bar.
history = fit(mlp, inputs, targets, optimizer=optimizer, cost="bce", epochs=args.epochs, batch_size=10, seed=1)

share = accuracy(mlp, inputs, targets)  # class 1 when a >= 0.5
print(f"loss {history[0]:.4f} -> {history[-1]:.4f}, training accuracy {share:.1%}")
picture = decision_boundary(mlp, inputs, targets, args.out, title=f"tanh 2-8-8-1, accuracy {share:.1%}")
curve = loss_curve(history, picture.with_name(picture.stem + "_loss.png"), cost="bce")
print(f"wrote {picture} and {curve}")
