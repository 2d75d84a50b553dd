"""Many articles at once: :func:`summarize_many` and its async twins, their records and output file.

- :mod:`.records`: :class:`BatchResult` and :class:`BatchError`, what a batch yields and writes;
- :mod:`.output`: the JSON Lines file a batch appends to and resumes from;
- :mod:`.ratelimit`: the token buckets behind ``rpm=`` and ``tpm=``;
- :mod:`.runner`: the workers, the cache, progress, and the functions below.
"""

from .output import read_output
from .records import BatchError, BatchResult
from .runner import BatchOptions, asummarize_many, iter_summaries, summarize_many

__all__ = [
    "BatchError",
    "BatchOptions",
    "BatchResult",
    "asummarize_many",
    "iter_summaries",
    "read_output",
    "summarize_many",
]
