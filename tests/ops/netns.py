"""Separate network namespaces for the two-host test, where the machine allows them (root).

Each host gets its own network stack joined to this one by a veth pair, so it reaches the
database and Redis only over the network, as a second machine would: a relay on the veth's
outer address forwards to the service on 127.0.0.1 (where PostgreSQL and Redis listen).
"""

import contextlib
import os
import random
import socket
import subprocess
import threading
import uuid


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


class Namespace:
    """A network namespace with one address (`inside`) reachable from here at `outside`'s side."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.name, self.outer_if, self.inner_if = f"smr-{tag}", f"smro{tag}", f"smri{tag}"
        taken = subprocess.run(
            ["ip", "-o", "addr"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
        while True:  # a /30 of 10.213.0.0/16 that no other namespace (or run) is using
            net = f"10.213.{random.randrange(1, 255)}"
            subnet = random.randrange(0, 64) * 4
            self.outside, self.inside = f"{net}.{subnet + 1}", f"{net}.{subnet + 2}"
            if f" {self.outside}/" not in taken:
                break
        try:
            _ip("netns", "add", self.name)
            _ip("link", "add", self.outer_if, "type", "veth", "peer", "name", self.inner_if)
            _ip("link", "set", self.inner_if, "netns", self.name)
            _ip("addr", "add", f"{self.outside}/30", "dev", self.outer_if)
            _ip("link", "set", self.outer_if, "up")
            _ip("-n", self.name, "addr", "add", f"{self.inside}/30", "dev", self.inner_if)
            _ip("-n", self.name, "link", "set", self.inner_if, "up")
            _ip("-n", self.name, "link", "set", "lo", "up")
        except (OSError, subprocess.SubprocessError):
            self.remove()
            raise

    def command(self, argv: list[str]) -> list[str]:
        """argv run inside the namespace (`ip netns exec` execs it: the pid is the program's)."""
        return ["ip", "netns", "exec", self.name, *argv]

    def remove(self) -> None:
        for args in (("netns", "del", self.name), ("link", "del", self.outer_if)):
            subprocess.run(["ip", *args], capture_output=True, timeout=10, check=False)


def available() -> str | None:
    """None when namespaces can be made here; otherwise why not."""
    if os.geteuid() != 0:
        return "not root"
    try:
        Namespace().remove()
    except (OSError, subprocess.SubprocessError) as err:
        return f"`ip netns` failed: {err}"
    return None


class Relay:
    """Forward every TCP connection made to (address, port) to 127.0.0.1:target."""

    def __init__(self, address: str, target: int):
        self.target = target
        self.server = socket.create_server((address, 0))
        self.port = self.server.getsockname()[1]
        self._open: list[socket.socket] = [self.server]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=10)
            except OSError:
                return
            upstream.settimeout(None)
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        for s in self._open:
            with contextlib.suppress(OSError):
                s.close()
