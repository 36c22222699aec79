"""企业微信 (WeCom) group robot: the poster as an image message, the digest as Markdown, and the
weekly summary's HTML page as a file message (upload_media, then `file` with its media_id).

The platform, from the group robot guide (developer.work.weixin.qq.com/document/path/91770):
- POST {base}/cgi-bin/webhook/send?key=KEY with {"msgtype": ..., ...}; answer {"errcode", "errmsg"};
- markdown.content at most 4,096 bytes of UTF-8 (the digest is cut to it by deliver/digest.py);
- image: base64 of a JPG or PNG of at most 2 MB before encoding, with the md5 of those bytes;
- file: POST {base}/cgi-bin/webhook/upload_media?key=KEY&type=file, multipart field `media`
  (5 B < size <= 20 MB), answer {"media_id", ...} valid 3 days, then {"msgtype": "file",
  "file": {"media_id": ...}};
- each robot sends at most 20 messages a minute: errcode 45009 ("api freq out of limit").
Codes seen in the field and mapped below: 93000 ("invalid webhook url": the key), 45009,
40058 ("markdown.content exceed max length 4096 ... invalid Request Parameter"), 40009 (invalid
image size), 40006 (invalid file size), 40004 (invalid media type), 40007 (invalid media_id),
40008 (invalid message type), -1 (system busy: retried like the rate limit).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from urllib.parse import quote

from helpers.deliver.channels import image
from helpers.deliver.channels.common import Platform, code_of, megabytes, post_checked, refused, sent, unreachable
from helpers.deliver.digest import Digest
from helpers.deliver.http import Http, HttpError
from helpers.deliver.log import DeliveryError, Sent, now_iso
from helpers.deliver.params import Destination
from helpers.deliver.week import Week

IMAGE_LIMIT = 2 * 1024 * 1024      # bytes before base64
FILE_LIMIT = 20 * 1024 * 1024      # upload_media, type=file
FILE_MIN = 6                       # "5B < size"
RATE_LIMITED = {45009, -1}
MEANINGS = {
    93000: "invalid webhook key: the robot was removed from the group, or the key variable of this "
           "destination holds another key (copy it again from the robot's webhook address)",
    45009: "frequency limit: a WeCom robot takes at most 20 messages a minute",
    40058: "a parameter was refused; most often the Markdown over 4,096 bytes or an empty message",
    40009: "the image was refused for its size (at most 2 MB, JPG or PNG)",
    40006: "the file was refused for its size (more than 5 bytes, at most 20 MB)",
    40004: "the file type was refused",
    40007: "the uploaded file's media_id was refused (it lives 3 days): send again",
    40008: "the message type was refused",
    -1: "WeCom is busy",
}
PLATFORM = Platform("WeCom", MEANINGS, RATE_LIMITED)


def send(dest: Destination, week: Week, digest: Digest, http: Http, kinds: Sequence[str]) -> list[Sent]:
    http.hide(*dest.secrets())
    done: list[Sent] = []
    for kind in kinds:
        if kind == "poster":
            done.append(_poster(dest, week, http, done))
        elif kind == "digest":
            body = {"msgtype": "markdown", "markdown": {"content": digest.text}}
            done.append(_message(dest, http, "digest", body, "Markdown digest", done))
        elif kind == "file":
            done.append(_file(dest, week, http, done))
        else:
            raise DeliveryError(dest.name, f"WeCom has no message {kind!r}", sent=done)
    return done


def _url(dest: Destination, path: str, **query: str) -> str:
    extra = "".join(f"&{name}={quote(value)}" for name, value in query.items())
    return f"{dest.base_url}/cgi-bin/webhook/{path}?key={quote(dest.token or '', safe='')}{extra}"


def _message(dest: Destination, http: Http, kind: str, body: dict, what: str, done: list[Sent],
             detail: str = "") -> Sent:
    answer = post_checked(PLATFORM, dest, http, _url(dest, "send"), body, what, done)
    return sent(kind, answer, detail)


def _skipped(kind: str, why: str) -> Sent:
    return Sent(kind, 0, result="skipped", when=now_iso(), detail=why)


def _poster(dest: Destination, week: Week, http: Http, done: list[Sent]) -> Sent:
    if week.poster is None:
        return _skipped("poster", "the week has no poster (the weekly summary did not run)")
    try:
        fitted = image.fit(week.poster.read_bytes(), IMAGE_LIMIT)
    except (OSError, image.TooLarge) as exc:
        raise DeliveryError(dest.name, f"the poster could not be sent: {exc}", sent=done,
                            secrets=dest.secrets()) from None
    detail = ("" if fitted.format == "png" else
              f"re-encoded {megabytes(fitted.original_size)} PNG -> {megabytes(len(fitted.data))} JPEG")
    body = {"msgtype": "image", "image": {"base64": base64.b64encode(fitted.data).decode("ascii"),
                                          "md5": hashlib.md5(fitted.data).hexdigest()}}
    return _message(dest, http, "poster", body, "poster image", done, detail)


def _file(dest: Destination, week: Week, http: Http, done: list[Sent]) -> Sent:
    if week.summary_html is None:
        return _skipped("file", "the week has no weekly summary page (the report did not run)")
    try:
        content = week.summary_html.read_bytes()
    except OSError as exc:
        raise DeliveryError(dest.name, f"the weekly summary page could not be read: {type(exc).__name__}",
                            sent=done) from None
    if not FILE_MIN <= len(content) <= FILE_LIMIT:
        raise DeliveryError(dest.name, f"the weekly summary page is {megabytes(len(content))}: WeCom takes "
                            "files of 6 bytes to 20 MB (drop `file` from its messages)", sent=done)
    what = "weekly summary file upload"
    try:
        answer = http.post_file(_url(dest, "upload_media", type="file"), "media", f"{week.period.label}_"
                                f"{week.summary_html.name}", content, what=f"{dest.name} ({what})",
                                secrets=dest.secrets(), limited=PLATFORM.limited, timeout=dest.timeout)
    except HttpError as exc:
        raise unreachable(dest, what, exc, done) from None
    code, media_id = code_of(answer.body, "errcode"), answer.body.get("media_id")
    if code or not isinstance(media_id, str) or not media_id:
        raise refused(dest, "WeCom", what, code or -2, answer.body.get("errmsg") or "no media_id in the answer",
                      {**MEANINGS, -2: "the upload gave no media_id"}, done,
                      limited=answer.limited, attempts=answer.attempts)
    body = {"msgtype": "file", "file": {"media_id": media_id}}
    return _message(dest, http, "file", body, "weekly summary file", done,
                    detail=f"{week.summary_html.name}, {megabytes(len(content))} uploaded")
