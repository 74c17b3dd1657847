"""Hostile and malformed arguments, through the real az: a clear message and exit status 2, never a
traceback; legitimate variants are normalised."""

import json

import pytest

from tests.support.azcli import run_az

pytestmark = pytest.mark.e2e

BAD_NAMES = [
    "", "   ", "my reg", "my_reg!", "x" * 300, "ab", "a" * 51, "régistry", "реестр12", "myreg\nfoo",
    "https://myreg.azurecr.io/v2/path", "http://myreg.azurecr.io", "ftp://myreg.azurecr.io",
    "myreg.azurecr.io:443", "myreg.azurecr.io:5000", "myreg..azurecr.io", "myreg.azurecr.io..",
    "a" * 64 + ".azurecr.io", "myreg.azurecr.io" + ".x" * 130, "myreg;rm -rf /", "$(whoami)", "`id`",
    "myreg|cat", "myreg&&ls", "-myreg.azurecr.io", "user@myreg.azurecr.io", "myreg.azurecr.io?x=1",
    "myreg.-azurecr.io", "*.azurecr.io", "../etc/passwd", "myreg.azurecr.io/v2/",
]

BAD_VNETS = [
    "", "my vnet", "a", "x" * 65, "vnet;ls", "vnet$(id)", "réseau", "https://vnet", "vnet/../x", "-vnet",
    "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/x/v",
]

NORMALISED = [
    ("MyRegistry", "myregistry"),
    ("https://MyReg1.azurecr.io/", "myreg1.azurecr.io"),
    ("myregistry.azurecr.io.", "myregistry.azurecr.io"),
    ("  myregistry  ", "myregistry"),
]


@pytest.fixture
def env(az_env, bin_dir, isolated):
    az_env["PATH"] = str(bin_dir)
    az_env["ACC_CLOUD"] = "1"  # skip the environment checks: these tests are about arguments
    return az_env


def assert_rejected(proc, option):
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    assert option in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("name", BAD_NAMES, ids=range(len(BAD_NAMES)))
def test_malformed_registry_names_are_rejected(env, name):
    assert_rejected(run_az(["acr", "check-health", "--name=" + name], env), "--name")


@pytest.mark.parametrize("vnet", BAD_VNETS, ids=range(len(BAD_VNETS)))
def test_malformed_vnets_are_rejected(env, vnet):
    assert_rejected(run_az(["acr", "check-health", "-n", "myregistry", "--vnet=" + vnet], env), "--vnet")


@pytest.mark.parametrize("value", ["", "Upper/Case", "a" * 300, "repo:tag", "../x"])
def test_malformed_repositories_are_rejected(env, value):
    assert_rejected(run_az(["acr", "check-health", "-n", "myregistry", "--repository=" + value], env),
                    "--repository")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "100000"])
def test_malformed_timeouts_are_rejected(env, value):
    assert_rejected(run_az(["acr", "check-health", "--timeout=" + value], env), "--timeout")


@pytest.mark.parametrize("given,expected", NORMALISED)
def test_legitimate_variants_are_normalised(env, given, expected):
    proc = run_az(["acr", "check-health", "--name=" + given, "--ignore-errors", "-o", "json",
                   "--timeout", "2"], env)
    assert proc.returncode in (0, 1), proc.stderr[-500:]
    assert json.loads(proc.stdout)["registry"] == expected


def test_the_table_is_big_enough():
    assert len(set(BAD_NAMES)) + len(set(BAD_VNETS)) >= 25


BAD_IMAGES = ["App:v1", "app :v1", "a/../b", "a" * 300, "app@sha512:" + "a" * 128, "app@sha256:abc",
              "app@sha256:" + "A" * 64, "app:-x", "$(id)", "app;ls", ""]


@pytest.mark.parametrize("value", BAD_IMAGES, ids=range(len(BAD_IMAGES)))
def test_malformed_images_are_rejected_in_one_line(env, value):
    proc = run_az(["acr", "check-health", "-n", "myregistry", "--image=" + value], env)
    assert_rejected(proc, "--image")
    errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and "is not a valid image reference" in errors[0], proc.stderr


@pytest.mark.parametrize("args, words", [
    (["-n", "myregistry", "--image", "other.azurecr.io/app:v1"], "names registry other.azurecr.io, but -n/--name"),
    (["--image", "app:v1"], "--image needs a registry"),
])
def test_an_image_without_its_registry_is_rejected(env, args, words):
    proc = run_az(["acr", "check-health", *args], env)
    assert_rejected(proc, "--image")
    assert words in proc.stderr
# ---------------------------------------------------------------- -u/--username and -p/--password

@pytest.mark.parametrize("args, option, words", [
    (["-n", "myregistry", "-p", "secret-value"], "--password", "needs -u/--username"),
    (["-u", "myregistry", "-p", "secret-value"], "--username", "needs -n/--name"),
    (["-n", "myregistry", "-u", ""], "--username", "is empty"),
    (["-n", "myregistry", "-u", "myregistry", "-p", ""], "--password", "is empty"),
    # No terminal to ask on, no -p, no ACR_CHECK_HEALTH_PASSWORD: say where the password goes.
    (["-n", "myregistry", "-u", "myregistry"], "ACR_CHECK_HEALTH_PASSWORD", "needs a password"),
])
def test_credentials_without_what_they_need_are_rejected(env, args, option, words):
    proc = run_az(["acr", "check-health", *args], env)
    assert_rejected(proc, option)
    assert words in proc.stderr
    assert "secret-value" not in proc.stderr
