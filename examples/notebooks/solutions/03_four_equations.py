"""A solution to the exercise of notebook 3: backpropagation by BP1-BP4, in plain Python.

Sigmoid everywhere, C = 1/2 sum_j (a^L_j - y_j)^2; w[l][j][k] joins neuron k of the layer before
(or input k) to neuron j of layer l.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def my_backprop(w, b, x, y):
    """(dW, db): dC/dw[l][j][k] and dC/db[l][j] of C = 1/2 sum_j (a^L_j - y_j)^2, sigmoid everywhere."""
    # forward pass: z^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j, a^l_j = sigma(z^l_j); a_in[l] is a^(l-1)
    a_in, z, a = [], [], []
    a_previous = x
    for w_l, b_l in zip(w, b):
        a_in.append(a_previous)
        z.append([sum(w_jk * a_k for w_jk, a_k in zip(w_j, a_previous)) + b_j for w_j, b_j in zip(w_l, b_l)])
        a_previous = [sigmoid(z_j) for z_j in z[-1]]
        a.append(a_previous)
    L = len(w) - 1

    # BP1: delta^L_j = dC/da^L_j sigma'(z^L_j), with dC/da = a - y and sigma' = a (1 - a)
    delta = [[]] * (L + 1)
    delta[L] = [(a_j - y_j) * a_j * (1.0 - a_j) for a_j, y_j in zip(a[L], y)]
    # BP2: delta^l_k = (sum_j w^(l+1)_jk delta^(l+1)_j) sigma'(z^l_k)
    for l in reversed(range(L)):
        delta[l] = [
            sum(w_j[k] * delta_j for w_j, delta_j in zip(w[l + 1], delta[l + 1])) * a_k * (1.0 - a_k)
            for k, a_k in enumerate(a[l])
        ]
    # BP3: dC/db^l_j = delta^l_j;  BP4: dC/dw^l_jk = a^(l-1)_k delta^l_j
    db = [list(delta_l) for delta_l in delta]
    dW = [[[a_k * delta_j for a_k in a_in[l]] for delta_j in delta[l]] for l in range(L + 1)]
    return dW, db
