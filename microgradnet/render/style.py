"""How numbers and signs look: 4 significant digits, and one red-white-blue scale for every sign.

Red means negative, blue positive, white zero, in both views: a node's fill shows its gradient
(in `draw_graph`) or its delta (in `draw_network`), an edge's colour the sign of its weight.
"""

from __future__ import annotations

import math

FONT = "Helvetica"
TEXT_GREY = "#555555"

# ColorBrewer RdBu: fills stop at the middle shades so black text stays readable on them,
# lines use the dark ends so thin edges stay visible on white.
FILL_NEGATIVE = (214, 96, 77)
FILL_POSITIVE = (67, 147, 195)
LINE_NEGATIVE = "#b2182b"
LINE_POSITIVE = "#2166ac"
LINE_ZERO = "#999999"
NOT_FINITE = "#bbbbbb"  # a nan or infinite gradient: grey, outside the scale


RANKDIRS = ("LR", "RL", "TB", "BT")


def check_rankdir(caller: str, rankdir: object) -> str:
    """`rankdir` if Graphviz knows it, else a `ValueError` naming the caller and the valid ones."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"{caller}: unknown rankdir {rankdir!r}; expected one of {', '.join(map(repr, RANKDIRS))}")
    return str(rankdir)


def number(x: float) -> str:
    """`x` to 4 significant digits, e.g. 0.1235, -3, 1.5e-05; -0.0 prints as 0."""
    return f"{x + 0.0:.4g}"


def largest_magnitude(values: list[float]) -> float:
    """max |v| over the finite values (0.0 if there are none): the end of the colour scale."""
    return max((abs(v) for v in values if math.isfinite(v)), default=0.0)


def signed_fill(value: float, largest: float) -> str:
    """A fill colour for `value` on a scale ending at `largest`: red below 0, blue above, white at 0.

    The intensity is sqrt(|value| / largest), so values a hundred times smaller than the largest
    are still visibly tinted (a tenth of the full colour), not white.
    """
    if not math.isfinite(value):
        return NOT_FINITE
    if largest <= 0.0 or value == 0.0:
        return "#ffffff"
    t = math.sqrt(min(abs(value) / largest, 1.0))
    end = FILL_NEGATIVE if value < 0.0 else FILL_POSITIVE
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in end)


def sign_line(value: float) -> str:
    """A line colour for the sign of `value`: dark red below 0, dark blue above, grey at 0."""
    if value < 0.0:
        return LINE_NEGATIVE
    return LINE_POSITIVE if value > 0.0 else LINE_ZERO


def pen_width(value: float, largest: float, thinnest: float = 0.5, thickest: float = 4.0) -> str:
    """A line width from `thinnest` to `thickest` points, growing linearly with |value| / largest."""
    if largest <= 0.0 or not math.isfinite(value):
        return f"{thinnest:g}"
    return f"{thinnest + (thickest - thinnest) * min(abs(value) / largest, 1.0):.2f}"
