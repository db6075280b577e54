"""Pictures of backpropagation, drawn with Graphviz.

- `draw_graph(root)`: the scalar computation graph, one box per `Value` (label, op, data, grad),
  an edge parent -> child per operand labelled with the local derivative d child / d parent,
  MLP graphs grouped into one cluster per neuron inside one per layer.
- `draw_network(mlp, x, y)`: the neuron-level picture, one node per input and neuron and one
  edge per weight, with a, delta and dC/dw when a sample is given.
- `save(graph, path)`: writes .dot, .svg, .png or .pdf.
- `layout(graph)`: where Graphviz puts every node and edge (for pages that draw the graph themselves).

Both drawing functions return a `graphviz.Digraph`, which a Jupyter notebook displays inline.
The `graphviz` Python package is imported only when a function here is called
(`pip install 'microgradnet[viz]'`); image formats also need Graphviz's `dot` program.
"""

from microgradnet.render.backend import FORMATS, GraphvizNotFoundError, layout, save
from microgradnet.render.graph import SHOW_FIELDS, draw_graph
from microgradnet.render.network import draw_network

__all__ = ["FORMATS", "SHOW_FIELDS", "GraphvizNotFoundError", "draw_graph", "draw_network", "layout", "save"]
