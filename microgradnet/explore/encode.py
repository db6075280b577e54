"""How the explorer embeds Python's numbers in a page: JSON, with every float exactly as Python has it.

- `number(x)`: a float as JSON holds it. JSON has no nan or infinity, so those travel as the
  strings "nan", "inf" and "-inf" (the page turns them back into numbers); every finite float is
  written with `repr`, which the browser's JSON parser reads back to the same double.
- `float64s(values)`: many floats at once, as base64 of their little-endian IEEE 754 doubles
  (11 characters a number instead of about 20, and bit-exact, nan and infinities included).
- `levels(values, low, high)`: numbers in [low, high] as one byte each (a heatmap's colours).
- `script_json(data)`: JSON that is safe inside a `<script>` element.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from collections.abc import Sequence

NOT_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def number(x: float) -> float | str:
    """`x` itself if finite, else "nan", "inf" or "-inf" (JSON has no such numbers)."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0.0 else "-inf")


def float64s(values: Sequence[float]) -> str:
    """The doubles `values`, little-endian, in base64: the page reads them with a `Float64Array`."""
    return base64.b64encode(struct.pack(f"<{len(values)}d", *values)).decode("ascii")


def levels(values: Sequence[float], low: float, high: float) -> str:
    """Each value as one byte, floor(256 t) for t = (v - low) / (high - low) clipped to [0, 1], in base64.

    Level 128 and above is exactly t >= 1/2 (256 t is exact), so a classifier's threshold at the
    middle of the range is where the colour changes side.
    """
    span = high - low
    if not span > 0.0:
        raise ValueError(f"levels: the range must have high > low, got [{low!r}, {high!r}]")
    data = bytes(min(255, max(0, math.floor(256.0 * (v - low) / span))) if math.isfinite(v) else 0 for v in values)
    return base64.b64encode(data).decode("ascii")


def script_json(data: object) -> str:
    """`data` as JSON that can sit inside `<script type="application/json">`: no "</" can end the element.

    Raises `ValueError` for a nan or infinite float (pass those through `number` first).
    """
    text = json.dumps(data, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")
