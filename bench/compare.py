"""Wall time of our `az acr check-health` against the built-in command, on the end-to-end fake cloud.

Both commands run through the same real `az`, inside the end-to-end suite's network namespace with its
fake cloud (tests/support/e2e.py, tests/support/netns.py): the built-in with an empty AZURE_EXTENSION_DIR, ours with a
folder holding the extension installed from a wheel freshly built from this checkout. Every run gets
its own copy of the same logged-in configuration and its own HOME. The runs alternate built-in, ours,
built-in, ours ... and the wall time is measured around each az process. Scenarios:

  (a) a healthy registry: `-n <registry> --yes`, stand-in docker and helm on PATH
  (b) the environment only: `--yes`, stand-ins on PATH
  (c) the registry's /v2/ accepts the connection and never answers
  (d) the registry's token endpoint (/oauth2/exchange) accepts the connection and never answers
  (e) `az version`, with and without the extension installed (the cost of loading it)
  (i) ours only: (a) with `--image app:v1` against (a) without it, paired: the cost of the image checks
      (an index of two platforms, a 5 MiB layer, downloads redirected to the data endpoint)
  (f) the floor: (a) with a do-nothing extension (bench/floor) in our place, paired with the built-in
  (g) the floor of a registry check: as (f), but the extension imports requests and gets the ARM token
      and the registry's Azure AD token from azure-cli's Profile, as any registry check must first
  (h) the floor of (b): (b) with the do-nothing extension in our place

For each: the median wall time of each side and the median of the paired ratios ours/built-in, then
the median duration of each of our checks in (a). In (c) and (d) the built-in is cut off at 60 s
(reported as "> 60 s") and runs fewer rounds; ours runs with its default --timeout (10 s), so its whole
run is bounded at 15 s. The script prints; it asserts nothing about speed.

    make bench
    python bench/compare.py [--rounds 5] [--hang-rounds 2] [--version-rounds 15] [--only abcdeifgh]

Needs unprivileged user, network and mount namespaces (`unshare -rnm`) and the test tools (trustme).
The default run takes about 7 minutes on 2 cores, most of it the built-in waiting in (c) and (d).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import azcli, e2e, standins  # noqa: E402 - the harness lives beside the package
from tests.support.fakecloud import sample_image  # noqa: E402

CAP = 60.0                  # seconds after which a run is cut off
FLOOR = ROOT / "bench" / "floor"   # the do-nothing extension of scenarios f, g and h
OUR_BOUND = 15.0            # our documented bound at the default --timeout: 1.5 x 10 s
CHECK_HEALTH = ("acr", "check-health", "-n", e2e.REGISTRY, "--yes", "-o", "json")
IMAGE_CHECKS = ("image_access", "image_manifest", "layer_download", "image_platform", "layer_throughput")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    args: tuple
    cloud: dict = None          # fake cloud behaviour; None runs without the fake cloud
    rounds: str = "rounds"      # which option sets the number of rounds
    builtin_rounds: str = None  # which option limits the built-in's rounds (None: as many as ours)
    stand_ins: bool = True
    baseline: tuple = None      # ours with these arguments in the built-in's place: a cost of ours alone
    ours: str = "ours"          # the extension on our side: "ours", or "floor" (bench/floor)
    ours_env: tuple = ()        # (name, value) pairs added to our side's environment


def scenarios():
    hang = {"hang_seconds": CAP + 30}   # longer than the cap: the built-in is really cut off
    return [
        Scenario("a", "healthy, -n --yes", CHECK_HEALTH, e2e.scenario()),
        Scenario("b", "environment only, --yes", ("acr", "check-health", "--yes", "-o", "json"), e2e.scenario()),
        Scenario("c", "/v2/ never answers", CHECK_HEALTH, e2e.scenario(v2="hang", **hang),
                 builtin_rounds="hang_rounds"),
        Scenario("d", "token endpoint never answers", CHECK_HEALTH, e2e.scenario(exchange="hang", **hang),
                 builtin_rounds="hang_rounds"),
        Scenario("e", "az version (load cost)", ("version", "-o", "json"), None, rounds="version_rounds",
                 stand_ins=False),
        Scenario("i", "--image, ours with / without", CHECK_HEALTH + ("--image", "app:v1"),
                 e2e.image_scenario(sample_image(platforms=("linux/amd64", "linux/arm64/v8"), layer_size=5 << 20)),
                 baseline=CHECK_HEALTH),
        Scenario("f", "floor: nothing, -n --yes", CHECK_HEALTH, e2e.scenario(), ours="floor"),
        Scenario("g", "floor: two tokens, -n --yes", CHECK_HEALTH, e2e.scenario(), ours="floor",
                 ours_env=(("ACRFLOOR", "tokens"),)),
        Scenario("h", "floor: nothing, --yes", ("acr", "check-health", "--yes", "-o", "json"), e2e.scenario(),
                 ours="floor"),
    ]


@dataclass
class Measured:
    scenario: Scenario
    builtin: list = field(default_factory=list)    # per round: {seconds, returncode, stdout}, or None
    ours: list = field(default_factory=list)


# ---------------------------------------------------------------- set-up

def prepare(root):
    """The extension built and installed from this checkout, and the suite's logged-in session."""
    extensions = azcli.install_from_checkout(root / "ours")
    session = e2e.Session(root / "session", extensions)
    empty = root / "builtin-extensions"
    empty.mkdir()
    return session, {"builtin": empty, "ours": extensions}


