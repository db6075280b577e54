"""Speed and memory of microgradnet against micrograd, a hand-written delta loop and numpy.

Run from the repository root: `python -m benchmarks.run` (see `--help`).
"""
