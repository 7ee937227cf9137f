"""Victim updates leave by SMTP when a mail server is configured, and wait when it is down."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from safercity.platform import outbox
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib to hand over one message."""

    received: list[str]

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 test SMTP")
        while line := self.rfile.readline().decode():
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 test")
            elif command == "DATA":
                self._reply("354 end with .")
                lines = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(data)
                self.server.received.append("".join(lines))  # type: ignore[attr-defined]
                self._reply("250 queued")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[str]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], server.received  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _queue(db: Database, clock: FixedClock) -> int:
    with db.transaction() as conn:
        return outbox.enqueue(
            conn,
            clock,
            channel=outbox.Channel.EMAIL,
            recipient="sam.taylor@example.com",
            subject="Your case SC-TEST-0001",
            body="A suspect has been arrested.",
            topic="case",
            topic_id="SC-TEST-0001",
        )


def test_an_update_is_sent_by_smtp_and_marked_sent(
    db: Database, clock: FixedClock, smtp_server: tuple[int, list[str]]
) -> None:
    port, received = smtp_server
    _queue(db, clock)
    transport = outbox.SmtpTransport("127.0.0.1", port, "updates@safercity.invalid")
    assert outbox.deliver_pending(db, clock, transport) == 1
    assert len(received) == 1
    assert "To: sam.taylor@example.com" in received[0]
    assert "Subject: Your case SC-TEST-0001" in received[0]
    with db.transaction() as conn:
        [message] = outbox.messages_about(conn, "case", "SC-TEST-0001")
    assert message.status is outbox.DeliveryStatus.SENT
    assert message.delivered_at == clock.now()


def test_an_update_waits_in_the_outbox_while_the_mail_server_is_down(
    db: Database, clock: FixedClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    _queue(db, clock)
    transport = outbox.SmtpTransport("127.0.0.1", closed_port, "updates@safercity.invalid")
    assert outbox.deliver_pending(db, clock, transport) == 0
    with db.transaction() as conn:
        [message] = outbox.messages_about(conn, "case", "SC-TEST-0001")
    assert message.status is outbox.DeliveryStatus.PENDING
    assert message.attempts == 1 and message.last_error
