"""Pure text functions: slugs, Markdown → safe HTML, [[wiki links]].

Nothing here imports Flask or the models; everything takes and returns plain data.
"""

from wissen.text.markdown import LinkTarget, plain_text, render, render_with_toc
from wissen.text.slugs import is_valid_slug, slugify
from wissen.text.wikilinks import find_wikilinks, rewrite_wikilinks

__all__ = [
    "LinkTarget",
    "find_wikilinks",
    "is_valid_slug",
    "plain_text",
    "render",
    "render_with_toc",
    "rewrite_wikilinks",
    "slugify",
]
