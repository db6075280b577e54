"""The compiler: trace a function of `Value`s once, then run the recorded graph as straight-line Python.

The traced graph is written out as one Python function on plain floats in local variables
named after the nodes' labels: the forward pass, one line per node, then the backward pass, one
line per node after all its consumers c (the chain rule: dC/dnode = sum_c dC/dc * dc/dnode).
`compile()` (the builtin) turns it into bytecode once; a call then creates no `Value` at all.

One job per module:
- `trace`: run f on `Value`s, record its graph as data and compare traces;
- `emit`: the forward and backward passes as source text, each line from the derivative table
  (through `microgradnet.codegen`);
- `function`: `compile_function(f, example_inputs)`, f and its gradient on one set of inputs;
- `batch`: `compile_loss(loss, parameters, example_sample)`, the mean loss over a batch and its
  gradient, for training (`train.compile_mlp_loss` compiles an MLP's cost with it).

Limits, as with `torch.jit.trace`: the graph is the one the example inputs produced. Python
control flow that depends on values (`if x.data > 0`, a loop count read from data, a constant
computed from `x.data`) is frozen at trace time. `CompiledFunction.check(inputs)` retraces on
other inputs and raises `TraceMismatchError` if the graph differs.
"""

from microgradnet.compiler.batch import CompiledLoss, compile_loss
from microgradnet.compiler.function import CompiledFunction, compile_function
from microgradnet.compiler.trace import TraceMismatchError

__all__ = ["CompiledFunction", "CompiledLoss", "TraceMismatchError", "compile_function", "compile_loss"]
