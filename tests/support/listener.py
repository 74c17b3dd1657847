"""A host that must hear nothing: it accepts connections on some ports and records each one, TLS or not.

The end-to-end hardening tests put a foreign host (the one a hostile realm points at) on its own loopback
address in the namespace's hosts file and run this listener there; after az has run, its log must be
empty. The harness waits for the control port, which is not recorded.

    python tests/support/listener.py --address 127.0.0.3 --ports 443,8443,80 --control 9 --log seen.jsonl
"""

import argparse
import json
import select
import socket
import sys
import threading


def serve(address, ports, control, log_path):
    sockets = [socket.create_server((address, port)) for port in (*ports, control)]
    lock = threading.Lock()

    def record(conn, port, peer):
        with conn:
            conn.settimeout(2)
            try:
                first = conn.recv(64)
            except OSError:
                first = b""
        # One line per connection: where it came in, and its first bytes (0x16 opens a TLS handshake).
        with lock, open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"port": port, "peer": peer[0], "first_bytes": first.hex()}) + "\n")

    while True:
        ready, _, _ = select.select(sockets, [], [])
        for sock in ready:
            conn, peer = sock.accept()
            port = sock.getsockname()[1]
            if port == control:
                conn.close()
                continue
            threading.Thread(target=record, args=(conn, port, peer), daemon=True).start()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Record every connection to some ports.")
    parser.add_argument("--address", required=True)
    parser.add_argument("--ports", required=True, help="comma-separated ports to record")
    parser.add_argument("--control", type=int, required=True, help="a port that is not recorded (readiness)")
    parser.add_argument("--log", required=True, help="JSON lines, one per connection")
    args = parser.parse_args(argv)
    open(args.log, "w").close()
    serve(args.address, [int(p) for p in args.ports.split(",")], args.control, args.log)


def connections(log_path):
    """The connections a listener recorded."""
    try:
        with open(log_path, encoding="utf-8") as log:
            return [json.loads(line) for line in log if line.strip()]
    except FileNotFoundError:
        return []


if __name__ == "__main__":
    sys.exit(main())
