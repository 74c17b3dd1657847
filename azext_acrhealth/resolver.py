"""Name resolution with a time limit: every IPv4 and IPv6 address of a host, or why there is none."""

import socket
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Resolution:
    host: str
    addresses: tuple = ()        # unique addresses, IPv4 first, in resolver order
    error: str = None            # "invalid", "not_found", "timeout" or "error"
    reason: str = None           # the resolver's own words
    duration: float = 0.0

    @property
    def ok(self):
        return bool(self.addresses)


def resolve(host, timeout):
    """Resolve host to every IPv4 and IPv6 address, in a thread so the lookup can be abandoned."""
    start = time.monotonic()
    try:
        # Catches empty labels, labels over 63 characters and names IDNA cannot encode, before any lookup.
        host.encode("idna")
    except UnicodeError as ex:
        return Resolution(host, error="invalid", reason="not a valid host name ({})".format(ex),
                          duration=time.monotonic() - start)
    box = {}

    def lookup():
        try:
            box["infos"] = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror as ex:
            box["error"] = ("not_found" if ex.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
                            else "error", ex.strerror or str(ex))
        except (OSError, UnicodeError, ValueError) as ex:
            box["error"] = ("error", str(ex))

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    duration = time.monotonic() - start
    if worker.is_alive():
        return Resolution(host, error="timeout", reason="no answer within {:g} s".format(timeout),
                          duration=duration)
    if "error" in box:
        return Resolution(host, error=box["error"][0], reason=box["error"][1], duration=duration)
    v4 = [info[4][0] for info in box["infos"] if info[0] == socket.AF_INET]
    v6 = [info[4][0] for info in box["infos"] if info[0] == socket.AF_INET6]
    addresses = tuple(dict.fromkeys(v4 + v6))
    if not addresses:
        return Resolution(host, error="not_found", reason="no address", duration=duration)
    return Resolution(host, addresses=addresses, duration=duration)
