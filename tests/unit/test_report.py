"""The renderer: human lines, colour rules, only-show-errors, the structured result."""

import io
import json

from azext_acrhealth.outcome import NotRun, crashed, failed, passed, skipped, warning
from azext_acrhealth.report import TSV_COLUMNS, HumanReport, not_run_line, rows, solutions, summarise
from azext_acrhealth.runner import Check, CheckResult


def result(name, outcome, duration=0.01, not_run=None):
    return CheckResult(Check(name, name.replace("_", " ").capitalize(), None), outcome, duration, not_run)


RESULTS = [
    result("docker_client", passed("/usr/bin/docker", path="/usr/bin/docker")),
    result("docker_daemon", failed("DOCKER_DAEMON_ERROR", "permission denied on unix:///var/run/docker.sock",
                                   fix="add your user to the docker group")),
    result("helm", warning("Helm 3.7.1", code="HELM_OCI_WARNING")),
    result("pull", skipped("skipped because docker daemon failed")),
]


class Tty(io.StringIO):
    encoding = "utf-8"

    def isatty(self):
        return True


def render(colour=False, only_errors=False, results=RESULTS):
    stream = Tty()
    report = HumanReport(stream, colour=colour, only_errors=only_errors)
    for r in results:
        report.check(r)
    report.summary(summarise(results, 1.234))
    return stream.getvalue()


def test_failure_shows_code_meaning_fix_solutions_and_link():
    text = render()
    assert "[✗] Docker daemon: permission denied on unix:///var/run/docker.sock" in text
    assert "DOCKER_DAEMON_ERROR: This error means that the Docker daemon status is unavailable" in text
    fix = text.index("Add your user to the docker group.")
    catalogue_solution = text.index("Restart Docker daemon, or validate that it is properly installed.")
    assert fix < catalogue_solution
    assert "More: https://aka.ms/acr/errors#docker_daemon_error" in text


def test_marks_for_each_status():
    text = render()
    assert "[✓] Docker client: /usr/bin/docker" in text
    assert "[!] Helm: Helm 3.7.1 (HELM_OCI_WARNING)" in text
    assert "[-] Pull: skipped because docker daemon failed" in text


def test_ascii_marks_when_the_stream_cannot_encode_them():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    HumanReport(stream).check(RESULTS[1])
    stream.seek(0)
    assert stream.read().startswith("[FAIL] Docker daemon")


def test_summary_line_counts_and_time():
    text = render()
    assert "1 passed, 1 warning, 1 failed, 1 skipped in 1.2 s" in text
    assert "https://aka.ms/acr/health-check" in text


def test_colour_only_when_asked():
    assert "\x1b[" not in render(colour=False)
    assert "\x1b[" in render(colour=True)


def test_only_errors_keeps_failures_and_summary():
    text = render(only_errors=True)
    assert "Docker daemon" in text and "DOCKER_DAEMON_ERROR" in text
    assert "Docker client" not in text and "Helm" not in text and "Pull" not in text
    assert "1 failed" in text


def test_structured_result_shape():
    body = json.loads(json.dumps(summarise(RESULTS, 1.5, registry="myreg")))
    assert body["status"] == "failed"
    assert body["registry"] == "myreg"
    assert body["summary"] == {"passed": 1, "warning": 1, "failed": 1, "skipped": 1, "crashed": 0}
    daemon = body["checks"][1]
    assert daemon["code"] == "DOCKER_DAEMON_ERROR"
    assert daemon["solutions"][0] == "Add your user to the docker group."
    assert daemon["link"] == "https://aka.ms/acr/errors#docker_daemon_error"
    assert body["checks"][0]["details"] == {"path": "/usr/bin/docker"}


def test_overall_status_is_warning_without_failures_and_crash_counts_as_failure():
    assert summarise(RESULTS[2:3], 0.1)["status"] == "warning"
    assert summarise(RESULTS[:1], 0.1)["status"] == "passed"
    assert summarise([result("x", crashed("KeyError: 'a'"))], 0.1)["status"] == "failed"


def test_private_data_never_reaches_the_output():
    r = result("token", passed("refresh token obtained", handoff={"refresh_token": "eyJhbGciOi.SECRET"}))
    assert "SECRET" not in json.dumps(summarise([r], 0.1))
    assert "SECRET" not in render(results=[r])


def test_tsv_rows_are_flat_and_in_the_documented_column_order():
    assert TSV_COLUMNS == ("name", "status", "code", "seconds", "message")
    assert rows(summarise(RESULTS, 1))[1] == ["docker_daemon", "failed", "DOCKER_DAEMON_ERROR", 0.01,
                                              "permission denied on unix:///var/run/docker.sock"]


