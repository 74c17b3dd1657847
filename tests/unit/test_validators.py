"""Argument syntax: --image references and the registry they name (the rest is covered through the real
az in tests/e2e/test_arguments.py)."""

import argparse
from types import SimpleNamespace

import pytest

from azext_acrhealth._validators import ImageReference, image_type, validate_image

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("value, expected", [
    ("app", ImageReference("app")),
    ("app:v1", ImageReference("app", "v1")),
    ("team/app:V1.2-rc_3", ImageReference("team/app", "V1.2-rc_3")),
    ("app@" + DIGEST, ImageReference("app", None, DIGEST)),
    ("app:v1@" + DIGEST, ImageReference("app", "v1", DIGEST)),
    ("myreg.azurecr.io/app:v1", ImageReference("app", "v1", None, "myreg.azurecr.io")),
    ("MyReg.azurecr.io/team/app@" + DIGEST, ImageReference("team/app", None, DIGEST, "myreg.azurecr.io")),
    ("  app:v1  ", ImageReference("app", "v1")),
])
def test_valid_references(value, expected):
    assert image_type(value) == expected


def test_what_is_asked_for_and_how_it_reads():
    assert (image_type("app").reference, str(image_type("app"))) == ("latest", "app:latest")
    assert (image_type("app@" + DIGEST).reference, str(image_type("app@" + DIGEST))) == (DIGEST, "app@" + DIGEST)
    assert image_type("app:v1@" + DIGEST).reference == DIGEST


@pytest.mark.parametrize("value, words", [
    ("", "empty"),
    ("App:v1", "lower-case"),
    ("app :v1", "spaces"),
    ("app:v1\n", None),                          # stripped: valid, see below
    ("app\t:v1", "spaces or control"),
    ("a/../b", "'..'"),
    ("app:v1..2", "'..'"),
    ("a" * 300, "longer than 255"),
    ("app@sha512:" + "a" * 128, "sha256"),
    ("app@sha256:" + "A" * 64, "sha256"),
    ("app@sha256:abc", "sha256"),
    ("app:-v1", "tag"),
    ("app:" + "v" * 129, "tag"),
    ("https://myreg.azurecr.io/app", None),
    ("myreg.azurecr.io:5000/app", "login server"),
    ("bad_reg.azurecr.io/app", "login server"),
    ("$(id)/app", "repository"),
    ("app;rm", "repository"),
    ("/app", "repository"),
    ("app/", "repository"),
])
def test_invalid_references_say_why_in_one_line(value, words):
    if value == "app:v1\n":
        assert image_type(value) == ImageReference("app", "v1")
        return
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        image_type(value)
    message = str(raised.value)
    assert "\n" not in message and "not a valid image reference" in message
    assert words is None or words in message


def namespace(image, name=None):
    return SimpleNamespace(image=image_type(image) if image else None, registry_name=name)


@pytest.mark.parametrize("image, name, registry", [
    ("myreg.azurecr.io/app:v1", None, "myreg.azurecr.io"),      # the reference names the registry
    ("myreg.azurecr.io/app:v1", "myreg", "myreg"),
    ("myreg.azurecr.io/app:v1", "myreg.azurecr.io", "myreg.azurecr.io"),
    ("myreg-abc123.azurecr.io/app", "myreg", "myreg"),            # a registry with a domain name label hash
    ("app:v1", "myreg", "myreg"),
    (None, None, None),
])
def test_the_registry_of_the_image_and_of_name_agree(image, name, registry):
    ns = namespace(image, name)
    validate_image(ns)
    assert ns.registry_name == registry


@pytest.mark.parametrize("image, name, words", [
    ("other.azurecr.io/app:v1", "myreg", "names registry other.azurecr.io, but -n/--name names myreg"),
    ("other.azurecr.io/app:v1", "myreg.azurecr.io", "names registry other.azurecr.io"),
    ("app:v1", None, "--image needs a registry"),
])
def test_a_registry_mismatch_or_none_is_refused(image, name, words):
    with pytest.raises(ValueError, match=words):
        validate_image(namespace(image, name))
