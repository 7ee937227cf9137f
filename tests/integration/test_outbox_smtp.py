"""Victim updates leave by SMTP when a mail server is configured, and wait when it is down."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta

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


class _WorkerBesideUs:
    """While it sends, a second worker looks for deliverable messages, as another process would."""

    def __init__(self, db: Database, clock: FixedClock) -> None:
        self.db, self.clock, self.sent, self.second_worker_sent = db, clock, 0, -1

    def send(self, message: outbox.OutboxMessage) -> outbox.DeliveryStatus:
        self.second_worker_sent = outbox.deliver_pending(
            self.db, self.clock, outbox.KeepTransport()
        )
        self.sent += 1
        return outbox.DeliveryStatus.SENT


def test_a_message_being_sent_is_not_sent_again_by_a_second_worker(
    db: Database, clock: FixedClock
) -> None:
    _queue(db, clock)
    transport = _WorkerBesideUs(db, clock)
    assert outbox.deliver_pending(db, clock, transport) == 1
    assert transport.sent == 1 and transport.second_worker_sent == 0
    with db.transaction() as conn:
        [message] = outbox.messages_about(conn, "case", "SC-TEST-0001")
    assert message.status is outbox.DeliveryStatus.SENT and message.attempts == 1


class _Crash(Exception):
    pass


class _CrashingTransport:
    def send(self, message: outbox.OutboxMessage) -> outbox.DeliveryStatus:
        raise _Crash


def test_a_message_left_mid_send_by_a_crash_is_sent_once_the_claim_runs_out(
    db: Database, clock: FixedClock
) -> None:
    _queue(db, clock)
    with pytest.raises(_Crash):
        outbox.deliver_pending(db, clock, _CrashingTransport())
    assert outbox.deliver_pending(db, clock, outbox.KeepTransport()) == 0  # still claimed
    clock.advance(outbox.CLAIM_LEASE + timedelta(seconds=1))
    assert outbox.deliver_pending(db, clock, outbox.KeepTransport()) == 1
    with db.transaction() as conn:
        [message] = outbox.messages_about(conn, "case", "SC-TEST-0001")
    assert message.status is outbox.DeliveryStatus.KEPT and message.attempts == 2
