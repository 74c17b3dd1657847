"""Property-based tests of the environment parsers: whatever a tool prints, no exception escapes and
the result is one of the defined outcomes."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth.checks import docker, helm

VERSIONS = st.tuples(*[st.integers(0, 10 ** 9 - 1)] * 3)
_json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.sampled_from(["Client", "Server", "Version", "Os", "Arch", "OsArch",
                                                     "GitCommit"]) | st.text(max_size=8), inner, max_size=5),
                    max_leaves=20)


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


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_docker_version_parser_never_raises_on_any_text(text):
    parsed = docker.parse_docker_version(text)
    assert parsed is None or isinstance(parsed, docker.DockerVersion)


@settings(max_examples=2000, deadline=None)
@given(JSON)
def test_docker_version_parser_never_raises_on_any_json(document):
    parsed = docker.parse_docker_version(json.dumps(document))
    assert parsed is None or isinstance(parsed.client, str)
    if parsed is not None:
        assert parsed.server is None or isinstance(parsed.server, str)
        assert parsed.platform is None or isinstance(parsed.platform, str)


def test_docker_version_parser_reads_a_down_daemon():
    from tests import standins
    parsed = docker.parse_docker_version(standins.DOCKER_VERSION_JSON_NO_SERVER)
    assert parsed == docker.DockerVersion("28.2.2", None, "linux/amd64", "e6534b4")
