# reward-sdk: `make demo` runs the whole loop on built-in defaults, `make test` runs the test suite.
# Both create .venv and install what they need on a fresh machine (re-installing when pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
comma := ,
EXTRAS ?= train,edge,car,sweep,tui,aws,dev
# Re-install when the project file or the compiled kernel's source changes.
# (and the top-level packages: an editable install maps only the packages that existed when it was made)
BUILD_INPUTS := pyproject.toml setup.py reward_sdk/_geometry_kernel.pyx $(wildcard */__init__.py)
STAMP := $(VENV)/.installed-$(shell cat $(BUILD_INPUTS) | cksum | cut -d' ' -f1)-$(subst $(comma),_,$(EXTRAS))
PYTEST_WORKERS ?= 2

.PHONY: demo test install lint format typecheck bench clean

$(STAMP): $(BUILD_INPUTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools warns about every editable install of a package with a compiled extension; nothing to act on
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/reward demo

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # DESIGN.md's import rules, as contracts in pyproject.toml

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
