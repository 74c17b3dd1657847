"""Helm: the client and its version, judged for Azure Container Registry.

One invocation, `helm version --client`: Helm 2 needs `--client` (without it, it asks the in-cluster
Tiller server and can hang or fail), and Helm 3 still accepts it as a hidden flag kept for
compatibility, printing only its own version. Should a later release drop the flag, the check retries
once with plain `helm version`.
"""

import re
from dataclasses import dataclass

from ..executables import find
from ..outcome import failed, passed, skipped, warning
from ..text import first_line, last_lines, run_failure

MIN_VERSION = (2, 11, 0)     # the documented floor (HELM_VERSION_ERROR below it)
OCI_VERSION = (3, 8, 0)      # first Helm with stable OCI registry support, which ACR charts need
CLIENTS = ("helm", "helm.exe")

# Helm 2: Client: &version.Version{SemVer:"v2.17.0", ...}; Helm 3: version.BuildInfo{Version:"v3.14.0", ...}
_BUILD_INFO = re.compile(r'(?:SemVer|Version):"v?([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})([^"\s]*)"')
# `helm version --short` and some distribution wrappers: v3.14.0+g3fc9f4b
_SHORT = re.compile(r'^v?([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})([-+][^\s]*)?$', re.MULTILINE)

OK, OCI_WARNING, TOO_OLD = "ok", "oci_warning", "too_old"


@dataclass(frozen=True)
class HelmVersion:
    numbers: tuple               # (major, minor, patch)
    suffix: str = ""             # pre-release or build suffix, as printed ("-rc.1", "+g3fc9f4b")

    @property
    def text(self):
        return "{}.{}.{}{}".format(*self.numbers, self.suffix)


def parse_helm_version(output):
    """The client version in `helm version` output (Helm 2 or 3, long or short form), or None.
    Never raises."""
    for pattern in (_BUILD_INFO, _SHORT):
        match = pattern.search(output)
        if match:
            return HelmVersion(tuple(int(part) for part in match.group(1, 2, 3)), match.group(4) or "")
    return None


def assess_helm_version(version):
    """OK, OCI_WARNING (Helm 2, or Helm 3 before 3.8.0) or TOO_OLD (before 2.11.0).
    Pre-releases are judged by their numbers: 3.8.0-rc.1 counts as 3.8.0."""
    if version.numbers < MIN_VERSION:
        return TOO_OLD
    if version.numbers < OCI_VERSION:
        return OCI_WARNING
    return OK


def helm_client(ctx, _given):
    found = next((f for f in (find(name, ctx.env, ctx.cwd) for name in CLIENTS) if f), None)
    if not found:
        # A warning, not a failure: many users of a registry never use Helm, and a CI step that checks
        # Docker and the registry must not fail for it. The code and its solutions are still reported.
        return warning("no helm executable on PATH", code="HELM_COMMAND_ERROR",
                      fix="install Helm 3.8.0 or later (https://helm.sh/docs/intro/install/), or add its folder "
                          "to PATH; skip this if you do not use Helm charts")
    path = found.path
    if found.untrusted:
        return failed("HELM_COMMAND_ERROR", "refusing to run {}".format(found.refusal()),
                      fix="run the command from another directory, or remove relative entries (and '.') from PATH",
                      path=path)
    return passed(path, handoff={"path": path}, path=path)


def helm_version(ctx, given):
    path = given["helm_client"].get("path")
    if not path:
        return skipped("Helm is not installed")
    proc = ctx.edges.run([path, "version", "--client"])
    if not proc.ok and not proc.timed_out and "unknown flag" in proc.output.lower():
        proc = ctx.edges.run([path, "version"])
    if not proc.ok:
        return failed("HELM_VERSION_ERROR", "'helm version' {}".format(run_failure(proc, ctx.timeout)),
                      fix="run 'helm version' yourself and read its message", path=path,
                      output=last_lines(proc.output))
    version = parse_helm_version(proc.stdout)
    if version is None:
        return failed("HELM_VERSION_ERROR", "no version found in the output of 'helm version': {}".format(
                      first_line(proc.output) or "(no output)"), path=path, output=last_lines(proc.output))
    verdict = assess_helm_version(version)
    details = {"version": version.text, "path": path}
    if verdict == TOO_OLD:
        return failed("HELM_VERSION_ERROR", "Helm {} is older than {}.{}.{}, the oldest supported".format(
                      version.text, *MIN_VERSION), fix="upgrade Helm to {}.{}.{} or later".format(*OCI_VERSION),
                      **details)
    if verdict == OCI_WARNING:
        why = ("Helm 2 cannot store charts in OCI registries" if version.numbers[0] < 3 else
               "Helm before {}.{}.{} has no stable OCI registry support".format(*OCI_VERSION))
        # No specific fix: the catalogue's solution (update to 3.8.0 or later) is the whole of it.
        return warning("Helm {}: {}; charts in Azure Container Registry need it".format(version.text, why),
                       code="HELM_OCI_WARNING", **details)
    return passed("Helm {}".format(version.text), **details)
