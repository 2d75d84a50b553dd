"""Versioned prompt templates, and the one place where article text meets a prompt.

Templates are files in ``prompts/`` (inside the wheel as ``summarizer/prompts``),
named ``<version>.system.txt`` and ``<version>.user.txt``. Their version and a hash
of their bytes go into every result's provenance, so a changed prompt is visible.

The article is inserted with :class:`string.Template`, whose substituted values are
never parsed again: ``{{ }}``, ``{% %}`` or ``$name`` in an article reach the model
verbatim. The article sits between markers that embed the text's own hash, which the
text cannot contain, so it cannot close its own delimiter.

Each evidence mode has its prompt (:data:`PROMPTS`): a cited mode's template shows
``$numbered_article`` (the sentences numbered) instead of ``$article``, and
``$names`` (the names it gives, which actors cite), and ``$numbers`` (the numbers the
library found) for ``"sentence+numbers"``; see
:mod:`summarizer.grounding.cite`.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.resources.abc is new in Python 3.11
    from importlib.abc import Traversable

from .errors import ConfigurationError

__all__ = ["DEFAULT_PROMPT_VERSION", "PROMPTS", "Prompt", "load_prompt"]

DEFAULT_PROMPT_VERSION = "summarize-v1"
PROMPTS = {"quote": DEFAULT_PROMPT_VERSION, "sentence": "cite-v2", "sentence+numbers": "cite-numbers-v2"}
"""The prompt of each evidence mode, used unless a ``prompt_version`` is given."""
_NEEDS = {
    "quote": ("article",),
    "sentence": ("numbered_article", "names"),
    "sentence+numbers": ("numbered_article", "names", "numbers"),
}


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user_template: str
    sha256: str

    def uses(self, name: str) -> bool:
        """Whether the user template has the placeholder ``$name``."""
        return f"${name}" in self.user_template or f"${{{name}}}" in self.user_template

    def check_evidence(self, evidence: str) -> None:
        """Raise :class:`ConfigurationError` unless this template shows what ``evidence`` needs (and only that)."""
        needed = _NEEDS[evidence]
        missing = [f"${n}" for n in needed if not self.uses(n)]
        extra = [f"${n}" for names in _NEEDS.values() for n in names if n not in needed and self.uses(n)]
        if missing or extra:
            wrong = "; ".join(
                ([f"lacks {', '.join(missing)}"] if missing else []) + ([f"has {', '.join(sorted(set(extra)))}"] if extra else [])
            )
            raise ConfigurationError(
                f"prompt {self.version!r} does not fit evidence={evidence!r}: its user template {wrong} "
                f"(the prompt for that mode is {PROMPTS[evidence]!r})"
            )

    def messages(self, text: str, text_sha256: str, **values: str) -> list[dict[str, str]]:
        """A fresh message list for one request (callers and re-asks may append to it).

        ``values`` fill a cited template's other placeholders (``numbered_article``, ``names``, ``numbers``).
        """
        user = Template(self.user_template).substitute(values, article=text, marker=text_sha256[:16])
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": user},
        ]


def _prompt_dir() -> Traversable:
    # Installed from a wheel, the templates are package data. In a source checkout
    # (including an editable install) they are the repository's top-level prompts/.
    packaged = resources.files("summarizer") / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "prompts"


@functools.lru_cache(maxsize=8)
def load_prompt(version: str = DEFAULT_PROMPT_VERSION) -> Prompt:
    """Load a prompt version; raises :class:`ConfigurationError` if it does not exist."""
    folder = _prompt_dir()
    system_file = folder / f"{version}.system.txt"
    user_file = folder / f"{version}.user.txt"
    if not (system_file.is_file() and user_file.is_file()):
        raise ConfigurationError(
            f"prompt version {version!r} not found: expected {version}.system.txt and "
            f"{version}.user.txt in {folder}"
        )
    system = system_file.read_bytes()
    user = user_file.read_bytes()
    digest = hashlib.sha256(system + b"\0" + user).hexdigest()
    return Prompt(
        version=version,
        system=system.decode("utf-8").strip(),
        user_template=user.decode("utf-8"),
        sha256=digest,
    )
