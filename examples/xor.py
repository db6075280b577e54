"""XOR with a 2-4-1 sigmoid network, trained by a plain loop: forward, cost, zero_grad, backward, step.

Run: python examples/xor.py   (about a tenth of a second)
"""

import argparse

from microgradnet import MLP, no_grad
from microgradnet.datasets import xor
from microgradnet.losses import half_sse, mean_cost
from microgradnet.optim import SGD

argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # only --help

inputs, targets = xor()  # [[0, 0], [0, 1], [1, 0], [1, 1]] -> [[0], [1], [1], [0]]
mlp = MLP(2, [4, 1], activation="sigmoid", seed=0)  # the seed fixes the initial weights
optimizer = SGD(mlp.parameters(), lr=1.0, momentum=0.9)

epochs = 300
for epoch in range(epochs):
    # The cost of the whole data set: cost_avg = (1/n) sum_s C_s, with C_s = 1/2 (a - y_s)^2.
    cost = mean_cost([half_sse(mlp(x), y) for x, y in zip(inputs, targets)])
    optimizer.zero_grad()  # backward() *adds* into .grad, so clear the last step's gradients first
    cost.backward()  # every weight and bias now holds dC/dp in .grad
    optimizer.step()  # b <- mu b + dC/dp, p <- p - lr b
    if epoch % 50 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:3d}   cost {cost.data:.6f}")

print()
correct = 0
with no_grad():  # no graph needed just to read the outputs
    for x, (y,) in zip(inputs, targets):
        (a,) = mlp(x)
        predicted = 1 if a.data >= 0.5 else 0
        correct += predicted == y
        print(f"x = {x}   y = {y:.0f}   a = {a.data:.4f}   class {predicted}")
print(f"accuracy: {correct}/{len(inputs)}")
