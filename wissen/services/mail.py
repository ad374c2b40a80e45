"""Send a plain-text mail through the server in WISSEN_SMTP_URL (optional).

smtp://user:password@host:587  plain SMTP, upgraded with STARTTLS whenever the server offers it
smtps://user:password@host:465 TLS from the first byte
User and password are percent-decoded (write @ in a user name as %40).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from wissen.errors import WissenError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailFailed(WissenError):
    status = 502
    title = "Mail nicht versandt"


def send(smtp_url: str, sender: str, recipient: str, subject: str, body: str) -> None:
    """Deliver one message or raise MailFailed with a German reason (never the password)."""
    parts = urlsplit(smtp_url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == -1:
        raise MailFailed(
            "WISSEN_SMTP_URL ist ungültig; erwartet wird smtp://host:587 oder smtps://host:465."
        )
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    message = _message(sender or user or f"wissen@{parts.hostname}", recipient, subject, body)
    try:
        _deliver(parts.scheme, parts.hostname, port, user, password, message)
    except smtplib.SMTPAuthenticationError:
        raise MailFailed("Der Mailserver hat die Anmeldedaten abgelehnt.") from None
    except smtplib.SMTPRecipientsRefused:
        raise MailFailed(f"Der Mailserver nimmt keine Mail an {recipient} an.") from None
    except (smtplib.SMTPException, OSError) as error:
        log.warning("Mail an %s nicht versandt: %r", recipient, error)
        raise MailFailed("Der Mailserver war nicht erreichbar oder hat abgelehnt.") from None


def _deliver(
    scheme: str, host: str, port: int | None, user: str, password: str, message: EmailMessage
) -> None:
    with _connect(scheme, host, port) as server:
        if user:
            server.login(user, password)
        server.send_message(message)


def _connect(scheme: str, host: str, port: int | None) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if scheme == "smtps":
        return smtplib.SMTP_SSL(
            host, port or DEFAULT_PORTS[scheme], timeout=TIMEOUT_SECONDS, context=context
        )
    server = smtplib.SMTP(host, port or DEFAULT_PORTS[scheme], timeout=TIMEOUT_SECONDS)
    try:
        server.ehlo()
        if server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
    except BaseException:
        server.close()
        raise
    return server


def _message(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    # The sender's domain, so that no slow lookup of this machine's own name is needed.
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "wissen")
    message.set_content(body)
    return message
