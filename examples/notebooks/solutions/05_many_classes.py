"""A solution to the exercise of notebook 5: the output error of softmax with the log-likelihood.

Shifting every z by max(z) changes no a_k (the factor e^-max cancels) and keeps every exponent <= 0,
so math.exp never overflows; then delta^L_k = a_k - [k = y].
"""

import math


def output_error(z, y):
    """delta^L_k = a^L_k - [k = y], a^L = softmax(z), for the plain floats z and the class index y."""
    m = max(z)
    e = [math.exp(z_k - m) for z_k in z]
    total = sum(e)
    return [e_k / total - (1.0 if k == y else 0.0) for k, e_k in enumerate(e)]
