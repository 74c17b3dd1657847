"""Docker credential helpers: config.json read from the test's HOME or DOCKER_CONFIG, helpers looked
up on the test's PATH."""

import json

from azext_acrhealth.outcome import Status
from tests.support import standins
from tests.support.checks import context, run_checks


def make_ctx(tmp_path, bin_dir, **env):
    return context(env=standins.env_for(bin_dir, tmp_path, **env), cwd=tmp_path, yes=True)


def credential_helpers(ctx):
    return run_checks(ctx, only=("docker_credentials",))["docker_credentials"].outcome


def write_config(folder, content):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def helper(bin_dir, name):
    standins.write_helm(bin_dir, "", name="docker-credential-" + name)   # any executable will do


def test_no_config_file_passes(tmp_path, bin_dir):
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.status is Status.PASSED and outcome.message == "no Docker configuration file"
    assert outcome.details["path"] == str(tmp_path / ".docker" / "config.json")


def test_missing_creds_store_helper_is_reported_with_the_fix(tmp_path, bin_dir):
    path = write_config(tmp_path / ".docker", {"auths": {"x.azurecr.io": {"auth": "c2VjcmV0"}},
                                               "credsStore": "desktop"})
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_CREDENTIAL_HELPER_ERROR"
    assert outcome.message == "credsStore names docker-credential-desktop not found on PATH"
    assert outcome.details["missing"] == ["docker-credential-desktop"]
    assert "install docker-credential-desktop" in outcome.fix and str(path) in outcome.fix
    assert "c2VjcmV0" not in repr(outcome)      # stored credentials are never echoed


def test_missing_cred_helper_for_one_registry_is_reported(tmp_path, bin_dir):
    helper(bin_dir, "desktop")
    write_config(tmp_path / ".docker", {"credsStore": "desktop", "credHelpers": {"myreg.azurecr.io": "acr-env"}})
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.code == "DOCKER_CREDENTIAL_HELPER_ERROR"
    assert outcome.message == "credHelpers[myreg.azurecr.io] names docker-credential-acr-env not found on PATH"


def test_helpers_present_pass(tmp_path, bin_dir):
    helper(bin_dir, "desktop")
    helper(bin_dir, "acr-env")
    write_config(tmp_path / ".docker", {"credsStore": "desktop", "credHelpers": {"myreg.azurecr.io": "acr-env"}})
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.status is Status.PASSED
    assert outcome.details["helpers"] == ["docker-credential-acr-env", "docker-credential-desktop"]


def test_docker_config_variable_is_honoured(tmp_path, bin_dir):
    write_config(tmp_path / ".docker", {"credsStore": "desktop"})          # ignored
    elsewhere = write_config(tmp_path / "cfg", {"auths": {}})
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir, DOCKER_CONFIG=str(tmp_path / "cfg")))
    assert outcome.status is Status.PASSED and outcome.details["path"] == str(elsewhere)
    assert outcome.message == "no credential helper configured"


def test_malformed_config_is_reported_with_the_position(tmp_path, bin_dir):
    write_config(tmp_path / ".docker", '{\n  "credsStore": "desktop",\n}\n')
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_CREDENTIAL_HELPER_ERROR"
    assert "not valid JSON" in outcome.message and "line 3 column 1" in outcome.message
    assert (outcome.details["line"], outcome.details["column"]) == (3, 1)


def test_config_that_is_not_an_object_is_reported(tmp_path, bin_dir):
    write_config(tmp_path / ".docker", "[1, 2]")
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.code == "DOCKER_CREDENTIAL_HELPER_ERROR" and outcome.message.endswith("is not a JSON object")


def test_unreadable_config_is_reported(tmp_path, bin_dir):
    (tmp_path / ".docker" / "config.json").mkdir(parents=True)    # a folder where the file should be
    outcome = credential_helpers(make_ctx(tmp_path, bin_dir))
    assert outcome.code == "DOCKER_CREDENTIAL_HELPER_ERROR" and "cannot be read" in outcome.message
