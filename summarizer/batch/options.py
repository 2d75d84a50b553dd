"""How a batch runs: :class:`BatchOptions` (apart from the :class:`~summarizer.Settings` of each call) and its progress.

``summarize_many(inputs, concurrency=16, output="out.jsonl", model="gpt-4.1-mini")``
takes both kinds of option in one call: :func:`split_options` tells them apart, the
batch's here, every other one a setting of the ``Summarizer`` the batch makes.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from ..budget import Budget
from ..cache import Cache
from ..config import Settings, check_count, check_rate
from ..core import Summarizer
from ..errors import ConfigurationError
from ..inputs import Extract
from .records import BatchResult

__all__ = ["BatchOptions", "Progress", "ProgressCallback", "split_options"]

ProgressCallback = Callable[[int, int, BatchResult], object]


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (the :class:`~summarizer.Settings` say how each article is summarized).

    ``concurrency``: articles in flight at once. ``output``: a JSON Lines file to append
    each result to and resume from. ``cache``: True (the default location), False, a
    directory, or a :class:`~summarizer.Cache`. ``order``: "input" returns results in
    input order, "completed" as they finished (:func:`iter_summaries` always yields as
    they finish). ``progress``: a callback ``(done, total, result)``, True for a rich
    bar on stderr, or None for a bar only when stderr is a terminal. ``rpm``, ``tpm``:
    requests and tokens per minute. ``fsync``: force each output line to disk.
    ``extract``: how HTML files are reduced to text, "visible" (every block a reader
    sees) or "main" (the main text, with the ``[html]`` extra; see :func:`~summarizer.html_to_page`).
    ``max_requests``, ``max_total_tokens``: the run's budget, re-asks and retries
    included (see :mod:`summarizer.budget`); once spent, nothing more is sent and every
    article not done is recorded as a retryable :class:`~summarizer.BudgetExhaustedError`.
    ``processes``: spread the articles over this many worker processes, for when one
    core (parsing and grounding the answers) is the limit, not the endpoint (see
    :mod:`summarizer.batch.pool`); None or 1 runs in this process.
    """

    concurrency: int = 8
    output: str | os.PathLike[str] | None = None
    cache: bool | str | os.PathLike[str] | Cache = True
    order: Literal["input", "completed"] = "input"
    progress: bool | ProgressCallback | None = None
    rpm: float | None = None
    tpm: float | None = None
    fsync: bool = False
    extract: Extract = "visible"
    max_requests: int | None = None
    max_total_tokens: int | None = None
    processes: int | None = None

    def __post_init__(self) -> None:
        check_count("concurrency", self.concurrency, 1)
        Budget(self.max_requests, self.max_total_tokens)  # checks them
        check_rate("rpm", self.rpm)
        check_rate("tpm", self.tpm)
        if self.order not in ("input", "completed"):
            raise ConfigurationError(f'order must be "input" or "completed", not {self.order!r}')
        if self.extract not in get_args(Extract):
            raise ConfigurationError(f'extract must be "visible" or "main", not {self.extract!r}')
        check_count("processes", self.processes, 1, optional=True)
        if (self.processes or 1) > 1 and (self.max_requests is not None or self.max_total_tokens is not None):
            raise ConfigurationError(
                "max_requests and max_total_tokens are counted in one process: a budget cannot be shared by "
                "processes= (run without processes, or without the budget)"
            )


_BATCH_FIELDS = frozenset(f.name for f in dataclasses.fields(BatchOptions))


def split_options(summarizer: Summarizer | None, options: dict[str, Any]) -> tuple[BatchOptions, Summarizer, bool]:
    """Batch options apart from :class:`~summarizer.Settings` fields, the ``Summarizer`` to use, and whether it is ours.

    Without ``summarizer=`` the batch makes its own from the settings fields (and closes it).
    """
    batch = BatchOptions(**{k: v for k, v in options.items() if k in _BATCH_FIELDS})
    rest = {k: v for k, v in options.items() if k not in _BATCH_FIELDS}
    if summarizer is not None:
        if rest:
            raise TypeError(f"pass options to your Summarizer, not with summarizer=: {sorted(rest)}")
        return batch, summarizer, False
    return batch, Summarizer(Settings.of(**rest)), True


class Progress:
    """The ``progress`` option: a callback, a rich bar, or nothing."""

    def __init__(self, progress: bool | ProgressCallback | None, total: int) -> None:
        self._callback = progress if callable(progress) else None
        self._bar: Any = None
        show = progress is True or (progress is None and sys.stderr.isatty())
        if show and total:
            # rich costs 50 ms to import: only for a bar that is shown.
            from rich.console import Console
            from rich.progress import Progress as Bar

            self._bar = Bar(console=Console(stderr=True), transient=False)
            self._task = self._bar.add_task("summarizing", total=total)
            self._bar.start()

    def __call__(self, done: int, total: int, result: BatchResult) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done)
        if self._callback is not None:
            self._callback(done, total, result)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
