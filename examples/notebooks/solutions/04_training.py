"""A solution to the exercise of notebook 4: a network that separates two circles.

A network without a hidden layer draws a straight boundary and gets about half the points right;
a ring needs a closed curve, which four tanh neurons can already draw.
"""

from microgradnet import MLP
from microgradnet.optim import Adam


def make_classifier():
    """(mlp, optimizer): a network for two inputs and one sigmoid output, and its optimizer."""
    mlp = MLP(2, [8, 1], activation="tanh", output_activation="sigmoid", seed=0)
    return mlp, Adam(mlp.parameters(), lr=0.05)
