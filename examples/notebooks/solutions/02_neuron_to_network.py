"""A solution to the exercise of notebook 2: the forward pass of a sigmoid network, by hand."""

import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def forward_by_hand(w, b, x):
    """z[l][j] and a[l][j] of every layer l of a sigmoid network, for the input x.

    z^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j and a^l_j = sigma(z^l_j), with a^(-1) = x.
    """
    z, a = [], []
    a_previous = x
    for w_l, b_l in zip(w, b):
        z_l = [sum(w_jk * a_k for w_jk, a_k in zip(w_j, a_previous)) + b_j for w_j, b_j in zip(w_l, b_l)]
        a_previous = [sigmoid(z_j) for z_j in z_l]
        z.append(z_l)
        a.append(a_previous)
    return z, a
