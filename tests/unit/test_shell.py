"""Command lines for the user's shell: POSIX sh, or PowerShell on Windows. Each must give back the very words."""

import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azext_acrhealth import fix_commands, shell

CONDITION = fix_commands.repository_condition("Container Registry Repository Reader", "team/app")


QUOTES = "'\u2018\u2019\u201a\u201b"     # PowerShell takes the typographic single quotes as quotes too


def powershell_words(line):
    """How PowerShell splits a line of bare words and single-quoted strings (where a doubled quote is one)."""
    words, word, quoted, index = [], None, False, 0
    while index < len(line):
        char = line[index]
        if quoted:
            if char in QUOTES and line[index + 1:index + 2] in tuple(QUOTES):
                word, index = word + char, index + 1
            elif char in QUOTES:
                quoted = False
            else:
                word += char
        elif char == " ":
            if word is not None:
                words.append(word)
            word = None
        elif char in QUOTES:
            word, quoted = word or "", True
        else:
            assert shell._PLAIN.fullmatch(char), "a bare {!r} would mean something to PowerShell".format(char)
            word = (word or "") + char
        index += 1
    assert not quoted
    return words + ([word] if word is not None else [])


WORDS = ["az", "role", "assignment", "create", "--role", "Container Registry Repository Reader", "--scope",
         "/subscriptions/x/resourceGroups/rg(1)/providers/Microsoft.ContainerRegistry/registries/myreg",
         "--condition", CONDITION, "", "it's", "$HOME", "`x`", "a;b", "@splat", "a,b", "it\u2019s"]


def test_posix_lines_split_back_into_the_words():
    assert shlex.split(shell.line(WORDS, windows=False)) == WORDS


def test_powershell_lines_split_back_into_the_words():
    line = shell.line(WORDS, windows=True)
    assert powershell_words(line) == WORDS
    assert "{''Microsoft.ContainerRegistry/registries/repositories/content/read''}" in line
    assert line.startswith("az role assignment create --role 'Container Registry Repository Reader' --scope ")


@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20), max_size=5))
def test_any_words_come_back_in_either_shell(words):
    assert shlex.split(shell.line(words, windows=False)) == words
    assert powershell_words(shell.line(words, windows=True)) == words


@pytest.mark.parametrize("windows, unset, export", [
    (False, "unset DOCKER_API_VERSION", "export DOCKER_API_VERSION=1.41"),
    (True, "Remove-Item Env:DOCKER_API_VERSION", "$Env:DOCKER_API_VERSION = '1.41'"),
])
def test_environment_variables_in_either_shell(windows, unset, export):
    assert shell.unset("DOCKER_API_VERSION", windows) == unset
    assert shell.export("DOCKER_API_VERSION", "1.41", windows) == export
    with pytest.raises(ValueError):
        shell.unset("A B; rm -rf /", windows)
