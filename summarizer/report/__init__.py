"""Reports a person can check: every item shown in the article it came from.

:func:`render_markdown` (:mod:`.markdown`) gives tables, for a terminal, a pull
request or a notebook; :func:`render_html` (:mod:`.html`) one self-contained page,
its style and script the package files ``report.css`` and ``report.js``. What both
show is decided once, in :mod:`.common`.
"""

from .common import HTML_MARK, MARKDOWN_MARK
from .html import render_html, render_html_fragment
from .markdown import render_markdown

__all__ = ["HTML_MARK", "MARKDOWN_MARK", "render_html", "render_html_fragment", "render_markdown"]
