"""Helm checks against helm stand-ins on PATH that print real `helm version` output."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth.checks import helm
from azext_acrhealth.outcome import Status
from tests.support import standins
from tests.support.checks import context, run_checks

HANG_GUARD = 10.0


def run_helm(tmp_path, bin_dir):
    ctx = context(bin_dir, tmp_path, yes=True)
    return {name: r.outcome for name, r in run_checks(ctx, only=("helm_client", "helm_version")).items()}


def test_missing_helm_is_a_command_error_reported_as_a_warning(tmp_path, bin_dir):
    # Not every registry user needs Helm: the code and its fix are reported, the exit status stays 0.
    results = run_helm(tmp_path, bin_dir)
    assert results["helm_client"].status is Status.WARNING
    assert results["helm_client"].code == "HELM_COMMAND_ERROR"
    assert results["helm_client"].message == "no helm executable on PATH"
    assert "install Helm 3.8.0 or later" in results["helm_client"].fix
    assert results["helm_version"].status is Status.SKIPPED
    assert results["helm_version"].message == "Helm is not installed"


def test_helm_3_passes_with_one_invocation(tmp_path, bin_dir):
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.status is Status.PASSED and outcome.message == "Helm 3.14.0"
    assert outcome.details["version"] == "3.14.0"
    assert standins.calls(bin_dir, "helm") == ["version --client"]


def test_helm_3_before_3_8_is_an_oci_warning(tmp_path, bin_dir):
    standins.write_helm(bin_dir, standins.helm_output("3.7.2"))
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.status is Status.WARNING and outcome.code == "HELM_OCI_WARNING"
    assert outcome.details["version"] == "3.7.2" and "before 3.8.0" in outcome.message


def test_helm_2_is_an_oci_warning(tmp_path, bin_dir):
    standins.write_helm(bin_dir, standins.HELM2_OUTPUT)
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.status is Status.WARNING and outcome.code == "HELM_OCI_WARNING"
    assert outcome.details["version"] == "2.17.0" and "Helm 2 cannot" in outcome.message


def test_helm_below_2_11_is_a_version_error(tmp_path, bin_dir):
    standins.write_helm(bin_dir, standins.helm_output("2.10.0"))
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.status is Status.FAILED and outcome.code == "HELM_VERSION_ERROR"
    assert outcome.message == "Helm 2.10.0 is older than 2.11.0, the oldest supported"


def test_failing_helm_version_is_a_version_error_with_its_message(tmp_path, bin_dir):
    standins.write_helm(bin_dir, "", rc=1, stderr="Error: failed to load plugins: plugin.yaml: no such file")
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.status is Status.FAILED and outcome.code == "HELM_VERSION_ERROR"
    assert outcome.message == ("'helm version' exited with status 1: "
                               "Error: failed to load plugins: plugin.yaml: no such file")


def test_unparsable_helm_version_is_a_version_error(tmp_path, bin_dir):
    standins.write_helm(bin_dir, "helm, the package manager, edition seven")
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.code == "HELM_VERSION_ERROR"
    assert outcome.message.endswith("helm, the package manager, edition seven")


def test_harmless_stderr_with_exit_status_0_is_not_a_failure(tmp_path, bin_dir):
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT,
                        stderr="WARNING: Kubernetes configuration file is group-readable. This is insecure.")
    assert run_helm(tmp_path, bin_dir)["helm_version"].status is Status.PASSED


def test_a_helm_without_the_client_flag_is_asked_again_plainly(tmp_path, bin_dir):
    standins.write_helm(bin_dir, standins.helm_output("4.0.0"), client_flag=False)
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert outcome.status is Status.PASSED and outcome.details["version"] == "4.0.0"
    assert standins.calls(bin_dir, "helm") == ["version --client", "version"]


def test_a_helm_that_never_answers_is_bounded(tmp_path, bin_dir):
    standins.write_helm(bin_dir, "", hang=True)
    start = time.monotonic()
    outcome = run_helm(tmp_path, bin_dir)["helm_version"]
    assert time.monotonic() - start < HANG_GUARD
    assert outcome.code == "HELM_VERSION_ERROR" and "did not answer within 2 s" in outcome.message


@pytest.mark.parametrize("output, expected", [
    (standins.HELM2_OUTPUT, ((2, 17, 0), "")),
    (standins.HELM3_OUTPUT, ((3, 14, 0), "")),
    ('Client: &version.Version{SemVer:"v2.17.0", GitCommit:"x", GitTreeState:"clean"}\n'
     'Server: &version.Version{SemVer:"v2.9.1", GitCommit:"y", GitTreeState:"clean"}', ((2, 17, 0), "")),
    ('version.BuildInfo{Version:"v3.15.0-rc.1", GitCommit:"", GitTreeState:"", GoVersion:"go1.22.3"}',
     ((3, 15, 0), "-rc.1")),
    ("v3.14.0+g3fc9f4b\n", ((3, 14, 0), "+g3fc9f4b")),
    ("", None),
    ("Error: unknown command", None),
])
def test_parse_helm_version(output, expected):
    parsed = helm.parse_helm_version(output)
    assert (None if parsed is None else (parsed.numbers, parsed.suffix)) == expected


@pytest.mark.parametrize("numbers, verdict", [
    ((2, 10, 9), helm.TOO_OLD), ((2, 11, 0), helm.OCI_WARNING), ((2, 17, 0), helm.OCI_WARNING),
    ((3, 7, 2), helm.OCI_WARNING), ((3, 8, 0), helm.OK), ((3, 14, 0), helm.OK), ((4, 0, 0), helm.OK),
    ((1, 99, 99), helm.TOO_OLD),
])
def test_assess_helm_version(numbers, verdict):
    assert helm.assess_helm_version(helm.HelmVersion(numbers)) == verdict


# ---------------------------------------------------------------- the parser, on any text

VERSIONS = st.tuples(*[st.integers(0, 10 ** 9 - 1)] * 3)


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_helm_parser_never_raises_on_any_text(text):
    parsed = helm.parse_helm_version(text)
    assert parsed is None or (len(parsed.numbers) == 3 and all(isinstance(n, int) for n in parsed.numbers))
    if parsed is not None:
        assert helm.assess_helm_version(parsed) in (helm.OK, helm.OCI_WARNING, helm.TOO_OLD)


@settings(max_examples=2000, deadline=None)
@given(VERSIONS, st.sampled_from(["SemVer", "Version"]), st.text(max_size=40), st.text(max_size=40))
def test_helm_parser_finds_the_version_among_noise(numbers, key, before, after):
    text = '{}\n{}:"v{}.{}.{}", GitCommit:""}}\n{}'.format(before.replace('"', ""), key, *numbers,
                                                          after)
    parsed = helm.parse_helm_version(text)
    assert parsed is not None
    verdict = helm.assess_helm_version(parsed)
    assert verdict in (helm.OK, helm.OCI_WARNING, helm.TOO_OLD)
    if parsed.numbers == numbers:
        assert (verdict == helm.TOO_OLD) == (numbers < helm.MIN_VERSION)


@pytest.mark.parametrize("entry", ["bin", "./node_modules/.bin", ""])
def test_helm_found_through_a_relative_path_entry_is_refused(tmp_path, entry):
    # PATH=bin:/usr/bin (or an empty entry): which helm runs depends on where the command is started.
    import os
    folder = tmp_path / (entry or ".")
    folder.mkdir(parents=True, exist_ok=True)
    standins.write_helm(folder, standins.HELM3_OUTPUT)
    elsewhere = tmp_path / "system"
    elsewhere.mkdir()
    standins.write_helm(elsewhere, standins.HELM3_OUTPUT)
    ctx = context(elsewhere, tmp_path, cwd=tmp_path)
    ctx.env["PATH"] = os.pathsep.join([entry, str(elsewhere)])
    outcome = run_checks(ctx, only=("helm_client",))["helm_client"].outcome
    assert outcome.status is Status.FAILED and outcome.code == "HELM_COMMAND_ERROR"
    assert "remove relative entries" in outcome.fix
    assert standins.calls(folder, "helm") == [] and standins.calls(elsewhere, "helm") == []
