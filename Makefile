# Two commands on a fresh machine with Python 3.11:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTDIR := $(CURDIR)/.az/extensions
WHEEL   = $(firstword $(wildcard dist/acrhealth-*-py3-none-any.whl))

.PHONY: venv wheel install run test test-foreign-tools lint bench readme clean

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "acrhealth needs Python 3.11 or newer, and $(PYTHON) is " + sys.version.split()[0] + ": install it, or run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

wheel: venv
	rm -rf dist build *.egg-info
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

# The extension goes into a project-local folder, so the az of this venv runs it and nothing else changes.
install: wheel
	rm -rf $(EXTDIR)
	AZURE_EXTENSION_DIR=$(EXTDIR) $(BIN)/az extension add --source $(WHEEL) --yes
	AZURE_EXTENSION_DIR=$(EXTDIR) $(BIN)/az extension list --query "[].{name:name, version:version}" -o tsv

# The report goes to stderr; stdout gets only the overall status unless ARGS ask for more (-o json, ...).
# Exit status 1 means a check failed: that is a diagnosis, not a broken build.
ARGS ?= --query status -o tsv
run: install
	@status=0; AZURE_EXTENSION_DIR=$(EXTDIR) $(BIN)/az acr check-health --ignore-errors --yes $(ARGS) || status=$$?; \
	echo "az acr check-health exited with status $$status"; [ $$status -le 1 ]

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The end-to-end tests again, with a docker, podman and helm on PATH and in the system folders that fail
# the run if any test executes them: the results must not depend on this machine's tools.
test-foreign-tools: venv
	$(BIN)/python -m tests.support.foreign_tools

# Ours against the built-in command, and the floor, on the end-to-end fake cloud (about 7 minutes); see bench/compare.py.
bench: venv
	$(BIN)/python bench/compare.py $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check azext_acrhealth tests $(wildcard bench)

clean:
	rm -rf $(VENV) dist build *.egg-info .az .pytest_cache .hypothesis

# Regenerate the README's error reference from the catalogue.
readme: venv
	$(BIN)/python -c "import re, azext_acrhealth.catalogue as c; \
	s = open('README.md').read(); \
	s = re.sub(r'(?s)(<!-- error-reference:start -->\n).*(<!-- error-reference:end -->)', lambda m: m.group(1) + c.markdown() + m.group(2), s); \
	open('README.md', 'w').write(s)"
