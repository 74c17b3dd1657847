"""The catalogue is the single source of truth: the README, the public document and the code agree."""

import re
from pathlib import Path

import pytest

from azext_acrhealth import catalogue

ROOT = Path(__file__).resolve().parents[2]
DOC_CODES = ["DOCKER_COMMAND_ERROR", "DOCKER_DAEMON_ERROR", "DOCKER_VERSION_ERROR", "DOCKER_PULL_ERROR",
             "HELM_COMMAND_ERROR", "HELM_VERSION_ERROR", "CONNECTIVITY_DNS_ERROR", "CONNECTIVITY_FORBIDDEN_ERROR",
             "CONNECTIVITY_CHALLENGE_ERROR", "CONNECTIVITY_AAD_LOGIN_ERROR", "CONNECTIVITY_REFRESH_TOKEN_ERROR",
             "CONNECTIVITY_ACCESS_TOKEN_ERROR", "LOGIN_SERVER_ERROR"]
BUILTIN_LATER = ["CONNECTIVITY_SSL_ERROR", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "CMK_ERROR"]


def parse_reference(text):
    """{code: (meaning, solutions text)} from '### CODE' sections with '*Potential solutions*: ...'."""
    sections = {}
    for match in re.finditer(r"^### ([A-Z_]+)\n(.*?)(?=^### |^## |<!-- error-reference:end|\Z)", text, re.S | re.M):
        body = match.group(2)
        solutions = re.search(r"^\*Potential solutions\*: (.*)$", body, re.M)
        meaning = body[:solutions.start()] if solutions else body
        sections[match.group(1)] = (" ".join(meaning.split()), solutions.group(1).strip() if solutions else None)
    return sections


def readme_reference():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- error-reference:start -->\n", "<!-- error-reference:end -->"
    assert start in text and end in text, "README.md lost its error reference markers"
    return text[text.index(start) + len(start):text.index(end)]


def test_readme_reference_is_generated_from_the_catalogue():
    assert readme_reference() == catalogue.markdown(), "run `make readme`"


def test_readme_and_catalogue_agree_code_by_code():
    parsed = parse_reference(readme_reference())
    assert list(parsed) == list(catalogue.CODES)
    for name, code in catalogue.CODES.items():
        assert parsed[name] == (" ".join(code.meaning.split()), "; ".join(code.solutions)), name


def test_every_code_of_the_document_and_of_the_builtin_is_present():
    for name in DOC_CODES:
        assert catalogue.get(name).origin == "document"
    for name in BUILTIN_LATER:
        assert catalogue.get(name).origin == "built-in"


def _shared_document():
    for parent in [ROOT, *ROOT.parents]:
        candidate = parent / "shared" / "reference" / "check-health-doc.md"
        if candidate.is_file():
            return candidate
    return None


@pytest.mark.skipif(_shared_document() is None, reason=(
    "the user's error reference, shared/reference/check-health-doc.md, is looked for in a 'shared' folder "
    "beside this checkout or above it; it is the project's input document, kept outside the repository, so a "
    "bare clone does not have it (the catalogue's own tests above still run)"))
def test_document_codes_keep_their_meanings_and_solutions_word_for_word():
    doc = parse_reference(_shared_document().read_text(encoding="utf-8"))
    assert set(DOC_CODES) <= set(doc)
    for name in DOC_CODES:
        meaning, solutions = doc[name]
        code = catalogue.get(name)
        assert " ".join(code.meaning.split()) == meaning, name
        assert "; ".join(code.solutions) == solutions, name


def test_links_and_names():
    for name, code in catalogue.CODES.items():
        assert re.fullmatch(r"[A-Z]+(_[A-Z]+)*_(ERROR|WARNING)", name)
        assert code.link == "https://aka.ms/acr/errors#" + name.lower()
        assert code.meaning and code.solutions


def test_every_code_the_checks_use_is_catalogued():
    used = set()
    for path in (ROOT / "azext_acrhealth").rglob("*.py"):
        if path.name == "catalogue.py":
            continue
        used |= set(re.findall(r"[\"']([A-Z][A-Z_]+_(?:ERROR|WARNING))[\"']", path.read_text(encoding="utf-8")))
    assert used, "no code found in the checks"
    assert used <= set(catalogue.CODES), used - set(catalogue.CODES)


def test_the_security_section_names_tests_that_exist():
    """README's Security section lists each guarantee with the tests that hold it: each named test exists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Security\n"):text.index("## Error reference")]
    guarantees = re.findall(r"^(\d+)\. \*\*", section, re.M)
    assert guarantees == [str(n) for n in range(1, len(guarantees) + 1)] and len(guarantees) >= 12
    named = re.findall(r"`(e2e::|unit/[\w.]+::)(test_\w+)`", section)
    assert len(named) >= len(guarantees)
    for where, test in named:
        path = ROOT / "tests" / ("e2e/test_hardening.py" if where == "e2e::" else where[:-2])
        assert re.search(r"^def {}\(".format(test), path.read_text(encoding="utf-8"), re.M), "{}{}".format(where, test)
