"""One neuron's computation graph: a = sigma(w[0] x[0] + w[1] x[1] + b), its cost, and every gradient.

Each box of the picture is a `Value` (its label, operation, data and grad = dC/dnode); each edge
parent -> child carries the local derivative d child / d parent that backward() multiplies along.

Run: python examples/neuron_graph.py [--out neuron.svg]   (.svg, .png, .pdf or .dot; instant)
"""

import argparse
import random

from microgradnet import Neuron, Value
from microgradnet.losses import half_sse
from microgradnet.render import draw_graph, save_or_dot

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default="neuron.svg", help="the picture: .svg, .png, .pdf or .dot (neuron.svg)")
args = parser.parse_args()

neuron = Neuron(2, activation="sigmoid", rng=random.Random(0))  # labels: w[0], w[1], b, z, a
x = [Value(0.5, "x[0]"), Value(-1.0, "x[1]")]
a = neuron(x)  # z = w[0] x[0] + w[1] x[1] + b (one node), a = sigma(z)
cost = half_sse([a], [Value(1.0, "y")])  # C = 1/2 (a - y)^2
cost.label = "C"
cost.backward()  # dC/dnode into every node's .grad, by the chain rule from C back to the leaves

print(f"a = {a.data:.6f}, C = {cost.data:.6f}")
print(f"dC/dw[0] = {neuron.w[0].grad:+.6f}, dC/dw[1] = {neuron.w[1].grad:+.6f}, dC/db = {neuron.b.grad:+.6f}")

graph = draw_graph(cost)  # a graphviz.Digraph; in Jupyter, just `graph` shows it inline
saved = save_or_dot(graph, args.out)  # without Graphviz's `dot` program: the DOT source, and how to draw it
print(f"wrote {saved.path}")
if saved.note:
    print(saved.note)
