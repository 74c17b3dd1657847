"""`az acr check-health`: build the context, run the plan, report, return the result."""

import sys
import time
from contextlib import contextmanager

from .context import DEFAULT_TIMEOUT, Context, Options


def acr_check_health(cmd, registry_name=None, ignore_errors=False, yes=False, vnet=None, repository=None,
                     timeout=None, image=None, username=None, password=None):
    try:
        return _check_health(cmd, registry_name, ignore_errors, yes, vnet, repository, timeout, image,
                             credentials=(username, password))
    except KeyboardInterrupt:
        raise
    except Exception as ex:  # noqa: BLE001 - the last line of defence: a clear message, never a traceback
        from knack.util import CLIError

        from .report import safe
        raise CLIError("acrhealth could not complete the diagnosis ({}: {}). Please report this at "
                       "https://aka.ms/acr/issues with the output of --debug.".format(type(ex).__name__,
                                                                                    safe(str(ex)))) from None


def _check_health(cmd, registry_name, ignore_errors, yes, vnet, repository, timeout, image=None,
                  credentials=(None, None)):
    from . import interruptions, report
    from .account import Account
    from .plan import build_plan
    from .runner import run_plan

    started = time.monotonic()
    cli_ctx = cmd.cli_ctx
    options = Options(registry_name=_short_name(registry_name),
                      login_server=registry_name if registry_name and "." in registry_name else None,
                      yes=yes, vnet=vnet, repository=repository, timeout=timeout or DEFAULT_TIMEOUT,
                      image=image, username=credentials[0], password=_password(*credentials))
    ctx = Context(options, account=Account(cli_ctx, subscription=_subscription(cmd)),
                  confirm=_confirm if _stdin_is_tty() else None)
    human = report.HumanReport(sys.stderr, colour=bool(cli_ctx.enable_color) and _isatty(sys.stderr),
                               only_errors=bool(getattr(cli_ctx, "only_show_errors", False)))
    plan = build_plan(options, ctx.env)
    if options.registry_requested:
        ctx.account.prepare()
    # Whatever ends the run (its end, Ctrl-C, SIGTERM, SIGHUP, an error of ours), no child process outlives
    # it. An interruption ends az with 128 + the signal's number, after the report says what was stopped.
    with interruptions.handling():
        try:
            with _closing(ctx.edges):
                results = run_plan(plan, ctx, on_result=human.check, ignore_errors=ignore_errors,
                                   time_limit=options.time_limit, on_slow=human.waiting)
        except KeyboardInterrupt:
            interruptions.settle()
            signum = interruptions.first()
            human.interrupted(interruptions.describe(signum) if signum else "Ctrl-C", time.monotonic() - started,
                              len(plan))
            raise SystemExit(interruptions.exit_status(signum)) from None
    body = report.summarise(results, time.monotonic() - started,
                            registry=options.login_server or options.registry_name)
    human.summary(body)
    if body["status"] == "failed":
        _exit_with_failure_after_output(cli_ctx)
    invocation = getattr(cli_ctx, "invocation", None)
    data = getattr(invocation, "data", None) or {}
    if data.get("output") == "tsv" and not data.get("query_active"):
        # TSV drops nested lists, which would leave nothing of the checks: give one row per check.
        return report.rows(body)
    return body


@contextmanager
def _closing(edges):
    """Close the edges (kill live children) however the block ends, and at interpreter exit too."""
    import atexit
    atexit.register(edges.close)
    try:
        yield
    finally:
        edges.close()
        atexit.unregister(edges.close)


def _password(username, password):
    """-p, else nothing (the check reads ACR_CHECK_HEALTH_PASSWORD), else asked at the terminal, as
    `az acr login -u` asks; the validator has made sure that one of them is there."""
    import os

    from .credentials import PASSWORD_VARIABLE
    if not username or password or os.environ.get(PASSWORD_VARIABLE):
        return password
    from knack.prompting import NoTTYException, prompt_pass
    try:
        return prompt_pass(msg="Password: ") or None
    except NoTTYException:
        return None


def _short_name(name):
    """The registry name for ARM look-ups: the first label of a login server, without a DNL hash."""
    if not name:
        return None
    first = name.split(".", 1)[0]
    return first.split("-", 1)[0] if "." in name else first


def _subscription(cmd):
    try:
        return cmd.cli_ctx.data.get("subscription_id")
    except AttributeError:
        return None


def _exit_with_failure_after_output(cli_ctx):
    """Exit with status 1 once the CLI has printed the result: knack reads the exit code before it
    prints, so the exit is raised from the event that follows the output."""
    from knack.events import EVENT_CLI_SUCCESSFUL_EXECUTE

    def handler(_cli_ctx, **_kwargs):
        raise SystemExit(1)

    cli_ctx.register_event(EVENT_CLI_SUCCESSFUL_EXECUTE, handler)


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _stdin_is_tty():
    return _isatty(sys.stdin)


def _confirm(question):
    """Ask on stderr and read the answer from the terminal, so stdout keeps only the result."""
    try:
        sys.stderr.write("{} (y/n): ".format(question))
        sys.stderr.flush()
        answer = sys.stdin.readline()
    except (OSError, ValueError, UnicodeError):
        return None
    return answer.strip().lower() in ("y", "yes")
