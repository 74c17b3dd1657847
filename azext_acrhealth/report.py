"""The one renderer: the human report on stderr, the structured result, and the table view.

Checks decide; this module only presents. Marks belong here, not to the checks.
"""

from collections import OrderedDict

from . import catalogue
from .outcome import NotRun, Status
from .text import plural, printable, without_userinfo

FAQ = "https://aka.ms/acr/health-check"

_MARKS = {Status.PASSED: ("✓", "OK"), Status.WARNING: ("!", "WARN"), Status.FAILED: ("✗", "FAIL"),
          Status.SKIPPED: ("-", "SKIP"), Status.CRASHED: ("✗", "CRASH")}
_COLOURS = {Status.PASSED: "32", Status.WARNING: "33", Status.FAILED: "31", Status.SKIPPED: "2",
            Status.CRASHED: "35"}


def solutions(outcome):
    """The specific fix first, then the catalogue's potential solutions that do not repeat it, each as a
    sentence (the public reference writes some in lower case without a full stop)."""
    items = [outcome.fix] if outcome.fix else []
    if outcome.code in catalogue.CODES:
        items += [s for s in catalogue.get(outcome.code).solutions if not (outcome.fix and _repeats(s, outcome.fix))]
    return [_sentence(item) for item in items]


_STOP_WORDS = {"a", "an", "the", "to", "and", "or", "of", "it", "that", "is", "be", "then", "again", "your", "try"}


def _words(text):
    import re
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)} - _STOP_WORDS
    # "Restart the daemon" and "start the daemon" give the same advice.
    return {"start" if w == "restart" else w for w in words}


def _repeats(solution, fix):
    """Whether a catalogue solution only says again what the case's own fix says: every significant word
    of its first clause is in the fix ("Restart Docker daemon, ..." after "start the Docker daemon ...")."""
    import re
    first = re.split(r",|;| or |\(", solution, maxsplit=1)[0]
    words = _words(first)
    return bool(words) and words <= _words(fix)


def _sentence(text):
    text = text.strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def safe(value, multiline=False):
    """What a check found, fit to show: no control characters (a server's escape sequences must not reach
    the terminal), no URL credentials. Applied to every string of the report and the JSON."""
    if isinstance(value, str):
        return printable(without_userinfo(value), multiline=multiline)
    if isinstance(value, dict):
        return {safe(k): safe(v, multiline=True) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe(v, multiline) for v in value]
    return value


def check_entry(result):
    outcome = result.outcome
    code = catalogue.CODES.get(outcome.code)
    entry = OrderedDict()
    entry["name"] = result.check.name
    entry["title"] = result.check.title
    entry["status"] = outcome.status.value
    entry["code"] = outcome.code
    entry["message"] = safe(outcome.message)
    entry["meaning"] = code.meaning if code else None
    entry["solutions"] = safe(solutions(outcome))
    entry["commands"] = safe(list(outcome.commands))
    entry["link"] = code.link if code else None
    entry["durationSeconds"] = round(result.duration, 3)
    entry["notRun"] = result.not_run.value if result.not_run else None
    entry["details"] = safe(dict(outcome.details))
    return entry


def summarise(results, elapsed, registry=None):
    counts = OrderedDict((s.value, 0) for s in Status)
    for result in results:
        counts[result.outcome.status.value] += 1
    bad = counts[Status.FAILED.value] + counts[Status.CRASHED.value]
    status = "failed" if bad else ("warning" if counts[Status.WARNING.value] else "passed")
    body = OrderedDict()
    body["status"] = status
    body["registry"] = registry
    body["summary"] = counts
    body["elapsedSeconds"] = round(elapsed, 3)
    body["checks"] = [check_entry(r) for r in results]
    return body


def summary_line(body):
    counts = body["summary"]
    parts = ["{} {}".format(counts[s.value], s.value) for s in Status
             if counts[s.value] or s in (Status.PASSED, Status.FAILED)]
    return "{} in {:.1f} s".format(", ".join(parts), body["elapsedSeconds"])


