"""The README and docs/ stay true: links resolve, the README stays a short front door that speaks to
its users, its first example prints what it shows, and the examples of the pages run and print
what their comments claim. (The rendering and compiling pages are run by test_render.py and
test_compiler.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pages import (
    DOCS,
    README,
    ROOT,
    broken_links,
    code_blocks,
    forbidden_words,
    links,
    pages,
    run_block,
    section,
    text,
    unmet_claims,
)

PAGE_IDS = [str(page.relative_to(ROOT)) for page in pages()]


# --- links and the table of contents -------------------------------------------------------------


@pytest.mark.parametrize("page", pages(), ids=PAGE_IDS)
def test_every_relative_link_resolves(page: Path) -> None:
    """Every relative link and image of the page names a file that exists, and each #anchor a heading there."""
    assert broken_links(page, text(page)) == []


def test_a_broken_link_or_anchor_is_reported() -> None:
    """Negative control: a missing file, a missing heading and a missing anchor on the page itself are found;
    web links and link-like text inside code are not checked."""
    page = DOCS / "engine.md"
    markdown = (
        "# Title\n[ok](networks.md) [ok](#title) [ok](../README.md#notation) [web](https://example.org/x)\n"
        "[gone](missing.md) [no heading](networks.md#nowhere) [here](#elsewhere) `[code](nothing.md)`\n"
        "```python\nx = [1](2)\n```\n"
    )
    assert broken_links(page, markdown) == ["missing.md", "networks.md#nowhere", "#elsewhere"]


@pytest.mark.parametrize("index", [README, DOCS / "README.md"], ids=["README.md", "docs/README.md"])
def test_the_tables_of_contents_name_every_docs_page(index: Path) -> None:
    """The README and docs/README.md each link every page of docs/."""
    linked = {(index.parent / target.partition("#")[0]).resolve() for target in links(text(index))}
    assert [page.name for page in sorted(DOCS.glob("*.md")) if page.resolve() not in linked and page != index] == []


# --- the front door ------------------------------------------------------------------------------


def test_the_readme_is_at_most_170_lines() -> None:
    """The README is a front door read in minutes; the rest lives in docs/."""
    assert len(text(README).splitlines()) <= 170


@pytest.mark.parametrize("page", pages(), ids=PAGE_IDS)
def test_no_page_speaks_of_how_the_work_was_organised(page: Path) -> None:
    """No page names an issue, a floor, a session or seed files: the pages speak to users."""
    assert forbidden_words(text(page)) == []


def test_the_forbidden_words_are_found() -> None:
    """Negative control: each kind of forbidden word is caught; `seed` as the random seed is not."""
    planted = "issue 7's floors; Seed 001 and the seeds; a seed file; this session. Pass seed=0, or the seed 0."
    assert forbidden_words(planted) == ["issue", "floors", "Seed 001", "seeds", "seed file", "session"]


def test_the_readme_names_the_system_package_and_the_switch_that_requires_it() -> None:
    """Install names Graphviz for Debian/Ubuntu, macOS and conda; Try it names MICROGRADNET_REQUIRE_SYSTEM=1."""
    install, try_it = section(text(README), "Install"), section(text(README), "Try it")
    assert all(f"{tool} install graphviz" in install for tool in ("apt-get", "brew", "conda"))
    assert "MICROGRADNET_REQUIRE_SYSTEM=1" in try_it


def test_the_readme_first_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The first Python block of the README, run as written, prints exactly the text block after it."""
    first = section(text(README), "A first example")
    [example], [shown] = code_blocks(first, "python"), code_blocks(first, "text")
    assert first.index(example) < first.index(shown)
    monkeypatch.chdir(tmp_path)
    assert run_block(example) == shown


# --- the examples of the pages -------------------------------------------------------------------


EXAMPLES = [
    *[
        ("README.md: " + use, block)
        for use in ("A library to learn from", "Checking backpropagation")
        for block in code_blocks(section(text(README), use), "python")
    ],
    *[
        (f"docs/{name}", block)
        for name in ("engine.md", "networks.md", "training.md", "robustness.md")
        for block in code_blocks(text(DOCS / name), "python")
    ],
]


@pytest.mark.parametrize(("where", "block"), EXAMPLES, ids=[f"{where} #{i}" for i, (where, _) in enumerate(EXAMPLES)])
def test_the_examples_run_and_print_what_their_comments_say(
    where: str, block: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each Python block runs as written, and each `print(...)  # claim` prints its claim."""
    monkeypatch.chdir(tmp_path)
    assert unmet_claims(block, run_block(block)) == []


def test_a_wrong_printed_claim_is_reported() -> None:
    """Negative control: a comment that does not match the printed line, or a missing line, is reported."""
    block = "print(1 + 1)  # 2\nprint('a: b')  # a: b\nprint(True)  # True: because\nprint(3)  # 4\n"
    assert unmet_claims(block, run_block(block)) == [("4", "3")]
    assert unmet_claims("print(1)  # 1\n", "") != []


def test_the_equation_table_names_only_tests_that_exist() -> None:
    """Every test file and test function that docs/networks.md names as a proof exists in tests/."""
    table = section(text(DOCS / "networks.md"), "The equations and the tests that check them")
    sources = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("test_*.py")}
    files = set(re.findall(r"\b(test_\w+\.py)\b", table))
    functions = set(re.findall(r"\b(test_\w+)\b(?!\.py)", table))
    assert len(functions) >= 10 and files
    assert sorted(files - set(sources)) == []
    defined = {name for source in sources.values() for name in re.findall(r"^def (test_\w+)", source, re.M)}
    assert sorted(functions - defined) == []
