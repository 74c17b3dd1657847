"""A CONNECT proxy on loopback that tunnels bytes, like a corporate proxy (without inspection).

In-process (`ConnectProxy()`), or as a process inside the end-to-end namespace:

    python tests/support/proxy.py --address 127.0.0.1 --port 3128 [--refuse 407]
"""

import argparse
import socket
import sys
import threading


class ConnectProxy:
    """Records the target of every CONNECT in `targets`, and calls log(target, scheme of its
    Proxy-Authorization or None) for each. With `refuse` (a status such as 407), it answers every CONNECT
    with that status instead of tunnelling."""

    def __init__(self, address="127.0.0.1", port=0, refuse=None, log=None):
        self.sock = socket.create_server((address, port))
        self.port = self.sock.getsockname()[1]
        self.targets = []
        self.refuse = refuse
        self.log = log
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            target = head.split(b" ")[1].decode()
            self.targets.append(target)
            if self.log:
                auth = [line.split(b":", 1)[1].split()[0].decode() for line in head.split(b"\r\n")
                        if line.lower().startswith(b"proxy-authorization:") and line.split(b":", 1)[1].split()]
                self.log(target, auth[0] if auth else None)
            if self.refuse:
                client.sendall(b"HTTP/1.1 %d Refused by proxy\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\n"
                               b"Content-Length: 0\r\nConnection: close\r\n\r\n" % self.refuse)
                return
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host.strip("[]"), int(port)), timeout=10) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pump = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
                pump.start()
                self._pump(client, upstream)
                pump.join(5)

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="A CONNECT proxy that tunnels bytes.")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--refuse", type=int, help="answer every CONNECT with this status")
    args = parser.parse_args(argv)
    # One line per CONNECT on stdout: the target and the scheme of its Proxy-Authorization, never the credential.
    ConnectProxy(args.address, args.port, args.refuse,
                 log=lambda target, auth: print("CONNECT {} {}".format(target, auth), flush=True))
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
