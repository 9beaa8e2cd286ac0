# Two commands set everything up: `make demo` and `make test`. Only python3 is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := examples/border-control-transit-niger.yaml
AS_OF := 2026-11-23

.PHONY: demo test lint data i18n docs reports bench clean example-documents serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

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

# The generated documentation: the operator reference in docs/rules.md and docs/catalogue/.
docs: $(VENV)/.installed
	$(BIN)/python scripts/gen_docs.py
	$(BIN)/pcd-screen rules doc

# Regenerate the screened reports of every example (a test checks they are current).
reports: data
	$(BIN)/python scripts/make_example_reports.py

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

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache

# Fuzz the proposal loader and the IATI importer with atheris, FUZZ_SECONDS per target (not in
# CI; see fuzz/README.md). `make -j2 fuzz FUZZ_SECONDS=600` runs both at once.
FUZZ_SECONDS ?= 300
FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=30 -print_final_stats=1
.PHONY: fuzz fuzz-yaml fuzz-iati
fuzz: fuzz-yaml fuzz-iati

fuzz-yaml fuzz-iati: fuzz-%: $(VENV)/.atheris
	$(BIN)/python fuzz/common.py $* fuzz/work/$*-seeds
	mkdir -p fuzz/work/$*
	$(BIN)/python fuzz/fuzz_$*.py fuzz/work/$* fuzz/work/$*-seeds $(FUZZ_FLAGS) \
		-artifact_prefix=fuzz/work/$*- > fuzz/work/$*.log 2>&1 || { tail -40 fuzz/work/$*.log; exit 1; }
	tail -7 fuzz/work/$*.log

$(VENV)/.atheris: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet atheris
	touch $@