def prepare_floor(root):
    """The do-nothing extension (bench/floor) built and installed, with a logged-in session of its own: az's
    command index, made when the session logs in, must name the extension that overrides the command."""
    import shutil
    import subprocess
    source = shutil.copytree(FLOOR, root / "floor-src")   # built from a copy: nothing left in the checkout
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(root / "floor-dist"), str(source)],
                   check=True, timeout=300, capture_output=True)
    extensions = root / "floor-extensions"
    (root / "floor-home").mkdir()
    azcli.install_extension(next((root / "floor-dist").glob("acrfloor-*.whl")),
                            azcli.base_env(root / "floor-home", root / "floor-config", extensions))
    return e2e.Session(root / "floor-session", extensions), extensions


def side_env(session, folder, tools, extension_dir):
    """A fresh copy of the logged-in configuration and HOME for one run of one side."""
    home, config = session.test_config(folder)
    env = session.env(home, config, path=str(tools))
    env["AZURE_EXTENSION_DIR"] = str(extension_dir)
    return env


# ---------------------------------------------------------------- measuring

def measure(session, extension_dirs, scenario, folder, rounds, builtin_rounds, floor=None):
    """All rounds of one scenario in one namespace, alternating built-in and ours (or the floor: floor is
    its (session, extension folder))."""
    tools = folder / "bin"
    tools.mkdir(parents=True)
    if scenario.stand_ins:
        standins.write_docker(tools, "ok")
        standins.write_helm(tools, standins.HELM3_OUTPUT)
    order = []
    commands = []
    for i in range(rounds):
        for side in ("builtin", "ours"):
            if side == "builtin" and i >= builtin_rounds:
                continue
            # A paired scenario of ours alone runs ours with the baseline arguments on the built-in's side.
            paired = scenario.baseline is not None
            if side == "ours" and scenario.ours == "floor":
                env = side_env(floor[0], folder / "{}-{}".format(i, side), tools, floor[1])
                env["REQUESTS_CA_BUNDLE"] = str(session.certs.ca)   # the batch's fake cloud is this session's
            else:
                env = side_env(session, folder / "{}-{}".format(i, side), tools,
                               extension_dirs["ours" if paired else side])
            if side == "ours":
                env.update(scenario.ours_env)
            order.append((i, side))
            commands.append((list(scenario.baseline if paired and side == "builtin" else scenario.args), env))
    report = session.batch(folder / "run", commands, scenario.cloud, timeout=CAP)
    measured = Measured(scenario, [None] * rounds, [None] * rounds)
    for (i, side), command in zip(order, report["commands"], strict=True):
        getattr(measured, side)[i] = command
    return measured


# ---------------------------------------------------------------- figures

def timed_out(command):
    return command["returncode"] is None


def seconds(runs):
    return [c["seconds"] for c in runs if c is not None]


def _wall_text(runs, reduce, capped):
    """reduce() of the finished runs' seconds, or "> CAP s" when capped() holds over their time-outs."""
    done = [c for c in runs if c is not None]
    if not done:
        return "-"
    if capped(timed_out(c) for c in done):
        return "> {:.0f} s".format(CAP)
    return "{:.2f} s".format(reduce(seconds(done)))


def median_text(runs):
    return _wall_text(runs, statistics.median, all)


def max_text(runs):
    return _wall_text(runs, max, any)


def difference_text(measured):
    """The median of the paired differences, ours minus the other side, in seconds."""
    pairs = [o["seconds"] - b["seconds"] for b, o in zip(measured.builtin, measured.ours, strict=True)
             if b is not None and o is not None and not timed_out(b) and not timed_out(o)]
    if not pairs:
        return "-"
    spread = "{:+.2f}..{:+.2f}".format(*statistics.quantiles(pairs, n=4)[::2]) if len(pairs) > 1 else "-"
    return "{:+.2f} s ({})".format(statistics.median(pairs), spread)


def ratio_text(measured):
    pairs = [(b, o) for b, o in zip(measured.builtin, measured.ours, strict=True)
             if b is not None and o is not None and not timed_out(o)]
    finished = [(b, o) for b, o in pairs if not timed_out(b)]
    if finished:
        ratios = [o["seconds"] / b["seconds"] for b, o in finished]
        return "{:.2f} ({})".format(statistics.median(ratios), quartiles_text(ratios))
    if pairs:   # the built-in was cut off every time: the ratio is below ours / cap
        return "< {:.2f}".format(statistics.median(o["seconds"] for _, o in pairs) / CAP)
    return "-"


