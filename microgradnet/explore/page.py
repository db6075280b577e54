"""`Explorer`: one self-contained HTML page of one or more views, written from the files in `assets/`.

The page is the template `assets/page.html` with the stylesheet, the scripts and the data put
inline: no file beside it, no server, no network, no library (the scripts are plain JavaScript
written for this page). The data is JSON in a `<script type="application/json">` element.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from microgradnet.explore.encode import script_json
from microgradnet.render import style

SCRIPTS = ("common.js", "graph.js", "network.js", "main.js")


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


# The colours of `render.style`, so the page and the Graphviz pictures speak the same language.
STYLE = {
    "fill_negative": list(style.FILL_NEGATIVE),
    "fill_positive": list(style.FILL_POSITIVE),
    "line_negative": style.LINE_NEGATIVE,
    "line_positive": style.LINE_POSITIVE,
    "line_zero": style.LINE_ZERO,
    "not_finite": style.NOT_FINITE,
    "fill_class0": _rgb(style.LINE_POSITIVE),
    "fill_class1": _rgb(style.LINE_NEGATIVE),
}


def _asset(name: str) -> str:
    return files("microgradnet.explore").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


class Explorer:
    """An explorer page: `html()` is the whole file, `save(path)` writes it, and Jupyter shows it inline.

    `explore.graph(...) + explore.network(...)` is one page with both views, a tab each.
    """

    def __init__(self, views: Sequence[dict[str, Any]], title: str) -> None:
        self.views = list(views)
        self.title = title

    def __add__(self, other: Explorer) -> Explorer:
        if not isinstance(other, Explorer):
            return NotImplemented
        return Explorer([*self.views, *other.views], f"{self.title} · {other.title}")

    def __repr__(self) -> str:
        kinds = ", ".join(view["kind"] for view in self.views)
        return f"Explorer({self.title!r}, views: {kinds})"

    def html(self) -> str:
        """The page: one HTML file with its style, scripts and data inline."""
        from microgradnet import __version__

        parts = {
            "__CSS__": _asset("explore.css"),
            "__JS__": "\n".join(_asset(name) for name in SCRIPTS),
            "__DATA__": script_json({"views": self.views, "style": STYLE}),
            "__TITLE__": html.escape(self.title),
            "__VERSION__": __version__,
        }
        page = _asset("page.html")
        for marker in ("__TITLE__", "__VERSION__", "__CSS__", "__JS__"):
            page = page.replace(marker, parts[marker])
        before, after = page.split("__DATA__")  # last: the data may contain any marker's text
        return before + parts["__DATA__"] + after

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (UTF-8) and return the path."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Explorer.save: path must be a str or path, got {type(path).__name__}: {path!r}")
        target = Path(path)
        target.write_text(self.html(), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        """The page inside an iframe, so its scripts and styles keep to themselves in a notebook."""
        return (
            f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" title="{html.escape(self.title)}" '
            'style="width: 100%; height: 720px; border: 1px solid #ddd"></iframe>'
        )
