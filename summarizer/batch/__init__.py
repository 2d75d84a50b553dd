"""Many articles at once: :func:`summarize_many` and its async twins, batch files and provider batch jobs.

- :mod:`.records`: :class:`BatchResult`, what a batch yields and writes (a failure is a
  :class:`~summarizer.errors.BatchError`, which lives with the errors);
- :mod:`.items`: what a batch takes, an input read as one article;
- :mod:`.options`: :class:`BatchOptions`, told apart from the settings, and the progress bar;
- :mod:`.output`: the JSON Lines file a batch appends to and resumes from;
- :mod:`.ratelimit`: the token buckets behind ``rpm=`` and ``tpm=``;
- :mod:`.runner`: one run, each article through resume, the cache, the rate limits and the budget;
- :mod:`.many`: ``summarize_many`` and its twins, in this process or over :mod:`.pool` (``processes=``);
- :mod:`.lines` and :mod:`.job_lines`: the one check of what a batch reads back (results lines, articles
  files, job files, a provider's batch), into typed errors, every outside text redacted;
- :mod:`.files`: the format of Batch API request files and the articles file beside them;
  :mod:`.prepare` writes them (``batch_prepare``), :mod:`.ingest` reads their answers back
  (``batch_ingest``, ``iter_ingest``);
- :mod:`.jobs`: a provider's batch job submitted, watched and collected (``batch_submit``, ``batch_status``,
  ``batch_collect``).
"""

from ..errors import BatchError
from .files import batch_inputs
from .ingest import batch_ingest, iter_ingest
from .jobs import Collected, Job, batch_collect, batch_status, batch_submit
from .many import asummarize_many, iter_summaries, summarize_many
from .options import BatchOptions
from .output import read_output
from .prepare import Prepared, batch_prepare
from .records import BatchResult

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
