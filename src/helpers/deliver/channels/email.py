"""Email over SMTP: the digest as text and HTML, the poster inline in the HTML (multipart/related,
Content-ID <poster>), and the week's report pages attached, or linked when report_url_base is set
(then the digest links them and nothing is attached).

Security: `starttls` (submission port 587: the connection is upgraded before login), `ssl` (port
465: TLS from the first byte), or `none` (plain SMTP: for a relay on the same machine or network
that needs no login, and for the tests' server on 127.0.0.1; a password is never sent over it).
Certificates are checked against the system's authorities (ssl.create_default_context).

Connection problems (refused, reset, timed out) and the server's temporary refusals (4xx: 421, 450,
451, 452) are retried like the robots' requests (WXREPORT_DELIVER_RETRY_DELAY); a refused login,
sender or recipient, or a message over the server's SIZE, stops with what the server said.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from helpers.deliver.channels.common import ERRMSG_CHARS, megabytes
from helpers.deliver.digest import POSTER_CID, Digest
from helpers.deliver.http import Http
from helpers.deliver.log import DeliveryError, Sent, now_iso
from helpers.deliver.params import Destination
from helpers.deliver.week import Week, report_files

TEMPORARY = range(400, 500)
tls_context: Callable[[], ssl.SSLContext] = ssl.create_default_context  # tests trust their own certificate


def send(dest: Destination, week: Week, digest: Digest, http: Http, kinds: Sequence[str]) -> list[Sent]:
    http.hide(*dest.secrets())
    for kind in kinds:
        if kind != "email":
            raise DeliveryError(dest.name, f"email has no message {kind!r}")
    if not kinds:
        return []
    if dest.password and dest.security == "none":
        raise DeliveryError(dest.name, "a password is never sent over plain SMTP: set security to starttls or ssl")
    message, attached = build(dest, week, digest)
    data = message.as_bytes()
    attempts = max(1, http.attempts)
    for attempt in range(attempts):
        try:
            _transmit(dest, message, len(data))
        except _Temporary as exc:
            if attempt + 1 == attempts:
                raise DeliveryError(dest.name, f"gave up after {attempts} attempts: {exc}",
                                    secrets=dest.secrets()) from None
            wait = min(http.delay * 2**attempt, http.delay * 30)
            if http.warn is not None:
                http.warn(dest.scrub(f"{dest.name} (email): {exc}; trying again in {wait:g} s "
                                     f"(attempt {attempt + 2} of {attempts})"))
            http.sleep(wait)
            continue
        retries = "ok" if attempt == 0 else f"ok after {attempt} retr{'y' if attempt == 1 else 'ies'}"
        detail = f"to {len(dest.to)} recipient{'s' if len(dest.to) != 1 else ''}"
        detail += f", {attached} page{'s' if attached != 1 else ''} attached" if attached else ""
        detail += f", {retries.removeprefix('ok ')}" if attempt else ""
        return [Sent("email", len(data), result=retries, when=now_iso(), detail=detail)]
    return []  # not reached: the loop returns or raises


def build(dest: Destination, week: Week, digest: Digest) -> tuple[EmailMessage, int]:
    """The message, and how many report pages it carries."""
    message = EmailMessage()
    message["Subject"] = " ".join(digest.title.split())
    message["From"] = dest.sender
    message["To"] = ", ".join(dest.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=dest.sender.rpartition("@")[2] or None)
    message.set_content(digest.text)
    if digest.html is not None:
        message.add_alternative(digest.html, subtype="html")
        if week.poster is not None:
            html_part = message.get_payload()[-1]
            html_part.add_related(week.poster.read_bytes(), "image", "png", cid=f"<{POSTER_CID}>",
                                  filename=f"{week.period.label}_{week.poster.name}", disposition="inline")
    attached = 0
    if not dest.report_url_base:
        for path in report_files(week):
            message.add_attachment(path.read_bytes(), maintype="text", subtype="html",
                                   filename=f"{week.period.label}_{path.name}", params={"charset": "utf-8"})
            attached += 1
    return message, attached


class _Temporary(Exception):
    """Worth trying again after a pause."""


def _open(dest: Destination) -> smtplib.SMTP:
    if dest.security == "ssl":
        return smtplib.SMTP_SSL(dest.host, dest.port, timeout=dest.timeout, context=tls_context())
    return smtplib.SMTP(dest.host, dest.port, timeout=dest.timeout)


def _transmit(dest: Destination, message: EmailMessage, size: int) -> None:
    try:
        with _open(dest) as smtp:
            smtp.ehlo()
            if dest.security == "starttls":
                smtp.starttls(context=tls_context())
                smtp.ehlo()
            _check_size(dest, smtp, size)
            if dest.user:
                smtp.login(dest.user, dest.password or "")
            smtp.send_message(message, from_addr=dest.sender, to_addrs=list(dest.to))
    except smtplib.SMTPRecipientsRefused as exc:
        said = "; ".join(f"{who}: {code} {_words(text)}" for who, (code, text) in exc.recipients.items())
        raise _refusal(dest, f"the server refused the recipients ({said})") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise _refusal(dest, f"the server refused the login of {dest.user!r} ({exc.smtp_code} "
                             f"{_words(exc.smtp_error)}): check the user and the password variable") from None
    except smtplib.SMTPNotSupportedError:
        raise _refusal(dest, "the server does not offer STARTTLS (or the login asked): set security to ssl, "
                             "or none for a relay that needs no login") from None
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {_words(exc.smtp_error)}"
        if exc.smtp_code in TEMPORARY:
            raise _Temporary(dest.scrub(f"the server answered {text}")) from None
        raise _refusal(dest, f"the server refused the mail ({text})") from None
    except ssl.SSLError as exc:
        raise _refusal(dest, f"TLS failed ({exc.reason or type(exc).__name__}): is security "
                             f"{dest.security!r} right for port {dest.port}?") from None
    except smtplib.SMTPException as exc:  # disconnected, no recipients accepted, ...
        raise _Temporary(dest.scrub(f"{type(exc).__name__}: {_words(str(exc))}")) from None
    except OSError as exc:
        raise _Temporary(dest.scrub(f"cannot reach {dest.host}:{dest.port} ({type(exc).__name__}: "
                                    f"{exc.strerror or exc})")) from None


def _check_size(dest: Destination, smtp: smtplib.SMTP, size: int) -> None:
    try:
        limit = int(smtp.esmtp_features.get("size", "0").split()[0] or 0)
    except (ValueError, IndexError):
        limit = 0
    if limit and size > limit:
        raise _refusal(dest, f"the mail is {megabytes(size)}, over the server's {megabytes(limit)}: set "
                             "report_url_base to link the reports instead of attaching them")


def _refusal(dest: Destination, reason: str) -> DeliveryError:
    return DeliveryError(dest.name, reason, secrets=dest.secrets())


def _words(said: object) -> str:
    if isinstance(said, bytes):
        said = said.decode("utf-8", "replace")
    return " ".join(str(said).split())[:ERRMSG_CHARS]
