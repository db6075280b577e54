"""Quickstart: one sigmoid neuron, its cost, and the gradients backward() finds.

Run: python examples/quickstart.py
"""

from microgradnet import MLP, gradcheck
from microgradnet.losses import half_sse

# A 2-3-1 all-sigmoid network; seed=0 gives the same weights on every machine.
mlp = MLP(2, [3, 1], seed=0)
x, y = [0.5, -1.0], [1.0]

(a,) = mlp(x)  # a = sigma(z), z = sum_k w_jk a_k + b_j, layer by layer
cost = half_sse([a], y)  # C = 1/2 (a - y)^2
cost.backward()  # every parameter now holds dC/dp in .grad

print(f"output a = {a.data:.6f}, cost C = {cost.data:.6f}")
for p in mlp.parameters():
    print(f"  dC/d{p.label:<10} = {p.grad:+.6f}")

# The same derivatives by central finite differences, as a check:
assert gradcheck(lambda w, b: (w * 0.5 + b).sigmoid(), [0.3, -0.2])
print("gradcheck: autograd agrees with finite differences")
