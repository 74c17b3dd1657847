"""Run a batch of commands against the fake cloud inside a private network and mount namespace.

The fake cloud, any extra server (Debian's registry) and every `az` run must share one network
namespace, so one driver process does it all inside `unshare -rnm`: it brings loopback up, mounts a
private hosts file over /etc/hosts, starts the fake cloud in a thread, runs the commands one after the
other, and writes their outputs with the fake cloud's request log to a JSON file.

Host side: `run(spec, workdir)`. Inside: `python tests/support/netns.py <spec.json>`.
"""

import json
import os
import pty
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- host side

def run(spec, workdir, timeout=600):
    """Run spec (see _main) in a new namespace; return the driver's report as a dict."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    spec = dict(spec, output=str(workdir / "netns-result.json"))
    spec_file = workdir / "netns-spec.json"
    spec_file.write_text(json.dumps(spec, indent=1))
    env = {"PATH": os.environ.get("PATH", os.defpath), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    proc = subprocess.run(["unshare", "-rnm", sys.executable, str(Path(__file__)), str(spec_file)],
                          env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    out = Path(spec["output"])
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError("namespace driver failed (exit {}):\n{}\n{}".format(
            proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
    return json.loads(out.read_text())


# ---------------------------------------------------------------- namespace side

def _loopback_up():
    """`ip link set lo up`, without depending on iproute2."""
    import fcntl
    import struct
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        req = struct.pack("16sh14s", b"lo", 0, b"")
        flags = struct.unpack("16sh14s", fcntl.ioctl(sock, siocgifflags, req))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sh14s", b"lo", flags | iff_up, b""))


def _private_hosts(text, workdir):
    hosts = Path(workdir) / "hosts"
    hosts.write_text(text)
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)


def _wait_for_port(address, port, deadline):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def _run_command(command):
    """Run one command to its end (or its timeout); with "signal", send it a signal on the way (see
    _signal_later); with "password", its stdin is a terminal (a pty) on which that text is typed at the
    password prompt (see _type_password)."""
    start = time.monotonic()
    timeout = command.get("timeout", 120)
    terminal = pty.openpty() if command.get("password") is not None else None
    # With a terminal, a new session: no controlling terminal, so nothing can reach the terminal this suite
    # runs in (getpass tries /dev/tty first); the pty on stdin is the only one there is.
    proc = subprocess.Popen(command["argv"], env=command["env"], cwd=command.get("cwd"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=terminal[1] if terminal else subprocess.DEVNULL,
                            text=True, start_new_session=terminal is not None)
    sent = {}
    if command.get("signal"):
        threading.Thread(target=_signal_later, args=(proc, command["signal"], start + timeout, sent),
                         daemon=True).start()
    if terminal:
        threading.Thread(target=_type_password, args=(proc, terminal, command["password"], start + timeout),
                         daemon=True).start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        rc = None
    if terminal:
        for fd in terminal:
            os.close(fd)
    result = {"argv": command["argv"], "returncode": rc, "stdout": stdout, "stderr": stderr,
              "seconds": round(time.monotonic() - start, 3)}
    if command.get("signal"):
        result["signal"] = sent
    return result


def _type_password(proc, terminal, text, deadline):
    """Type text and Enter on the terminal once the program has turned its echo off, as a password prompt
    does: what was typed before is flushed by that very change (TCSAFLUSH), so it cannot be typed ahead."""
    import termios
    master, slave = terminal
    while proc.poll() is None and time.monotonic() < deadline:
        if not termios.tcgetattr(slave)[3] & termios.ECHO:
            os.write(master, text.encode() + b"\n")
            return
        time.sleep(0.02)


def _signal_later(proc, how, deadline, sent):
    """Send how["signum"] to the process once the file how["when"] exists (a stand-in writes it when it
    starts), then how["after"] seconds later; not at all if the process ended first. Records in `sent`
    whether and when (seconds after the start) the signal went."""
    began = time.monotonic()
    when = how.get("when")
    while when and not os.path.exists(when) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(how.get("after", 0))
    if proc.poll() is None:
        proc.send_signal(how["signum"])
        sent.update(sent=True, seconds=round(time.monotonic() - began, 3))
    else:
        sent.update(sent=False)


def _main(spec_file):
    """spec: {output, workdir, hosts (text), cloud: {address, port, cert, key, scenario} or null,
    services: [{argv, address, port, log}], commands: [{argv, env, cwd, timeout, signal, password}]}
    signal (optional): {signum, when (a file to wait for), after (seconds)}, see _signal_later."""
    spec = json.loads(Path(spec_file).read_text())
    workdir = spec["workdir"]
    _loopback_up()
    _private_hosts(spec["hosts"], workdir)
    report = {"commands": [], "requests": [], "unrecognised": [], "issued_tokens": [], "services": []}
    cloud = None
    services = []
    try:
        if spec.get("cloud"):
            from tests.support import e2e
            cloud = e2e.start_cloud(spec["cloud"])
        for service in spec.get("services", []):
            log = open(service["log"], "wb")
            proc = subprocess.Popen(service["argv"], stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            services.append((proc, log))
            if not _wait_for_port(service["address"], service["port"], time.monotonic() + 30):
                raise RuntimeError("{} did not listen on {}:{}".format(service["argv"][0], service["address"],
                                                                      service["port"]))
        for command in spec["commands"]:
            report["commands"].append(_run_command(command))
    finally:
        for proc, log in services:
            proc.kill()
            proc.wait(timeout=10)
            log.close()
            report["services"].append({"argv": proc.args, "returncode": proc.returncode})
        if cloud is not None:
            report.update(e2e.collect_cloud(cloud))
            e2e.stop_cloud(cloud)
        Path(spec["output"]).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    _main(sys.argv[1])