def test_checks_not_run_after_the_first_failure_are_one_line_with_the_hint_once():
    stopped = [result("a", failed("DOCKER_DAEMON_ERROR", "down"))] + \
        [result(name, skipped("not run: stopped at the first failure"), not_run=NotRun.FIRST_FAILURE)
         for name in ("b", "c", "d")] + \
        [result("e", skipped("not run: the run's time limit of 15 s was reached"))]
    body = summarise(stopped, 1.0)
    assert not_run_line(body) == "3 checks not run: stopped at the first failure; pass --ignore-errors to run them"
    text = render(results=stopped)
    assert text.count("--ignore-errors") == 1 and "[-] B:" not in text and "[-] E:" in text
    assert [c["notRun"] for c in body["checks"]] == [None, "first_failure", "first_failure", "first_failure", None]
    assert not_run_line(summarise(stopped[:1] + stopped[-1:], 1.0)) is None


def test_a_catalogue_solution_that_repeats_the_fix_is_dropped():
    down = failed("DOCKER_DAEMON_ERROR", "down", fix="start the Docker daemon ('sudo systemctl start docker')")
    assert solutions(down) == ["Start the Docker daemon ('sudo systemctl start docker')."]
    login = failed("AZURE_LOGIN_ERROR", "no token", fix="run `az login`, then try again")
    assert solutions(login)[0] == "Run `az login`, then try again."
    assert not any(s.startswith("Run `az login` (or") for s in solutions(login))
    assert len(solutions(login)) == 2          # "check that the selected subscription..." stays
    other = failed("DOCKER_DAEMON_ERROR", "denied", fix="add your user to the 'docker' group")
    assert solutions(other) == ["Add your user to the 'docker' group.",
                                "Restart Docker daemon, or validate that it is properly installed."]
    # The public reference's own wording stays in the catalogue (and the README); only its display changes.
    assert solutions(failed("DOCKER_COMMAND_ERROR", "x")) == ["Installing Docker client.",
                                                              "Adding Docker path to the system variables."]


HOSTILE = "\x1b[2J\x1b]0;owned\x07evil\rfake \x9b31m line"


def test_control_characters_from_servers_and_tools_never_reach_the_terminal_or_the_json():
    r = result("challenge", failed("CONNECTIVITY_CHALLENGE_ERROR", "redirecting to " + HOSTILE,
                                   fix="look at " + HOSTILE, commands=["az acr show -n " + HOSTILE],
                                   location=HOSTILE, output="line one\nline two " + HOSTILE))
    text = render(results=[r])
    body = json.dumps(summarise([r], 0.1), ensure_ascii=False)
    for bad in ("\x1b", "\x07", "\r", "\x9b"):
        assert bad not in text and bad not in body
    assert "\\x1b[2J" in text and "evil\\x0dfake" in text
    entry = summarise([r], 0.1)["checks"][0]
    assert entry["details"]["output"].startswith("line one\nline two")   # newlines kept in multi-line details


def test_proxy_credentials_are_masked_everywhere_up_to_the_last_at_sign():
    leak = "http://user:p@ss@proxy.example:8080"
    r = result("challenge", failed("CONNECTIVITY_CHALLENGE_ERROR", "proxy {} failed".format(leak),
                                   fix="check {}".format(leak), proxy=leak, reason="via " + leak))
    for text in (render(results=[r]), json.dumps(summarise([r], 0.1))):
        assert "p@ss" not in text and "ss@proxy" not in text and "user" not in text
        assert "http://***@proxy.example:8080" in text


def test_commands_are_listed_as_copyable_lines_and_in_the_json():
    r = result("access", failed("REPOSITORY_PERMISSION_ERROR", "no pull",
                                commands=["az role assignment create --role AcrPull --assignee x --scope y"]))
    text = render(results=[r])
    assert "\n      az role assignment create --role AcrPull --assignee x --scope y\n" in text
    assert summarise([r], 0.1)["checks"][0]["commands"] == [
        "az role assignment create --role AcrPull --assignee x --scope y"]


def test_a_warning_without_a_code_still_shows_its_fix_and_commands():
    text = render(results=[result("docker_login", warning("docker is not logged in to this registry",
                                                          fix="log in to the registry",
                                                          commands=["az acr login -n myreg"]))])
    assert "[!] Docker login: docker is not logged in to this registry\n" in text
    assert "      - Log in to the registry.\n    Run:\n      az acr login -n myreg\n" in text
    assert "More:" not in text


def test_a_warning_without_a_code_or_fix_is_one_line():
    text = render(results=[result("access_token", warning("access token issued, catalog not granted"))])
    assert text.splitlines()[0] == "[!] Access token: access token issued, catalog not granted"
    assert "Potential solutions" not in text
def test_an_interrupted_run_ends_with_what_was_stopped_instead_of_the_summary():
    stream = Tty()
    report = HumanReport(stream, only_errors=True)
    for r in RESULTS[:2]:
        report.check(r)
    report.interrupted("SIGTERM", 2.04, 8)
    last = stream.getvalue().splitlines()[-1]
    assert last == "Interrupted by SIGTERM after 2.0 s: 2 of 8 checks reported, the others stopped; no process " \
                   "was left running."
