"""The machine-independence check (tests/support/foreign_tools.py) catches a test that runs the machine's
docker, and lets one that builds its own PATH pass. (`make test-foreign-tools`, run by .ci/run, applies it
to every end-to-end test.)"""

import textwrap

import pytest

from tests.support import foreign_tools

SAMPLE = '''
import shutil
import subprocess

from tests.support import standins


def test_with_its_own_path(tmp_path):
    standins.write_docker(tmp_path, "ok")
    env = standins.env_for(tmp_path)
    assert subprocess.run(["docker", "--version"], env=env, capture_output=True).returncode == 0


def test_with_the_machines_path():
    subprocess.run([shutil.which("docker"), "ps"], capture_output=True)


def test_with_a_system_folder():
    subprocess.run(["/usr/bin/helm", "version"], capture_output=True)
'''


def test_a_test_that_runs_the_machines_docker_is_caught(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(textwrap.dedent(SAMPLE))
    status, calls, _ = foreign_tools.run([str(sample) + "::test_with_the_machines_path"], timeout=120)
    assert status == 0                       # the test itself passed: only the check can tell
    assert len(calls) == 1 and calls[0].endswith("/docker ps")


def test_a_test_that_names_a_system_folder_is_caught(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(textwrap.dedent(SAMPLE))
    status, calls, everywhere = foreign_tools.run([str(sample) + "::test_with_a_system_folder"], timeout=120)
    if not everywhere:
        pytest.skip("no user and mount namespaces with overlay mounts on this machine")
    assert calls == ["/usr/bin/helm version"]


def test_a_test_with_its_own_path_is_not_caught(tmp_path):
    # Tests are chosen by node id: with -k, a folder name holding the word (this very test's tmp_path)
    # would select every test of the sample.
    sample = tmp_path / "test_sample.py"
    sample.write_text(textwrap.dedent(SAMPLE))
    status, calls, _ = foreign_tools.run([str(sample) + "::test_with_its_own_path"], timeout=120)
    assert (status, calls) == (0, [])
