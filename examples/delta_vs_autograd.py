"""The derivation made concrete: the delta equations and autograd, number by number.

For one sample through a 2-3-2 sigmoid network this prints, layer by layer, the forward pass
(z^l = W^l a^(l-1) + b^l, a^l = sigma(z^l)) and the errors delta^l = dC/dz^l from BP1 and BP2,
then every parameter's gradient by BP3/BP4 next to the one backward() finds in the graph.

Run: python examples/delta_vs_autograd.py   (instant)
"""

import argparse

from microgradnet import MLP
from microgradnet.crosscheck import compare

argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # only --help

mlp = MLP(2, [3, 2], activation="sigmoid", seed=0)  # layers[0]: 3 neurons, layers[1]: 2 outputs
x, y = [0.5, -1.0], [1.0, 0.0]
cost = "half_sse"  # C = 1/2 sum_i (a_i - y_i)^2, so dC/da_i = a_i - y_i

# compare() runs both routes: delta.backprop (BP1-BP4 in plain floats) and backward() on the graph.
comparison = compare(mlp, x, y, cost)
oracle = comparison.oracle
last = len(mlp.layers) - 1

print(f"x = {x}, y = {y}, cost {cost}\n")
for l in range(len(mlp.layers)):  # noqa: E741  (l is the layer index of the equations)
    equation = "BP1: delta = dC/da * sigma'(z)" if l == last else "BP2: delta = (W^(l+1)^T delta^(l+1)) * sigma'(z)"
    print(f"layer {l}  ({equation})")
    for j in range(len(mlp.layers[l].neurons)):
        z, a, delta = oracle.z[l][j], oracle.a[l][j], oracle.delta[l][j]
        print(f"  neuron {j}:  z = {z:+.6f}   a = sigma(z) = {a:.6f}   delta = {delta:+.6f}")
    print()

print("gradients: BP3 dC/db = delta, BP4 dC/dw_jk = a_k^(l-1) delta_j, against backward()")
print(f"  {'parameter':<12} {'delta equations':>16} {'autograd':>16} {'difference':>11}")
for label, by_autograd, by_equations in comparison.rows():
    print(f"  {label:<12} {by_equations:>+16.10f} {by_autograd:>+16.10f} {by_autograd - by_equations:>11.1e}")
print(f"\nlargest relative difference: {comparison.largest_relative_difference():.1e}")
