"""MQTT plumbing for the benchmark, the simulator and the reliability tests: a private
Mosquitto broker on a free port, and a minimal pipelined QoS 1 publisher.

`LocalBroker` writes its own configuration into a temporary directory (no limit on
in-flight or queued messages, so a burst is never dropped while a worker is down or
busy; persistence on when asked, so a broker restart keeps the sessions) and runs
`/usr/sbin/mosquitto` on a free port of 127.0.0.1.

`RawPublisher` speaks just enough MQTT 3.1.1 to publish QoS 1 messages fast: it writes
many PUBLISH packets in one `sendall` and counts the PUBACKs on a reader thread, keeping at
most `window` messages unacknowledged. paho's publisher spends ~100 µs of Python per
message, which on a small machine would make the load generator, not the ingestion,
the bottleneck of the benchmark.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

MOSQUITTO = os.environ.get("CITYGUARD_MOSQUITTO", "/usr/sbin/mosquitto")


def mosquitto_binary() -> str | None:
    if os.path.exists(MOSQUITTO):
        return MOSQUITTO
    return shutil.which("mosquitto")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalBroker:
    """A private Mosquitto on a free port; `start()`, `stop()`, `restart()`, `url`."""

    def __init__(self, *, persistence: bool = False, directory: str | None = None) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise FileNotFoundError("mosquitto is not installed (apt-get install mosquitto)")
        self.binary = binary
        self.persistence = persistence
        self._own_dir = directory is None
        self.dir = Path(directory or tempfile.mkdtemp(prefix="cg-mosquitto-"))
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _write_conf(self) -> Path:
        conf = self.dir / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            # Run as whoever starts us (as root Mosquitto would switch to its own user,
            # which cannot write our directory).
            f"user {getpass.getuser()}",
            "allow_anonymous true",
            "max_inflight_messages 0",
            "max_queued_messages 0",
            "max_queued_bytes 0",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.dir}/",
            "autosave_interval 3600",
            f"log_dest file {self.dir}/mosquitto.log",
            "log_type error",
            "log_type warning",
        ]
        conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return conf

    def start(self, timeout: float = 10.0) -> LocalBroker:
        conf = self._write_conf()
        self.proc = subprocess.Popen(
            [self.binary, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited at start; see {self.dir}/mosquitto.log")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return self
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self) -> None:
        """Stop gracefully (SIGTERM: with persistence on, the broker saves its sessions)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self, down_s: float = 0.5) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


# --- a minimal pipelined QoS 1 publisher -------------------------------------------------------


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def connect_packet(client_id: str, keepalive: int = 0, clean: bool = True) -> bytes:
    cid = client_id.encode()
    var = b"\x00\x04MQTT\x04" + bytes([0x02 if clean else 0x00]) + struct.pack("!H", keepalive)
    body = var + struct.pack("!H", len(cid)) + cid
    return b"\x10" + _remaining_length(len(body)) + body


def publish_packet(topic: bytes, payload: bytes, mid: int) -> bytes:
    """A QoS 1 PUBLISH."""
    body_len = 2 + len(topic) + 2 + len(payload)
    return (
        b"\x32"
        + _remaining_length(body_len)
        + struct.pack("!H", len(topic))
        + topic
        + struct.pack("!H", mid)
        + payload
    )


class RawPublisher:
    """Publishes QoS 1 messages in pipelined bursts; `acked` counts the PUBACKs."""

    def __init__(
        self, host: str, port: int, client_id: str, window: int = 20000, timeout: float = 30.0
    ) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(connect_packet(client_id))
        connack = self._recv_exact(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise ConnectionError(f"broker refused the connection ({connack!r})")
        self.window = max(1, min(window, 60000))
        self.sent = 0
        self.acked = 0
        self._mid = 0
        self._cond = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("broker closed the connection")
            buf += chunk
        return buf

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                acks = 0
                pos = 0
                n = len(buf)
                # Packets: fixed header byte, remaining length (PUBACK: 2), body.
                while pos + 2 <= n:
                    length = buf[pos + 1]
                    if length & 0x80:  # never for PUBACK/PINGRESP; parse fully anyway
                        mult, size, i = 1, 0, pos + 1
                        while True:
                            if i >= n:
                                break
                            b = buf[i]
                            size += (b & 0x7F) * mult
                            mult *= 128
                            i += 1
                            if not b & 0x80:
                                break
                        else:  # pragma: no cover
                            break
                        if i + size > n:
                            break
                        kind = buf[pos] & 0xF0
                        pos = i + size
                    else:
                        if pos + 2 + length > n:
                            break
                        kind = buf[pos] & 0xF0
                        pos += 2 + length
                    if kind == 0x40:
                        acks += 1
                buf = buf[pos:]
                if acks:
                    with self._cond:
                        self.acked += acks
                        self._cond.notify_all()
        except OSError:
            pass
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _next_mid(self) -> int:
        self._mid = self._mid % 65535 + 1
        return self._mid

    def publish_many(self, messages: list[tuple[bytes, bytes]]) -> None:
        """Publish `(topic, payload)` pairs with QoS 1, waiting while the window is full."""
        i = 0
        while i < len(messages):
            with self._cond:
                while self.sent - self.acked >= self.window and not self._closed:
                    self._cond.wait(1.0)
                if self._closed:
                    raise ConnectionError("broker closed the connection")
                room = self.window - (self.sent - self.acked)
            part = messages[i : i + room]
            data = b"".join(publish_packet(t, p, self._next_mid()) for t, p in part)
            self.sock.sendall(data)
            with self._cond:
                self.sent += len(part)
            i += len(part)

    def wait_acked(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.acked < self.sent and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 1.0))
            return self.acked >= self.sent

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        with contextlib.suppress(OSError):
            self.sock.close()
