"""Data text made inert in each message format: one function per format.

Data text is whatever comes from the data or the reports (titles, findings, alert lines, reasons,
names): a merchant called `<@all>`, `<at user_id="all"></at>`, `@all` or `[奖品](https://x)` must
reach the chat as those characters, never as a mention, a link or an image.

The robots' Markdown dialects do not agree on escapes (WeCom's and DingTalk's document none; a
backslash or an HTML entity may be shown as typed), so the characters that open a tag, a mention,
a link, an image, code or emphasis are replaced by their full-width forms, which Chinese text uses
anyway and every client shows as the same sign: < > [ ] ` * ~ & @; line breaks become spaces and
a sign that would open a block at the start of a line (# > - + = |) is made full-width too, so
data text cannot start a heading, a quote or a list. Email HTML is HTML-escaped.
Text written by the program (the catalog's words, numbers) goes through the same function, so a
message is escaped as a whole, and links are added by the digest around escaped text only.
"""

from __future__ import annotations

import html
import re

# ASCII sign -> its full-width form (U+FF01..U+FF5E are ASCII 0x21..0x7E shifted by 0xFEE0).
_FULL_WIDTH = 0xFEE0
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_SPACE = re.compile(r"\s+")


def _table(signs: str) -> dict[int, int]:
    return {ord(c): ord(c) + _FULL_WIDTH for c in signs}


# WeCom markdown: <font color>, <@userid> mentions, [text](url) links, `code`, **bold**, > quotes.
_WECOM = _table("<>[]`*~&@")
# DingTalk markdown: links, ![images](url), headings, quotes, lists, emphasis, @mobile mentions.
_DINGTALK = _table("<>[]`*~&@")
# Feishu lark_md: <at id=all></at> / <at user_id="all"></at>, <font>, [links](url), *emphasis*, ~~strike~~.
_LARK = _table("<>[]`*~&@")
_BLOCK = _table("#>-+=|")  # only as the first sign of a line


def one_line(text: object) -> str:
    """The text on one line: control characters dropped, line breaks and runs of spaces made one space."""
    return _SPACE.sub(" ", _CONTROL.sub("", str(text))).strip()


def _markdown(text: object, table: dict[int, int]) -> str:
    line = one_line(text).translate(table)
    return line[:1].translate(_BLOCK) + line[1:]


def wecom_markdown(text: object) -> str:
    """Data text inside a WeCom robot markdown message."""
    return _markdown(text, _WECOM)


def dingtalk_markdown(text: object) -> str:
    """Data text inside a DingTalk robot markdown message."""
    return _markdown(text, _DINGTALK)


def lark_md(text: object) -> str:
    """Data text inside a Feishu card's lark_md element."""
    return _markdown(text, _LARK)


def email_html(text: object) -> str:
    """Data text inside the email's HTML body (quotes escaped too: safe in attributes)."""
    return html.escape(one_line(text), quote=True)


def plain(text: object) -> str:
    """Data text in the email's plain-text body and subject: one line, nothing to escape."""
    return one_line(text)


ESCAPE = {"wecom": wecom_markdown, "dingtalk": dingtalk_markdown, "feishu": lark_md, "email": email_html}