def quartiles_text(values):
    """The first and third quartiles: the spread of the middle half of the paired ratios."""
    if len(values) < 2:
        return "-"
    low, _, high = statistics.quantiles(values, n=4)
    return "{:.2f}-{:.2f}".format(low, high)


def exits_text(runs):
    codes = sorted({"cut off" if timed_out(c) else str(c["returncode"]) for c in runs if c is not None})
    return ",".join(codes) or "-"


def check_durations(measured):
    """Median durationSeconds of each of our checks over the rounds of (a), in report order."""
    durations = {}
    for command in measured.ours:
        try:
            checks = json.loads(command["stdout"])["checks"]
        except (TypeError, ValueError, KeyError):
            continue
        for check in checks:
            durations.setdefault((check["name"], check["title"]), []).append(check["durationSeconds"] or 0.0)
    return [(name, title, statistics.median(values)) for (name, title), values in durations.items()]


# ---------------------------------------------------------------- output

def header(options):
    return ["acrhealth benchmark: ours against the built-in `az acr check-health`, on the local fake cloud",
            "{}; Python {}; azure-cli {}; {} cores".format(time.strftime("%Y-%m-%d"), platform.python_version(),
                                                          version("azure-cli"), os.cpu_count()),
            "rounds: {} (e: {}); in c and d the built-in runs {} round(s) and is cut off at {:.0f} s; "
            "ours uses its default --timeout (10 s, run bounded at {:.0f} s)".format(
                options.rounds, options.version_rounds, options.hang_rounds, CAP, OUR_BOUND),
            ""]


def table(results):
    row = "{:<32} {:>6} {:>9} {:>9} {:>9} {:>22}  {}"
    lines = ["medians of wall time; rounds built-in/ours; ours max = the slowest of our runs; ours/built-in = the "
             "median of the paired ratios (their first-third quartiles)",
             row.format("scenario", "rounds", "built-in", "ours", "ours max", "ours/built-in", "exit built-in / ours")]
    for m in results:
        rounds = "{}/{}".format(len(seconds(m.builtin)), len(seconds(m.ours)))
        lines.append(row.format("({}) {}".format(m.scenario.key, m.scenario.title), rounds, median_text(m.builtin),
                                median_text(m.ours), max_text(m.ours),
                                difference_text(m) if m.scenario.baseline else ratio_text(m),
                                "{} / {}".format(exits_text(m.builtin), exits_text(m.ours))))
    if any(m.scenario.baseline for m in results):
        lines.append("in (i) the built-in column is ours without --image, and the ratio column the median of the "
                     "paired differences (their quartiles; target <= +0.35 s)")
    if any(m.scenario.ours == "floor" for m in results):
        lines.append("in (f), (g) and (h) the ours column is the floor: the do-nothing extension of bench/floor")
    return lines


def durations_table(measured, only=None):
    lines = ["", "our checks in ({}), median seconds:".format(measured.scenario.key)]
    for name, title, value in check_durations(measured):
        if only is None or name in only:
            lines.append("  {:<28} {:<32} {:6.2f}".format(name, title, value))
    return lines


# ---------------------------------------------------------------- main

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of a to d and i for ours (default 5)")
    parser.add_argument("--hang-rounds", type=int, default=2,
                        help="rounds of the built-in in c and d, each up to 60 s (default 2)")
    parser.add_argument("--version-rounds", type=int, help="rounds of e (default 3 x --rounds)")
    parser.add_argument("--only", default="abcdeifgh", help="scenarios to run, e.g. 'ae' (default all)")
    options = parser.parse_args(argv)
    if options.version_rounds is None:
        options.version_rounds = 3 * options.rounds
    return options


def rounds_for(scenario, options):
    rounds = getattr(options, scenario.rounds)
    builtin = min(rounds, getattr(options, scenario.builtin_rounds)) if scenario.builtin_rounds else rounds
    return rounds, builtin


def main(argv=None):
    options = parse_args(argv)
    if not azcli.namespaces_available("-rnm"):
        sys.exit("unprivileged user, network and mount namespaces (unshare -rnm) are not available here")
    started = time.monotonic()
    print("\n".join(header(options)), flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="acrhealth-bench-") as tmp:
        root = Path(tmp)
        session, extension_dirs = prepare(root)
        floor = prepare_floor(root) if set("fgh") & set(options.only) else None
        for scenario in scenarios():
            if scenario.key not in options.only:
                continue
            print("running ({}) {} ...".format(scenario.key, scenario.title), file=sys.stderr, flush=True)
            results.append(measure(session, extension_dirs, scenario, root / scenario.key,
                                   *rounds_for(scenario, options), floor=floor))
    print("\n".join(table(results)))
    healthy = [m for m in results if m.scenario.key == "a"]
    if healthy:
        print("\n".join(durations_table(healthy[0])))
    image = [m for m in results if m.scenario.key == "i"]
    if image:
        print("\n".join(durations_table(image[0], only=IMAGE_CHECKS)))
    print("\nwhole benchmark: {:.0f} s".format(time.monotonic() - started))


if __name__ == "__main__":
    main()
