"""A local SMTP server for the email channel's tests (aiosmtpd, on 127.0.0.1): records every mail it
takes, parsed, and can ask for a login, offer STARTTLS or speak TLS from the first byte (with a
certificate made for the test by the `openssl` command), limit the message SIZE, and refuse
temporarily (451) on demand."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Recorder:
    """The handler: what arrived, and the temporary refusals still to give."""

    mails: list[Mail] = field(default_factory=list)
    refuse_temporarily: int = 0
    logins: list[str] = field(default_factory=list)
    implicit_tls: bool = False  # mode "ssl": every connection is TLS (aiosmtpd sets session.ssl on STARTTLS only)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        if self.refuse_temporarily > 0:
            self.refuse_temporarily -= 1
            return "451 4.3.0 Try again later"
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or b"",
                               self.implicit_tls or session.ssl is not None, login))
        return "250 OK"


def certificate(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1 (cert, key), or None without the openssl command."""
    if shutil.which("openssl") is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


def client_context(cert: Path) -> ssl.SSLContext:
    """What the client trusts in the tests: the test's own certificate."""
    return ssl.create_default_context(cafile=str(cert))


class SmtpServer:
    """`SmtpServer(mode=...)`: "none" (plain), "starttls" (offered, required before AUTH) or "ssl";
    `password` turns on AUTH LOGIN/PLAIN for `user`; `size` limits the message."""

    def __init__(self, mode: str = "none", *, cert: tuple[Path, Path] | None = None, user: str | None = None,
                 password: str | None = None, size: int = 33_554_432):
        self.mode, self.user, self.password = mode, user, password
        self.recorder = Recorder(implicit_tls=mode == "ssl")
        self.port = _free_port()
        tls = None
        if cert is not None:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(str(cert[0]), str(cert[1]))
        kwargs = {"data_size_limit": size}
        if password is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=mode == "starttls")  # ssl: TLS already
        if mode == "starttls":
            kwargs.update(tls_context=tls, require_starttls=True)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                     ssl_context=tls if mode == "ssl" else None,
                                     server_hostname="127.0.0.1", ready_timeout=10, **kwargs)

    @property
    def mails(self) -> list[Mail]:
        return self.recorder.mails

    def _authenticate(self, server: SMTP, session, envelope, mechanism: str, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        if ok:
            self.recorder.logins.append(self.user or "")
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
