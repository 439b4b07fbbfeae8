# peer_econ: `make run` and `make test` are the two set-up commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-docs test-fast lint bench mutate app app-screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,app]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/peer-econ run

# Everything but the user guide's commands, on every core (a module's tests stay together, so
# its shared run folders are made once): under 5 minutes on 2 cores
test: $(STAMP)
	$(BIN)/python -m pytest -q --runslow -m "not docs" -n auto --dist loadscope

# Every command of docs/ as a reader types it (about 4 minutes); CI runs it after `make test`
test-docs: $(STAMP)
	$(BIN)/python -m pytest -q --runslow -m docs

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

app: $(STAMP)
	$(BIN)/peer-econ app

# The app in headless Chromium (Debian package `chromium`): docs/img/app.png
app-screenshot: $(STAMP)
	@command -v chromium >/dev/null || apt-get install -y chromium || \
		{ echo "chromium is missing: apt-get install -y chromium"; exit 1; }
	$(BIN)/python -m peer_econ.app.browser docs/img/app.png

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Mutation testing per module (tools/mutate.py): `make mutate MODULES="model.costs"` for one.
mutate: $(STAMP)
	$(BIN)/python tools/mutate.py $(MODULES)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache mutants
