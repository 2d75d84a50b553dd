"""The articles named on the command line: files, folders of them, or ``-`` for standard input, read before anything is sent.

Every input that cannot be read is said (all of them, one line each), then the command
ends with :data:`~summarizer.cli.messages.EXIT_USAGE`: nothing is sent for a command
that named a wrong file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from .. import errors
from ..inputs import MAX_FILE_BYTES, Page, decode_page, read_page
from ..schema import Extract
from .messages import EXIT_USAGE, described, exit_with_error, say

__all__ = ["ARTICLE_SUFFIXES", "Article", "read_articles"]

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
"""What a folder given as input expands to (its own files, not sub-folders), sorted by name.

Not ``.md``: a folder's README is rarely an article. Name other files explicitly."""


@dataclass
class Article:
    """One input, read."""

    id: str  # as given on the command line ("<stdin>" for -)
    stem: str  # the base of a report's file name
    page: Page  # the text summarized, and what an HTML file's markup declares

    @property
    def text(self) -> str:
        return self.page.text


def _expand(paths: list[str]) -> list[str]:
    expanded: list[str] = []
    for raw in paths:
        if not raw:  # Path("") is the current folder: never what an empty argument meant
            exit_with_error("an empty path was given: name an article file, a folder, or - for standard input")
        path = Path(raw)
        try:
            found = sorted(
                str(p) for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
            ) if raw != "-" and path.is_dir() else None
        except OSError as exc:  # a folder that cannot be searched, a name too long
            exit_with_error(f"{raw}: cannot be read ({exc.strerror or exc})")
        if found is not None:
            if not found:
                exit_with_error(f"{raw}: no article files in this folder (looked for {', '.join(ARTICLE_SUFFIXES)})")
            expanded += found
        else:
            expanded.append(raw)
    return expanded


def read_articles(paths: list[str], extract: Extract) -> list[Article]:
    """Every input's text, or every reason one cannot be read (all of them, then exit 2)."""
    articles: list[Article] = []
    problems: list[str] = []
    stdin_used = False
    for raw in _expand(paths):
        try:
            if raw == "-":
                if stdin_used:
                    problems.append("-: standard input can be read once; give - only once")
                    continue
                stdin_used = True
                if sys.stdin is None:
                    problems.append("-: there is no standard input to read")
                    continue
                # Bounded as a file is: `- < /dev/zero` never ends.
                data = (sys.stdin.buffer.read(MAX_FILE_BYTES + 1) if hasattr(sys.stdin, "buffer")
                        else sys.stdin.read(MAX_FILE_BYTES + 1).encode())
                if len(data) > MAX_FILE_BYTES:
                    problems.append(f"-: standard input holds more than the {MAX_FILE_BYTES:,} bytes allowed")
                    continue
                page = decode_page(data, name="standard input", extract=extract)
                articles.append(Article("<stdin>", "stdin", page))
            else:
                articles.append(Article(raw, Path(raw).stem or "article", read_page(raw, extract=extract)))
        except errors.InputError as exc:
            problems.append(str(exc))
        except errors.ConfigurationError as exc:  # --extract main without its extra
            exit_with_error(described(exc))
    for problem in problems:
        say(problem)
    if problems:
        raise typer.Exit(EXIT_USAGE)
    return articles
