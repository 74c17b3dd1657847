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
from azext_acrhealth.plan import REGISTRY, build_plan
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
    """The checks named (or of the group), and every check they need, in plan order."""
    if only is None and group is None:
        return plan
    by_name = {check.name: check for check in plan}
    wanted = set(only or ()) | {check.name for check in plan if check.group == group}
    stack = list(wanted)
    while stack:
        for need in by_name[stack.pop()].needs:
            if need not in wanted:
                wanted.add(need)
                stack.append(need)
    # A check that only uses another (reads its handoff when it passed) runs without it: drop the use.
    return [replace(check, uses=tuple(u for u in check.uses if u in wanted))
            for check in plan if check.name in wanted]


def run_checks(ctx, only=None, group=None, ignore_errors=True, **kwargs):
    """Run the real plan for ctx's options (only some checks of it, with what they need); return
    {check name: CheckResult}."""
    plan = select(build_plan(ctx.options, ctx.env), only, group)
    return {r.check.name: r for r in run_plan(plan, ctx, ignore_errors=ignore_errors, **kwargs)}


def registry_env(cloud, **extra):
    """The environment of a registry test: the fake cloud's CA trusted, no proxy, nothing from the machine."""
    return standins.env_for(REQUESTS_CA_BUNDLE=cloud.ca, **extra)


def run_registry(cloud, account=None, ignore_errors=True, env=None, edges=None, **options):
    """Run the registry checks of the real plan against the fake cloud; return {check name: CheckResult}."""
    options.setdefault("timeout", 2)
    if "registry_name" not in options:
        options.setdefault("login_server", cloud.netloc)
    ctx = Context(Options(**options), account=account if account is not None else StubAccount(cloud),
                  env=registry_env(cloud) if env is None else env, edges=edges)
    return run_checks(ctx, group=REGISTRY, ignore_errors=ignore_errors)


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
