"""The environment checks through the real az, beyond one code per case: the sample image set with
`az config set`, and the human report of a run whose engine settings are all in order."""

import pytest

from tests.support import e2e, standins

pytestmark = pytest.mark.e2e

IMAGE = "myregistry.azurecr.fake/samples/hello-world:1.0"


def test_the_sample_image_is_set_with_az_config(e2e_run):
    standins.write_docker(e2e_run.tools, "pull_ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    result = e2e_run.check_health("--yes", "-o", "json",
                                  before=[["config", "set", "acr.check_health_image=" + IMAGE]])
    assert result.returncode == 0, result
    pull = result.check("docker_pull")
    assert pull["status"] == "passed" and pull["message"] == "pulled " + IMAGE
    assert pull["details"]["image"] == IMAGE and pull["details"]["imageSource"] == "acr.check_health_image"
    assert "[✓] Docker pull: pulled " + IMAGE in result.stderr
    calls = standins.calls(e2e_run.tools, "docker")
    assert "pull " + IMAGE in calls and "rmi " + IMAGE in calls
    assert not any(standins.IMAGE in call for call in calls)


def test_a_sample_image_setting_that_is_no_image_is_refused(e2e_run):
    standins.write_docker(e2e_run.tools, "pull_ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    result = e2e_run.check_health("--yes", "-o", "json",
                                  before=[["config", "set", "acr.check_health_image=--privileged"]])
    assert result.returncode == 1, result
    pull = result.check("docker_pull")
    assert pull["code"] == "DOCKER_PULL_ERROR" and "is not an image reference" in pull["message"]
    assert pull["commands"] == ["az config unset acr.check_health_image"]
    assert not any(call.startswith("pull") for call in standins.calls(e2e_run.tools, "docker"))


def test_engine_settings_in_order_pass_with_what_was_compared(e2e_run):
    standins.write_recorded(e2e_run.tools, "docker-20.10.24", "01-healthy")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    result = e2e_run.check_health("-n", e2e.REGISTRY, "--yes", "-o", "json")
    assert result.returncode == 0, result
    settings = result.check("docker_info")
    assert settings["status"] == "passed", settings
    assert settings["message"].startswith("linux/x86_64; no proxy, as this shell; clock within ")
    assert settings["details"]["serverVersion"] == "20.10.24+dfsg1"
    registry = result.check("docker_registry_settings")
    assert registry["status"] == "passed" and registry["message"].startswith(e2e.LOGIN_SERVER + ": no insecure")
    assert result.check("docker_version")["message"] == "client 20.10.24+dfsg1, server 20.10.24+dfsg1"
