# Two commands set everything up: `make demo` and `make test`. Only python3 is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := examples/border-control-transit-niger.yaml
AS_OF := 2026-11-23

.PHONY: demo test lint lock data i18n docs reports bench eval lemmas example-documents serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The test environment is pinned (constraints.txt), so that a fresh clone next month installs
# the same versions; `make lock` refreshes the pins. Every pip run below, also those made by the
# tests (a wheel in a new venv, the pre-commit hook's environment), follows the same pins.
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Re-resolve the newest versions the ranges in pyproject.toml allow and pin them.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	PIP_CONSTRAINT= .lock-venv/bin/python -m pip install --quiet --upgrade pip
	PIP_CONSTRAINT= .lock-venv/bin/python -m pip install --quiet '.[test]'
	{ echo "# Pinned test environment: make lock regenerates it (see README, Development)."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^pcd-screen' | LC_ALL=C sort -f; } > constraints.txt
	rm -rf .lock-venv

# Screen a bundled harmful proposal and print the report (exit status 0: the demo never fails).
demo: $(VENV)/.installed
	$(BIN)/pcd-screen screen $(DEMO) --as-of $(AS_OF) --fail-on never

# Lint, check formatting, then the whole test suite (the same command CI runs).
test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-bundle the pre-parsed rules and data after editing a YAML file (a test checks it is current).
data: $(VENV)/.installed
	$(BIN)/python scripts/compile_data.py

# Extract report strings, update pcd_screen/locale/*/messages.po and compile them.
i18n: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py

# Generated from the code: the schemas' enums and formats, the operator reference in
# docs/rules.md and docs/catalogue/.
docs: $(VENV)/.installed
	$(BIN)/python scripts/gen_schema_terms.py
	$(BIN)/python scripts/gen_docs.py
	$(BIN)/pcd-screen rules doc

# Regenerate the screened reports of every example (a test checks they are current).
reports: data
	$(BIN)/python scripts/make_example_reports.py

# Measure scope and migration-control categories on the labelled sets (figures: eval/README.md).
eval: $(VENV)/.installed
	$(BIN)/python eval/run.py

# Regenerate the frames' form -> lemma tables from simplemma (build time only), then the data.
lemmas: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet 'simplemma>=1.1'
	$(BIN)/python scripts/gen_lemma_forms.py
	$(BIN)/python scripts/compile_data.py

# Regenerate the bundled document proposal (.docx, .pdf) from its Markdown source.
example-documents: $(VENV)/.installed
	$(BIN)/python scripts/make_example_documents.py

# The desk officer's workbench on http://127.0.0.1:8765/
serve: $(VENV)/.installed
	$(BIN)/pcd-screen serve

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet yamllint
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_batch.py --count 1000
	$(BIN)/python bench/bench_portfolio.py --count 10000
	$(BIN)/python bench/bench_text.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache

# Fuzz the proposal loader and the IATI importer with atheris, FUZZ_SECONDS per target (not in
# CI; see fuzz/README.md). `make -j2 fuzz FUZZ_SECONDS=600` runs both at once.
FUZZ_SECONDS ?= 300
# A CSV header cell over 131,072 characters needs longer inputs than the other targets.
FUZZ_MAX_LEN_csv = 262144
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -max_len=$(or $(FUZZ_MAX_LEN_$*),65536) -timeout=30 -print_final_stats=1
.PHONY: fuzz fuzz-yaml fuzz-iati fuzz-csv
fuzz: fuzz-yaml fuzz-iati fuzz-csv

fuzz-yaml fuzz-iati fuzz-csv: fuzz-%: $(VENV)/.atheris
	$(BIN)/python fuzz/common.py $* fuzz/work/$*-seeds
	mkdir -p fuzz/work/$*
	$(BIN)/python fuzz/fuzz_$*.py fuzz/work/$* fuzz/work/$*-seeds $(FUZZ_FLAGS) \
		-artifact_prefix=fuzz/work/$*- $(if $(wildcard fuzz/$*.dict),-dict=fuzz/$*.dict) > fuzz/work/$*.log 2>&1 || { tail -40 fuzz/work/$*.log; exit 1; }
	tail -7 fuzz/work/$*.log

$(VENV)/.atheris: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet atheris
	touch $@
