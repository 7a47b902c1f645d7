"""The local mail sink the demo and the tests use: an SMTP server on loopback (aiosmtpd) that keeps
each message as one .eml file. A message is kept once per Message-ID, as a careful mail system
would, so a retry after a worker died between sending and recording is not a second copy."""

from __future__ import annotations

import hashlib
import os
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller


def store(sink: Path, raw: bytes) -> bool:
    """Keep one message; False if a message with its Message-ID is already there."""
    sink = Path(sink)
    sink.mkdir(parents=True, exist_ok=True)
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    identity = str(message.get("Message-ID") or hashlib.sha256(raw).hexdigest())
    name = hashlib.sha256(identity.encode()).hexdigest()[:32] + ".eml"
    try:
        fd = os.open(sink / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
    return True


def read(sink: Path) -> list[EmailMessage]:
    """Messages in the sink, oldest first."""
    parser = BytesParser(policy=policy.default)
    files = sorted(Path(sink).glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    return [parser.parsebytes(p.read_bytes()) for p in files]


class SinkHandler:
    def __init__(self, sink: Path) -> None:
        self.sink = Path(sink)
        self.received = 0  # every DATA, duplicates included (tests count retries with it)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        store(self.sink, envelope.original_content or envelope.content)
        return "250 Message accepted"


def start(sink: Path, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    """Start the sink in a background thread; `controller.stop()` ends it."""
    controller = Controller(SinkHandler(sink), hostname=host, port=port)
    controller.start()
    return controller
