"""A real forward proxy on a loopback port that speaks CONNECT, for the outbound client's
proxy tests: it records every CONNECT (target and headers), answers ``status`` (200 opens
the tunnel) and pipes bytes both ways. ``routes`` maps a CONNECT target to where the
proxy really connects (so a test can ask for a public address and land on a local fake
server, as an egress proxy would reach the internet)."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Connect:
    target: str
    headers: dict[str, str]  # names in lower case


class ProxyServer:
    def __init__(self, routes: dict[str, tuple[str, int]] | None = None) -> None:
        self.connects: list[Connect] = []
        self.routes = dict(routes or {})
        self.status = 200
        self._lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ProxyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler_for(proxy: ProxyServer) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            with proxy._lock:
                proxy.connects.append(Connect(target, headers))
            if method != "CONNECT" or proxy.status != 200:
                status = 405 if method != "CONNECT" else proxy.status
                client.sendall(f"HTTP/1.1 {status} No\r\nContent-Length: 0\r\n\r\n".encode())
                return
            host, _, port = target.rpartition(":")
            upstream = socket.create_connection(
                proxy.routes.get(target, (host.strip("[]"), int(port))), timeout=5
            )
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(client, upstream)

    return Handler


def _pipe(a: socket.socket, b: socket.socket) -> None:
    def copy(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    other = threading.Thread(target=copy, args=(b, a), daemon=True)
    other.start()
    copy(a, b)
    other.join(timeout=5)
    b.close()
