"""The docs stay true: their examples run, and what they list matches the code.

- every fenced ``python`` block of README.md and docs/**/*.md runs, the blocks of one page
  in order in one namespace, in a folder holding the files they name, against a loopback
  server answering with HAND-WRITTEN responses (``tests/doubles/loopback.py``); a block
  marked ``<!-- docs-test: compile-only (why) -->`` is compiled and its imports resolved;
- the command-line page names every command and option the program has;
- the errors page draws the real inheritance tree of ``summarizer.errors``;
- CONTRIBUTING.md's module tree names every module file under summarizer/, and every path
  it names exists.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import importlib.util
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

import summarizer.errors

from .conftest import ROOT, SEED
from .doubles.loopback import BatchLLM
from .doubles.responses import completion

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
COMPILE_ONLY = re.compile(r"<!--\s*docs-test:\s*compile-only\s*\((?P<why>[^)]+)\)\s*-->")
FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    code: str
    compile_only: str | None  # why, for a block that cannot run here

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def python_blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            marked = COMPILE_ONLY.search(before)
            found.append(Block(page, i + 1, "\n".join(lines[i + 1 : end]) + "\n", marked and marked["why"]))
            i = end
        i += 1
    return found


PAGES_WITH_CODE = [p for p in PAGES if python_blocks(p)]


# -- the folder the examples run in ---------------------------------------------------------

# HAND-WRITTEN answers for the docs' own response models (every other request gets the seed summary).
OWN_MODELS: dict[str, dict[str, Any]] = {
    "Casualties": {"quote": "as many as 40,000 Ukrainian civilians", "killed_or_wounded": 40000},
}


class DocsLLM(BatchLLM):
    """``BatchLLM``, answering a request for one of the docs' own response models with its hand-written answer."""

    def _handle(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        name = (body.get("tool_choice") or {}).get("function", {}).get("name")
        if name in OWN_MODELS:
            self.articles.append(body["messages"][1]["content"])
            answer = completion(arguments=OWN_MODELS[name], name=name)
            return Response(json.dumps(answer), content_type="application/json")
        return super()._handle(request)



def _page_html(text: str) -> str:
    title, _, body = text.partition("\n")
    paragraphs = "".join(f"<p>{p}</p>\n" for p in body.split("\n\n") if p.strip())
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>AP</title>'
        f'<meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2022-11-10T12:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{paragraphs}</article>"
        "<footer>© 2026</footer></body></html>"
    )


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threaded_server: Any) -> DocsLLM:
    """A folder with the files the examples name, and the environment pointing at a loopback server."""
    from summarizer import Summarizer, summarize_many

    from .test_ledger import brennik, records_file

    llm = DocsLLM(threaded_server)
    monkeypatch.setenv("OPENAI_BASE_URL", llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "loopback-placeholder")
    monkeypatch.setenv("SUMMARIZER_MODEL", "loopback-model")
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").symlink_to(ROOT / "seeds", target_is_directory=True)
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "articles").mkdir()
    for name in ("one", "two", "three"):
        (tmp_path / "articles" / f"{name}.txt").write_text(f"{text}\n{name}\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(_page_html(text), encoding="utf-8")
    with Summarizer() as summ:  # the answer `summarizer summarize ... --format json --out seed.json` writes
        (tmp_path / "seed.json").write_text(summ.summarize(text, published="2022-11-10").model_dump_json(), "utf-8")
    summarize_many([SEED], output=tmp_path / "run.jsonl", cache=False)
    summaries = brennik()
    half = len(summaries) // 2
    records_file(summaries[:half], tmp_path / "monday.jsonl")
    records_file(summaries[half:], tmp_path / "tuesday.jsonl")
    return llm


# -- the examples run -------------------------------------------------------------------------


def _resolve_imports(block: Block) -> None:
    """Every ``from M import N`` of the block names something real (M importable here, N in it)."""
    tree = compile(block.code, block.name, "exec", flags=FLAGS | ast.PyCF_ONLY_AST)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top != "summarizer" and importlib.util.find_spec(top) is None:
                continue  # not installed here (vLLM): compiling is all that can be checked
            module = importlib.import_module(node.module)
            missing = [a.name for a in node.names if not hasattr(module, a.name)]
            assert not missing, f"{block.name}: {node.module} has no {missing}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "summarizer":
                    importlib.import_module(alias.name)


def _run(block: Block, namespace: dict[str, Any]) -> None:
    code = compile(block.code, block.name, "exec", flags=FLAGS)
    shell = None
    if "IPython" in block.code:  # display handles need a shell, as in a notebook
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
    try:
        done = eval(code, namespace)  # a block with a top-level `await` gives a coroutine
        if inspect.iscoroutine(done):
            asyncio.run(done)
    finally:
        if shell is not None:
            type(shell).clear_instance()


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=[str(p.relative_to(ROOT)) for p in PAGES_WITH_CODE])
def test_every_python_example_runs(page: Path, workspace: DocsLLM) -> None:
    namespace: dict[str, Any] = {"__name__": "__main__"}  # as a script runs: guarded examples (processes=) run too
    for block in python_blocks(page):
        _resolve_imports(block)
        if block.compile_only is None:
            _run(block, namespace)


