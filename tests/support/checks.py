"""The one way tests run checks: the real plan, the real runner, a Context whose edges reach real local
servers (the fake cloud) and real executables (stand-ins on a PATH the test builds), and the one account
stand-in. Tests pick the checks they look at; everything they need runs too.

    results = run_checks(context(bin_dir, tmp_path, yes=True), only=("docker_pull",))
    results = run_registry(cloud, repository="myrepo")
    outcome(results, "access_token").code
"""

import os
from dataclasses import replace

from azext_acrhealth.context import Context, Options
from azext_acrhealth.edges import Edges
from azext_acrhealth.plan import REGISTRY, build_plan
from azext_acrhealth.resolver import Resolution
from azext_acrhealth.runner import run_plan
from tests.support import standins
from tests.support.account import StubAccount


def context(bin_dir=None, home=None, env=None, account=None, cwd=None, confirm=None, edges=None, **options):
    """A Context for one test: options (timeout 2 s by default), an environment of its own, an account."""
    options.setdefault("timeout", 2)
    env = standins.env_for(bin_dir, home) if env is None else env
    return Context(Options(**options), account=account or StubAccount(), env=env,
                   cwd=str(cwd or home or os.getcwd()), confirm=confirm, edges=edges)


def select(plan, only=None, group=None):
    """The checks named (or of the group), every check they need, and the checks of their own group they use,
    in plan order. A registry test then never runs the environment checks a registry check merely reads."""
    if only is None and group is None:
        return plan
    by_name = {check.name: check for check in plan}
    wanted = set(only or ()) | {check.name for check in plan if check.group == group}
    stack = list(wanted)
    while stack:
        check = by_name[stack.pop()]
        same_group = tuple(u for u in check.uses if by_name[u].group == check.group)
        for need in (*check.needs, *same_group):
            if need not in wanted:
                wanted.add(need)
                stack.append(need)
    # A check's `uses` that are not selected are dropped: it runs as it does when they did not pass.
    return [replace(check, uses=tuple(u for u in check.uses if u in wanted)) for check in plan
            if check.name in wanted]


def run_checks(ctx, only=None, group=None, ignore_errors=True, **kwargs):
    """Run the real plan for ctx's options (only some checks of it, with what they need); return
    {check name: CheckResult}."""
    plan = select(build_plan(ctx.options, ctx.env), only, group)
    return {r.check.name: r for r in run_plan(plan, ctx, ignore_errors=ignore_errors, **kwargs)}


def registry_env(cloud, **extra):
    """The environment of a registry test: the fake cloud's CA trusted, no proxy, nothing from the machine
    (not even the Docker configuration in the machine's HOME)."""
    extra.setdefault("HOME", NO_HOME)
    return standins.env_for(REQUESTS_CA_BUNDLE=cloud.ca, **extra)


NO_HOME = "/nonexistent/acrhealth-no-home"   # a HOME that holds nothing


def run_registry(cloud, account=None, ignore_errors=True, env=None, edges=None, names=None, **options):
    """Run the registry checks of the real plan against the fake cloud; return {check name: CheckResult}.
    names ({host: [addresses]}) is what this machine's DNS answers the checks for those hosts (see NamedEdges)."""
    options.setdefault("timeout", 2)
    if "registry_name" not in options:
        options.setdefault("login_server", cloud.netloc)
    account = account if account is not None else StubAccount(cloud)
    env = registry_env(cloud) if env is None else env
    if names is not None:
        edges = NamedEdges(names, options["timeout"], env, os.getcwd(), account)
    ctx = Context(Options(**options), account=account, env=env, edges=edges)
    return run_checks(ctx, group=REGISTRY, ignore_errors=ignore_errors)


class NamedEdges(Edges):
    """The real edges, except that the checks' lookups of some names give fixed addresses: a DNS answer that
    cannot exist here (a public or private-endpoint address). Only the checks' view changes: HTTP resolves
    through the system, so nothing is ever sent to those addresses."""

    def __init__(self, names, *args):
        super().__init__(*args)
        self.names = {host.lower(): tuple(addresses) for host, addresses in names.items()}

    def resolve(self, host, timeout=None):
        if host.lower() in self.names:
            addresses = self.names[host.lower()]
            return Resolution(host, addresses=addresses) if addresses else \
                Resolution(host, error="not_found", reason="Name or service not known")
        return super().resolve(host, timeout)


def outcome(results, name):
    return results[name].outcome


def registry_json(cloud, name="myreg", **properties):
    """A registry resource as ARM returns it, with the fake cloud as its login server."""
    sub = cloud.scenario.subscription
    rid = "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/{}".format(sub, name)
    props = {"loginServer": cloud.netloc, "publicNetworkAccess": "Enabled"}
    props.update(properties)
    return {"id": rid, "name": name, "type": "Microsoft.ContainerRegistry/registries", "location": "westus",
            "sku": {"name": "Premium"}, "properties": props}


def with_registry(cloud, **properties):
    """Make the fake cloud's ARM list hold one registry (registry_json) with these properties; return it."""
    registry = registry_json(cloud, **properties)
    cloud.scenario.registries = [registry]
    return registry


HANG_GUARD = 30   # seconds: generous; only catches a hang, never measures speed


def run_bounded(cloud, **options):
    """run_registry for broken and hostile servers: it must end (well within HANG_GUARD) and crash nothing."""
    import time
    start = time.monotonic()
    results = run_registry(cloud, **options)
    assert time.monotonic() - start < HANG_GUARD
    assert not [n for n, r in results.items() if r.outcome.status.value == "crashed"]
    return results
