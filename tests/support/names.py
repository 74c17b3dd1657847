"""Host names for in-process tests of the layer download: the registry redirects it to a data endpoint
(*.data.azurecr.io) or to blob storage (*.blob.core.windows.net), names the fake cloud serves on loopback.
In-process, only the machine's resolver stands between the two, and it cannot know them (the end-to-end
suite puts them in its namespace's hosts file instead).

`loopback_names(monkeypatch, {name: address})` makes socket.getaddrinfo (what the edges' resolver and
requests use) answer those names with loopback addresses; every other name but localhost and IP literals
is "not found" at once, so no lookup leaves the machine during the test.
"""

import ipaddress
import socket


def loopback_names(monkeypatch, names):
    for address in names.values():
        assert ipaddress.ip_address(address).is_loopback, address
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        name = (name or "").lower().rstrip(".")
        if name in names:
            return real(names[name], port, *args, **kwargs)
        try:
            ipaddress.ip_address(name.strip("[]").split("%")[0])
            return real(host, port, *args, **kwargs)
        except ValueError:
            pass
        if name in ("localhost", ""):
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