def not_run_line(body):
    """One line for every check the run did not reach because it stopped at the first failure (a skip at
    the run's time limit says so itself), or None."""
    count = sum(1 for c in body["checks"] if c["notRun"] == NotRun.FIRST_FAILURE)
    if not count:
        return None
    return "{} not run: stopped at the first failure; pass --ignore-errors to run them".format(
        plural(count, "check"))


TSV_COLUMNS = ("name", "status", "code", "seconds", "message")


def rows(body):
    """One row per check for `-o tsv`, columns in TSV_COLUMNS order (lists: az sorts the keys of a dict)."""
    return [[c["name"], c["status"], c["code"] or "", c["durationSeconds"], c["message"]] for c in body["checks"]]


class HumanReport:
    """Writes one line per check as it completes, with the catalogue's help for each failure."""

    def __init__(self, stream, colour=False, only_errors=False):
        self.stream = stream
        self.colour = colour
        self.only_errors = only_errors
        encoding = (getattr(stream, "encoding", None) or "ascii").lower()
        self.unicode = encoding.startswith("utf")
        self.reported = 0        # check lines written (or filtered out by only_errors)

    def _paint(self, text, status, bold=False):
        if not self.colour:
            return text
        return "\x1b[{}{}m{}\x1b[0m".format("1;" if bold else "", _COLOURS[status], text)

    def _write(self, text):
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError, UnicodeError):
            pass  # a closed or narrow stderr must not turn the diagnosis into a crash

    def waiting(self, check, budget):
        """A check is taking long: say what we wait for and for how long at most."""
        if not self.only_errors:
            self._write(self._paint("    ... still waiting for {} (at most {:g} s)".format(check.title.lower(), budget),
                                    Status.SKIPPED))

    def check(self, result):
        outcome, status = result.outcome, result.outcome.status
        self.reported += 1
        if self.only_errors and not status.bad or result.not_run == NotRun.FIRST_FAILURE:
            return      # checks not run after the first failure get one line, before the summary
        mark = _MARKS[status][0 if self.unicode else 1]
        line = "[{}] {}: {}".format(self._paint(mark, status, bold=True), result.check.title, safe(outcome.message))
        if outcome.code and not status.bad:
            line += " ({})".format(outcome.code)
        if result.duration >= 0.05:
            line += self._paint(" ({:.1f} s)".format(result.duration), Status.SKIPPED)
        self._write(line)
        if status.bad or (status is Status.WARNING and (outcome.code or outcome.fix or outcome.commands)):
            self._explain(outcome)

    def _explain(self, outcome):
        code = catalogue.CODES.get(outcome.code)
        if code:
            self._write("    {}: {}".format(self._paint(code.name, outcome.status, bold=True), code.meaning))
        items = safe(solutions(outcome))
        if items:
            self._write("    Potential solutions:")
            for item in items:
                self._write("      - {}".format(item))
        commands = safe(list(outcome.commands))
        if commands:
            self._write("    Run:")
            for command in commands:
                self._write("      {}".format(command))
        if code:
            self._write("    More: {}".format(code.link))

    def interrupted(self, by, elapsed, planned):
        """The run was stopped by a signal: what became of it, in place of the summary."""
        left = planned - self.reported
        self._write(self._paint("Interrupted by {} after {:.1f} s: {} of {} checks reported{}; no process was left "
                                "running.".format(by, elapsed, self.reported, planned,
                                                  ", the others stopped" if left else ""), Status.FAILED, bold=True))

    def summary(self, body):
        status = {"passed": Status.PASSED, "warning": Status.WARNING}.get(body["status"], Status.FAILED)
        not_run = not_run_line(body)
        if not_run:
            self._write(self._paint("[{}] {}".format(_MARKS[Status.SKIPPED][0 if self.unicode else 1], not_run),
                                    Status.SKIPPED))
        self._write(self._paint(summary_line(body), status, bold=True))
        if body["status"] != "passed" and not self.only_errors:
            self._write("Please refer to {} for more information.".format(FAQ))