def test_few_blocks_are_compile_only() -> None:
    marked = [b.name for p in PAGES for b in python_blocks(p) if b.compile_only]
    assert len(marked) <= 4, marked


def test_the_readme_stays_short_and_keeps_its_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 160
    assert '```sh\npip install -e ".[dev,local]" && pytest\n```' in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith('pip install -e ".[dev,local]" && pytest')  # CI runs the README's command
    assert "## Architecture" in readme and "CONTRIBUTING.md" in readme


# -- the reference pages match the code -----------------------------------------------------


def _commands() -> list[tuple[str, Any]]:
    import typer.main

    from summarizer.cli import app

    found = []

    def walk(command: Any, path: str) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "summarizer")
    return found


def test_the_cli_page_names_every_command_and_option() -> None:
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `([^`]+)`\n(.*?)(?=^## |\Z)", page, re.M | re.S))
    for path, command in _commands():
        if getattr(command, "commands", None) and path != "summarizer":
            continue  # a group: its commands have their own sections
        assert path in sections, f"docs/reference/cli.md has no section for {path}"
        for param in command.params:
            names = [*param.opts, *param.secondary_opts] if param.param_type_name == "option" else [param.name.upper()]
            for name in names:
                assert f"`{name}" in sections[path], f"{path}: {name} is not on docs/reference/cli.md"


def test_the_errors_page_draws_the_real_tree() -> None:
    page = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    tree = page.split("```text\n", 1)[1].split("```", 1)[0]
    drawn: dict[str, str | None] = {}
    parents: list[str] = []
    for line in tree.splitlines():
        found = re.search(r"[A-Za-z]", line)
        if not found:
            continue
        depth, name = found.start() // 4, re.match(r"\w+", line[found.start() :])
        assert name is not None
        parents[depth:] = [name.group(0)]
        drawn[name.group(0)] = parents[depth - 1] if depth else None
    classes = {
        name: cls for name, cls in vars(summarizer.errors).items()
        if inspect.isclass(cls) and issubclass(cls, BaseException) and cls.__module__ == "summarizer.errors"
        and not name.startswith("_")
    }
    assert set(drawn) == set(classes)
    for name, cls in classes.items():
        ours = [b.__name__ for b in cls.__bases__ if b.__name__ in classes]
        assert drawn[name] == (ours[0] if ours else None), f"{name} is drawn under {drawn[name]}, not {ours}"


# -- CONTRIBUTING.md's tree of the package --------------------------------------------------


def _named_in_tree() -> set[str]:
    """Paths under summarizer/ that CONTRIBUTING.md's tree names: one entry a line, two spaces a level."""
    text = CONTRIBUTING.read_text(encoding="utf-8")
    tree = text.split("```text\nsummarizer/\n", 1)[1].split("```", 1)[0]
    named: set[str] = set()
    folders: list[str] = []
    for line in tree.splitlines():
        entry = re.match(r"( +)(\S+)(?:  |$)", line)
        if entry is None:
            continue
        depth = len(entry.group(1)) // 2 - 1
        folders[depth:] = [entry.group(2).rstrip("/")]
        named.add("/".join(folders))
    return named


def test_contributing_names_every_module_of_the_package() -> None:
    named = _named_in_tree()
    modules = {str(p.relative_to(ROOT / "summarizer")) for p in (ROOT / "summarizer").rglob("*.py")}
    ignored = {m for m in modules if m.endswith("__init__.py") or m in ("__main__.py", "_version.py")}
    missing = sorted(modules - ignored - named)
    assert not missing, f"CONTRIBUTING.md's tree does not name {missing}"


def test_every_path_contributing_names_exists() -> None:
    gone = sorted(p for p in _named_in_tree() if not (ROOT / "summarizer" / p).exists())
    assert not gone, f"CONTRIBUTING.md's tree names {gone}, which are not in summarizer/"
    text = CONTRIBUTING.read_text(encoding="utf-8")
    for path in re.findall(r"`((?:tests|benchmarks|examples|seeds|docs|prompts)/[\w./-]+)`", text):
        if "*" not in path:
            assert (ROOT / path).exists(), f"CONTRIBUTING.md names {path}, which does not exist"


def test_the_changelog_keeps_its_format() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in text and "## [Unreleased]" in text
