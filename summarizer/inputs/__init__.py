"""Article files and bytes as the text that is summarized, and the check of a text before it is sent.

Spans are offsets into the text that was summarized, so whatever turns a file into text
hands that exact text back (:func:`read_article`, :func:`decode_article`, and their
:class:`Page` twins). :mod:`.decoding` reads files and decodes bytes (binary data
refused); :mod:`.html` reduces an HTML page to its text and reads what its markup
declares; :mod:`.visibility` judges what that markup hides from a reader.
"""

from .decoding import MAX_FILE_BYTES, check_text, decode_article, decode_page, read_article, read_page
from .html import Extract, Page, html_to_page, html_to_text

__all__ = [
    "MAX_FILE_BYTES",
    "Extract",
    "Page",
    "check_text",
    "decode_article",
    "decode_page",
    "html_to_page",
    "html_to_text",
    "read_article",
    "read_page",
]
