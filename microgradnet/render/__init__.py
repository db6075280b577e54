"""Pictures of backpropagation, drawn with Graphviz.

- `draw_graph(root)`: the scalar computation graph, one box per `Value` (label, op, data, grad),
  an edge parent -> child per operand labelled with the local derivative d child / d parent,
  MLP graphs grouped into one cluster per neuron inside one per layer.
- `draw_network(mlp, x, y)`: the neuron-level picture, one node per input and neuron and one
  edge per weight, with a, delta and dC/dw when a sample is given.
- `save(graph, path)`: writes .dot, .svg, .png or .pdf; `save_or_dot(graph, path)` falls back to
  the DOT source, with a note saying how to draw it, where Graphviz's `dot` program is missing.
- `layout(graph)`: where Graphviz puts every node and edge (for pages that draw the graph themselves).

Both drawing functions return a `graphviz.Digraph`, which a Jupyter notebook displays inline.
The `graphviz` Python package is imported only when a function here is called
(`pip install 'microgradnet[viz]'`); image formats also need Graphviz's `dot` program.
"""

from microgradnet.render.backend import FORMATS, GraphvizNotFoundError, Saved, layout, save, save_or_dot
from microgradnet.render.graph import SHOW_FIELDS, GraphTooLargeError, draw_graph
from microgradnet.render.network import draw_network

__all__ = [
    "FORMATS",
    "SHOW_FIELDS",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "Saved",
    "draw_graph",
    "draw_network",
    "layout",
    "save",
    "save_or_dot",
]
