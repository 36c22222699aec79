"""The email channel against a local SMTP server (aiosmtpd on 127.0.0.1): the digest as text and
HTML with the poster inline (multipart/related, cid:poster), the week's report pages attached or
linked, STARTTLS / SSL / plain, login, temporary refusals retried, and no password anywhere."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from deliver.published import publish_week
from deliver.smtp_server import SmtpServer, certificate, client_context
from helpers.deliver.channels import email as channel
from helpers.deliver.digest import build_digest
from helpers.deliver.http import ATTEMPTS
from helpers.deliver.log import DeliveryError
from helpers.deliver.params import Destination
from helpers.deliver.week import load_week, report_files
from helpers.render.text import Text

PASSWORD = "pw-0123456789-secret"


@pytest.fixture
def week(tmp_path):
    publish_week(tmp_path / "reports", finding="<script>alert(1)</script> <@all>")
    return load_week(tmp_path / "reports", "2026-W47")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    made = certificate(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    return made


@pytest.fixture
def smtp(request):
    servers = []

    def start(mode: str = "none", **kwargs) -> SmtpServer:
        server = SmtpServer(mode, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def trust(monkeypatch, cert):
    monkeypatch.setattr(channel, "tls_context", lambda: client_context(cert[0]))


def mail_to(server: SmtpServer, **changes) -> Destination:
    dest = Destination(name="managers_mail", type="email", host="127.0.0.1", port=server.port,
                       security=server.mode, sender="reports@example.com",
                       to=("boss@example.com", "ops@example.com"), kinds=("email",), timeout=5.0)
    return replace(dest, **changes)


def send(dest, week, http):
    return channel.send(dest, week, build_digest(week, dest, Text(dest.language)), http, ("email",))


def test_the_mail(smtp, http, week):
    server = smtp("none")
    dest = mail_to(server)
    digest = build_digest(week, dest, Text("zh"))
    (sent,) = send(dest, week, http)
    (mail,) = server.mails
    assert mail.sender == "reports@example.com" and mail.recipients == ["boss@example.com", "ops@example.com"]
    message = mail.message
    assert message["Subject"] == digest.title and message["To"] == "boss@example.com, ops@example.com"
    assert message.get_content_type() == "multipart/mixed"
    body, *attachments = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    text, related = body.iter_parts()
    assert text.get_content() == digest.text
    assert related.get_content_type() == "multipart/related"
    html, poster = related.iter_parts()
    assert html.get_content() == digest.html and 'src="cid:poster"' in html.get_content()
    assert "<script>" not in html.get_content()
    assert poster["Content-ID"] == "<poster>" and poster.get_content() == week.poster.read_bytes()
    assert [a.get_filename() for a in attachments] == [f"2026-W47_{p.name}" for p in report_files(week)]
    assert [a.get_content() for a in attachments] == [p.read_text(encoding="utf-8") for p in report_files(week)]
    assert (sent.kind, sent.result) == ("email", "ok") and abs(sent.size - len(mail.data)) < len(mail.data) / 10
    assert sent.detail == "to 2 recipients, 4 pages attached"


def test_linked_reports_are_not_attached(smtp, http, week):
    server = smtp("none")
    dest = mail_to(server, report_url_base="https://reports.example.com/wx")
    send(dest, week, http)
    message = server.mails[0].message
    assert message.get_content_type() == "multipart/alternative"
    assert "https://reports.example.com/wx/2026-W47/" in message.get_body(("html",)).get_content()


def test_starttls_and_login(smtp, http, week, cert, trust):
    server = smtp("starttls", cert=cert, user="reports@example.com", password=PASSWORD)
    send(mail_to(server, user="reports@example.com", password=PASSWORD), week, http)
    (mail,) = server.mails
    assert mail.tls and mail.login == "reports@example.com"


def test_ssl_from_the_first_byte(smtp, http, week, cert, trust):
    server = smtp("ssl", cert=cert, user="reports@example.com", password=PASSWORD)
    send(mail_to(server, user="reports@example.com", password=PASSWORD, security="ssl"), week, http)
    assert server.mails[0].tls


def test_a_wrong_password(smtp, http, week, cert, trust):
    server = smtp("starttls", cert=cert, user="reports@example.com", password=PASSWORD)
    with pytest.raises(DeliveryError) as caught:
        send(mail_to(server, user="reports@example.com", password="wrong-password-42"), week, http)
    said = str(caught.value)
    assert said.startswith("managers_mail: the server refused the login of 'reports@example.com' (535")
    assert "check the user and the password variable" in said
    assert "wrong-password-42" not in said and PASSWORD not in said and not server.mails


def test_an_untrusted_certificate(smtp, http, week, cert):
    server = smtp("starttls", cert=cert)
    with pytest.raises(DeliveryError, match="TLS failed"):
        send(mail_to(server), week, http)


def test_no_starttls_offered(smtp, http, week):
    server = smtp("none")
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send(mail_to(server, security="starttls"), week, http)


def test_a_password_is_never_sent_in_plain(smtp, http, week):
    server = smtp("none")
    with pytest.raises(DeliveryError, match="never sent over plain SMTP") as caught:
        send(mail_to(server, user="u", password=PASSWORD), week, http)
    assert PASSWORD not in str(caught.value) and not server.mails


def test_a_temporary_refusal_is_retried(smtp, http, week):
    server = smtp("none")
    server.recorder.refuse_temporarily = 2
    (sent,) = send(mail_to(server), week, http)
    assert sent.result == "ok after 2 retries" and len(server.mails) == 1 and sent.detail.endswith("after 2 retries")
    assert "451" in http.warned[0]


def test_too_large_for_the_server(smtp, http, week):
    server = smtp("none", size=2000)
    with pytest.raises(DeliveryError, match=r"over the server's .*set report_url_base"):
        send(mail_to(server), week, http)


def test_nobody_listening(http, week):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = Destination(name="managers_mail", type="email", host="127.0.0.1", port=port, security="none",
                       sender="a@example.com", to=("b@example.com",), kinds=("email",), timeout=2.0)
    with pytest.raises(DeliveryError, match=f"gave up after {ATTEMPTS} attempts: cannot reach 127.0.0.1:{port}"):
        send(dest, week, http)
    assert len(http.warned) == ATTEMPTS - 1
