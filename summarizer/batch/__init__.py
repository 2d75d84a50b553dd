"""Many articles at once: :func:`summarize_many` and its async twins, batch files and provider batch jobs.

- :mod:`.records`: :class:`BatchResult` and :class:`BatchError`, what a batch yields and writes;
- :mod:`.output`: the JSON Lines file a batch appends to and resumes from;
- :mod:`.ratelimit`: the token buckets behind ``rpm=`` and ``tpm=``;
- :mod:`.runner`: the workers, the cache, progress, and ``summarize_many`` and its twins;
- :mod:`.lines`: the one check of what a batch reads back (results lines, articles files, job files, a
  provider's batch), into typed errors, every outside text redacted;
- :mod:`.files`: Batch API request files written and their answers read back (``batch_prepare``,
  ``batch_ingest``, ``iter_ingest``);
- :mod:`.jobs`: a provider's batch job submitted, watched and collected (``batch_submit``, ``batch_status``,
  ``batch_collect``).
"""

from .files import Prepared, batch_ingest, batch_inputs, batch_prepare, iter_ingest
from .jobs import Collected, Job, batch_collect, batch_status, batch_submit
from .output import read_output
from .records import BatchError, BatchResult
from .runner import BatchOptions, asummarize_many, iter_summaries, summarize_many

__all__ = [
    "BatchError",
    "BatchOptions",
    "BatchResult",
    "Collected",
    "Job",
    "Prepared",
    "asummarize_many",
    "batch_collect",
    "batch_ingest",
    "batch_inputs",
    "batch_prepare",
    "batch_status",
    "batch_submit",
    "iter_ingest",
    "iter_summaries",
    "read_output",
    "summarize_many",
]
