"""Reading the README and docs/ pages back: their code blocks, links and headings, so that tests
can run the examples and check that every link resolves."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def pages() -> list[Path]:
    """The README and every page of docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def code_blocks(markdown: str, language: str) -> list[str]:
    """The fenced code blocks of `language`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", markdown, re.S | re.M)


def section(markdown: str, heading: str) -> str:
    """The text under the heading `heading` (any level), up to the next heading of that level or above."""
    match = re.search(rf"^(#+) {re.escape(heading)}$", markdown, re.M)
    if match is None:
        raise LookupError(f"no heading {heading!r}")
    rest = markdown[match.end() :]
    end = re.search(rf"^#{{1,{len(match[1])}}} ", rest, re.M)
    return rest if end is None else rest[: end.start()]


def _prose(markdown: str) -> str:
    """The text without fenced code blocks and inline code, where `[x](y)` is not a link."""
    without_blocks = re.sub(r"^```.*?^```$", "", markdown, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", without_blocks)


def links(markdown: str) -> list[str]:
    """The targets of every Markdown link and image outside code."""
    return re.findall(r"\]\(([^)\s]+)\)", _prose(markdown))


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", re.sub(r"^```.*?^```$", "", markdown, flags=re.S | re.M), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def broken_links(page: Path, markdown: str) -> list[str]:
    """Each relative link of `page` whose file does not exist, or whose #anchor is no heading there."""
    broken = []
    for target in links(markdown):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and (file.suffix != ".md" or anchor not in anchors(text(file) if path else markdown)):
            broken.append(target)
    return broken


FORBIDDEN = re.compile(r"\bissues?\b|\bfloors?\b|\bseeds\b|\bseed (?:files?|\d{3})\b|\bsessions?\b", re.I)


def forbidden_words(markdown: str) -> list[str]:
    """Words that speak of how the project was organised, not to its users."""
    return FORBIDDEN.findall(markdown)


def run_block(block: str) -> str:
    """What the code block prints when run as a script."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(block, "<docs>", "exec"), {"__name__": "__docs__"})
    return output.getvalue()


def unmet_claims(block: str, output: str) -> list[tuple[str, str]]:
    """Each `print(...)  # claim` whose printed line is not the claim (or the start of `claim: why`)."""
    claims = re.findall(r"^\s*print\(.*\)  # (.+)$", block, re.M)
    printed = output.splitlines()
    if len(printed) != len(claims):
        return [("one printed line per commented print", f"{len(printed)} lines for {len(claims)} claims")]
    return [(claim, line) for claim, line in zip(claims, printed) if claim != line and not claim.startswith(line + ":")]
