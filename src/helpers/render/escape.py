"""The one way text reaches a report page: HTML-escaped, never interpreted.

Every heading, paragraph, finding, note, list and table of a report, and the index page, is built
with `escape` (tables through pandas' Styler with `escape="html"`): text from the data (a campaign
named `<script>…`, `**bold**`, `![x](http://…)`) shows exactly as typed. Report prose is never
Markdown; emphasis is structure (`Strong`), not markup in the catalog.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from helpers.render.text import Text


@dataclass(frozen=True)
class Strong:
    """Text shown in bold, e.g. the campaign name leading its note, or a formula."""

    text: str
    tag: ClassVar[str] = "strong"


@dataclass(frozen=True)
class Code(Strong):
    """Text shown as code, e.g. an example of a parameter's value."""

    tag: ClassVar[str] = "code"


Inline = str | Strong
Phrase = Inline | Sequence[Inline]  # a paragraph or list item: plain and marked runs, in order


def escape(text: object) -> str:
    """HTML that shows exactly `text` (quotes too, so the result is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def phrase(content: Phrase) -> str:
    """Plain and marked runs as HTML, each escaped."""
    parts = [content] if isinstance(content, (str, Strong)) else content
    return "".join(f"<{r.tag}>{escape(r.text)}</{r.tag}>" if isinstance(r, Strong) else escape(r)
                   for r in parts)


def runs(tx: Text, key: str, **values: Any) -> list[Inline]:
    """The catalog sentence `key` as runs: a value given as `Strong(...)` or `Code(...)` keeps its
    emphasis, so the catalog holds whole sentences without markup and emphasis stays structure.

        runs(tx, "ce_scorecard_note", name=Strong(name), text=text)  # -> [Strong(name), ": ..."]
    """
    marked = {n: v for n, v in values.items() if isinstance(v, Strong)}
    token = secrets.token_hex(8)  # data text cannot forge a marker
    slots = {n: f"\x00{token}{i}\x00" for i, n in enumerate(marked)}
    parts = re.split(f"\x00{token}(\\d+)\x00", tx(key, **(values | slots)))
    chosen = list(marked.values())
    return [chosen[int(p)] if i % 2 else p for i, p in enumerate(parts) if p]


def element(tag: str, content: Phrase, css: str = "") -> str:
    """`<tag class="css">content</tag>`, the content escaped (`tag` and `css` are the code's own)."""
    attribute = f' class="{escape(css)}"' if css else ""
    return f"<{tag}{attribute}>{phrase(content)}</{tag}>"


def bullet_list(items: Sequence[Phrase], css: str = "") -> str:
    """A list, each item escaped."""
    attribute = f' class="{escape(css)}"' if css else ""
    return f"<ul{attribute}>{''.join(element('li', item) for item in items)}</ul>"


def heading(level: int, text: str, anchor: str) -> str:
    """A section heading with a stable id (the contents link to it) and a hidden "¶" self-link."""
    target = escape(anchor)
    return (f'<h{level} id="{target}">{escape(text)}'
            f'<a class="anchor-link" href="#{target}">¶</a></h{level}>')
