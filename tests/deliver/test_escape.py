"""Data text is inert in every format: no mention, link, image, tag or block can be injected, and
what is shown reads as what was written (full-width forms fold back under NFKC)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from helpers.deliver.escape import dingtalk_markdown, email_html, lark_md, one_line, plain, wecom_markdown

HOSTILE = [
    "<@all>", '<at user_id="all"></at>', "<at id=all></at>", "@all", "@所有人 please",
    "[奖品](https://evil.example/x)", "![img](https://evil.example/i.png)", "<font color=\"warning\">x</font>",
    "**bold** `code` ~~strike~~", "line one\n# heading\n> quote\n- item", "&lt;@all&gt;", "\x00\x1b[31mred",
]
ROBOTS = [wecom_markdown, dingtalk_markdown, lark_md]
LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")


@pytest.mark.parametrize("escape", ROBOTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", HOSTILE)
def test_robot_markdown_cannot_be_injected(escape, text):
    out = escape(text)
    assert not any(c in out for c in "<>[]`*~&@\n\r\x00\x1b"), out
    assert not LINK.search(out)
    assert out[:1] not in "#>-+=|"
    # what a reader sees is what was written: the full-width forms fold back to the ASCII signs
    assert unicodedata.normalize("NFKC", out) == unicodedata.normalize("NFKC", one_line(text))


@pytest.mark.parametrize("escape", ROBOTS, ids=lambda f: f.__name__)
def test_ordinary_text_is_unchanged(escape):
    for text in ("成交额（GMV）¥17.7万，周环比 -9.8%", "Paid orders 2,039 (within 1,900–2,300)", "用户 A_B 的 5% 增长"):
        assert escape(text) == text


def test_a_line_of_data_text_cannot_open_a_block_but_keeps_its_dashes_inside():
    assert wecom_markdown("# 标题").startswith(chr(0xFF03))
    assert wecom_markdown("- 列表").startswith(chr(0xFF0D))
    assert wecom_markdown("A - B") == "A - B"


def test_email_html_escapes_tags_and_quotes():
    assert email_html('<script>alert("x")</script> & \'y\'') == \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;y&#x27;"
    assert email_html("a\nb") == "a b"


def test_plain_text_is_one_line_without_control_characters():
    assert plain("a\r\nb\tc\x07") == "a b c"
