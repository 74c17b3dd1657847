"""Fixtures shared by the three rooms: unit/ (in-process, real local servers and executables), e2e/ (the
real az with the built wheel), and the support/ code they use."""

import shutil

import pytest
import trustme

from tests.support import azcli, fakecloud
from tests.support import pki as pki_support


@pytest.fixture(scope="session")
def extension_dir(tmp_path_factory):
    """The extension built from this checkout and installed into a fresh folder, once per session."""
    return azcli.install_from_checkout(tmp_path_factory.mktemp("az-session"))


@pytest.fixture
def az_env(tmp_path, extension_dir):
    """Environment for one az run: fresh HOME and config, the session's installed extension."""
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    config.mkdir()
    return azcli.base_env(home, config, extension_dir)


@pytest.fixture
def bin_dir(tmp_path):
    """An empty folder for stand-in executables, to put first on PATH."""
    path = tmp_path / "bin"
    path.mkdir()
    return path


def pytest_report_header(config):
    return "az: {}".format(shutil.which("az") or azcli.AZ)


@pytest.fixture
def isolated():
    """End-to-end tests need `unshare -rn`; without it they are skipped with the reason, not passed."""
    if not azcli.namespaces_available():
        pytest.skip("unprivileged user namespaces (unshare -rn) are not available on this machine")


def _namespaces_or_skip():
    if not azcli.namespaces_available("-rnm"):
        pytest.skip("unprivileged user, network and mount namespaces (unshare -rnm) are not available on this "
                    "machine: the end-to-end tests against the fake cloud cannot run")


@pytest.fixture(scope="session")
def e2e_session(tmp_path_factory, request):
    """Certificates, the fake cloud registered as an az cloud and a service principal logged in, once."""
    _namespaces_or_skip()   # before the wheel is built: a machine without namespaces skips at once
    from tests.support import e2e
    return e2e.Session(tmp_path_factory.mktemp("e2e-session"), request.getfixturevalue("extension_dir"))


@pytest.fixture
def e2e_run(e2e_session, tmp_path):
    """This test's runner: its own copy of the logged-in configuration, its own HOME and PATH folder."""
    from tests.support import e2e
    return e2e.Runner(e2e_session, tmp_path / "e2e")


@pytest.fixture
def healthy_run(e2e_run):
    """e2e_run with stand-ins for a working docker and Helm 3 on its PATH: only the registry can fail."""
    from tests.support import standins
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    return e2e_run


# ---------------------------------------------------------------- the fake cloud, in-process

@pytest.fixture(scope="session")
def ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def pki(ca, tmp_path_factory):
    """Paths: the CA bundle, and (cert, key) pairs: good, wrong name, expired, self-signed."""
    return pki_support.make(tmp_path_factory.mktemp("pki"), ca)


@pytest.fixture
def make_cloud(pki):
    """make_cloud(scenario=None, cert="good", host="127.0.0.1") -> a started FakeCloud, stopped after.
    `cloud.ca` is the CA bundle that trusts it."""
    started = []

    def make(scenario=None, cert="good", host="127.0.0.1"):
        certfile, keyfile = pki[cert]
        cloud = fakecloud.FakeCloud(scenario or fakecloud.Scenario(), certfile, keyfile, host=host).start()
        cloud.ca = pki["ca"]
        started.append(cloud)
        return cloud

    yield make
    for cloud in started:
        cloud.stop()


@pytest.fixture
def cloud(make_cloud):
    return make_cloud()
