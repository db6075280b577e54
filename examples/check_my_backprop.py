"""A learner's backprop, checked: numpy code in the layout of Nielsen's network.py, with one classic bug.

The learner's `backprop` takes the weights (one (n_out, n_in) array a layer), the biases and the
sample as (n, 1) columns, and returns (nabla_w, nabla_b) for C = 1/2 sum_j (a_j - y_j)^2 through
sigmoid layers. It evaluates sigma' at the activation a instead of the weighted input z: a mistake
that passes a quick look, since for the sigmoid sigma'(z) = a (1 - a) is written with a. The kit draws
networks, finds the smallest one on which the gradients are wrong, and says which equation breaks
and which classic mistake the numbers are. Then the corrected line passes.

Run: python examples/check_my_backprop.py   (a few seconds; needs numpy and the testing extra)
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

import numpy as np

from microgradnet.testing import BackpropMismatch, check_backprop


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def backprop(weights, biases, x, y, fixed=False):
    """nabla_w[l] = dC/dW^l and nabla_b[l] = dC/db^l of one sample, by BP1-BP4."""
    activation, activations, zs = x, [x], []
    for w, b in zip(weights, biases):  # the forward pass: z^l = W^l a^(l-1) + b^l, a^l = sigma(z^l)
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    # BP1. The bug: sigma' of the activation; the derivation has sigma'(z^L).
    slope = sigmoid_prime(zs[-1]) if fixed else sigmoid_prime(activations[-1])
    delta = (activations[-1] - y) * slope
    nabla_b = [delta]  # BP3
    nabla_w = [np.dot(delta, activations[-2].transpose())]  # BP4
    for l in range(2, len(weights) + 1):  # BP2, one layer back at a time
        slope = sigmoid_prime(zs[-l]) if fixed else sigmoid_prime(activations[-l])
        delta = np.dot(weights[-l + 1].transpose(), delta) * slope
        nabla_b.insert(0, delta)
        nabla_w.insert(0, np.dot(delta, activations[-l - 1].transpose()))
    return nabla_w, nabla_b


print("checking the learner's backprop ...\n")
try:
    check_backprop(backprop, layout="nielsen")
except BackpropMismatch as mismatch:  # inside pytest, a plain call fails the test with this report
    print(mismatch)

print("\nand with sigma'(z), as BP1 and BP2 have it:\n")
print(check_backprop(lambda *arguments: backprop(*arguments, fixed=True), layout="nielsen"))
