"""A solution to the exercise of notebook 1: the chain rule through g(x, y) = sigmoid(x y + e^y)."""

import math


def dg_by_hand(x, y):
    """(dg/dx, dg/dy) of g(x, y) = sigmoid(x y + e^y), from the chain rule.

    With u = x y + e^y and g = sigmoid(u): dg/du = g (1 - g), du/dx = y, du/dy = x + e^y.
    """
    g = 1.0 / (1.0 + math.exp(-(x * y + math.exp(y))))
    dg_du = g * (1.0 - g)
    return dg_du * y, dg_du * (x + math.exp(y))
