"""The layout the README's "Architecture" section and CONTRIBUTING.md promise, checked on the source itself.

- every public name is importable from ``summarizer`` and has an entry in the docs' reference
  (``::: summarizer.NAME`` under docs/reference/), and what the README and the docs import is public;
- every exception class is defined in ``summarizer/errors.py``;
- no module imports another module's underscored name;
- instructor is used through its public API only (``instructor``, ``instructor.core``);
- a module imports only from its own layer or the layers below it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import summarizer

from .conftest import ROOT

PACKAGE = ROOT / "summarizer"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The README and every page of the docs site; the reference pages render the public names' docstrings.
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md")))
REFERENCE = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "reference").rglob("*.md")))
# Modules a user may import from directly (docs/reference/index.md); everything else is reached through summarizer.
PUBLIC_MODULES = {"summarizer.grounding", "summarizer.chunking", "summarizer.evaluation", "summarizer.batch",
                  "summarizer.ray", "summarizer.report", "summarizer.config"}

# Bottom up. A module may import from its own layer and from those below it.
LAYERS: list[tuple[str, ...]] = [
    ("summarizer.errors", "summarizer._version"),
    ("summarizer.schema", "summarizer.text", "summarizer.files", "summarizer.sentences", "summarizer.prompts", "summarizer.dates",
     "summarizer.inputs", "summarizer.audit"),
    ("summarizer.results",),
    ("summarizer.config", "summarizer.budget"),
    ("summarizer.grounding",),
    ("summarizer.transport", "summarizer.progress"),
    ("summarizer.chunking",),
    ("summarizer.core",),
    ("summarizer.cache",),
    ("summarizer.batch",),
    ("summarizer.report",),
    ("summarizer.across",),
    ("summarizer.evaluation",),
    ("summarizer.ray",),
    ("summarizer.cli", "summarizer.__main__", "summarizer"),
]
# The one import that goes up, documented in schema.py: a summary shows itself in Jupyter.
LATE_IMPORTS = {("summarizer.schema", "summarizer.report")}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def _is_module(dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] != "summarizer":
        return False
    where = ROOT.joinpath(*parts)
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken) for every import that runs, resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    typing_only = {  # imports under `if TYPE_CHECKING:` are for annotations and never run
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    out = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = [alias.name for alias in node.names]
            submodules = [n for n in names if _is_module(f"{module}.{n}")]
            out += [(f"{module}.{n}", []) for n in submodules]
            if len(submodules) < len(names):
                out.append((module, [n for n in names if n not in submodules]))
        elif isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
    return out


def _layer(module: str) -> int:
    best = -1
    for i, members in enumerate(LAYERS):
        for member in members:
            if module == member or (member != "summarizer" and module.startswith(member + ".")):
                best = i
    if best < 0 and module == "summarizer":
        return len(LAYERS) - 1
    return best


def test_every_public_name_is_importable_and_documented():
    directives = re.findall(r"^::: summarizer\.(\S+)", REFERENCE, re.M)
    members = {
        name
        for listed in re.findall(r"^::: summarizer\.\S+\n(?:[ \t]+.*\n)*?[ \t]+members:\s*\[([^\]]*)\]", REFERENCE, re.M)
        for name in re.findall(r"\w+", listed)
    }
    assert set(directives) <= set(summarizer.__all__), "a reference entry names what summarizer does not export"
    undocumented = []
    for name in summarizer.__all__:
        assert hasattr(summarizer, name), f"summarizer.{name} is in __all__ but not importable"
        if name not in directives and name not in members:
            undocumented.append(name)
    assert not undocumented, f"in summarizer.__all__ but with no entry under docs/reference/: {undocumented}"
    assert sorted(summarizer.__all__) == sorted(set(summarizer.__all__))


def test_what_the_readme_imports_from_summarizer_is_public():
    imported: dict[str, set[str]] = {}
    for module, group in re.findall(r"from (summarizer(?:\.\w+)*) import (\([^)]*\)|[\w, ]+)", DOCS):
        imported.setdefault(module, set()).update(n.strip() for n in group.strip("()").split(",") if n.strip())
    assert imported.get("summarizer"), "neither the README nor the docs show an import"
    assert imported["summarizer"] <= set(summarizer.__all__), imported["summarizer"] - set(summarizer.__all__)
    for module, names in imported.items():
        if module != "summarizer":
            assert module in PUBLIC_MODULES, f"the docs import from {module}, which is not a public module"
            assert not [n for n in names if n.startswith("_")], f"the docs import private names from {module}"
            assert all(hasattr(importlib.import_module(module), n) for n in names), (module, names)


def test_every_exception_class_is_in_errors_py():
    elsewhere = []
    for info in pkgutil.walk_packages(summarizer.__path__, "summarizer."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == info.name and info.name != "summarizer.errors":
                elsewhere.append(f"{info.name}.{cls.__name__}")
    assert not elsewhere


@pytest.mark.parametrize(("name", "path"), _modules(), ids=[n for n, _ in _modules()])
def test_no_module_imports_another_modules_private_name(name, path):
    for module, names in _imports(name, path):
        if module.startswith("summarizer") and module != name:
            private = [n for n in names if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))]
            assert not private, f"{name} imports {private} from {module}"


@pytest.mark.parametrize(("name", "path"), _modules(), ids=[n for n, _ in _modules()])
def test_instructor_is_used_through_its_public_api_only(name, path):
    for module, _ in _imports(name, path):
        if module.split(".")[0] == "instructor":
            assert module in ("instructor", "instructor.core"), f"{name} imports {module}"
    assert "instructor.v2" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "path"), _modules(), ids=[n for n, _ in _modules()])
def test_imports_go_down_the_layers(name, path):
    mine = _layer(name)
    assert mine >= 0, f"{name} is in no layer: add it to LAYERS and to the README's Architecture"
    for module, _ in _imports(name, path):
        if not module.startswith("summarizer") or (name, module) in LATE_IMPORTS:
            continue
        theirs = _layer(module)
        assert theirs <= mine, f"{name} (layer {mine}) imports {module} (layer {theirs})"


def test_the_late_import_is_the_documented_one():
    uses = {(n, m) for n, p in _modules() for m, _ in _imports(n, p) if (n, m) in LATE_IMPORTS}
    assert uses == LATE_IMPORTS  # still needed: otherwise drop it from LATE_IMPORTS
