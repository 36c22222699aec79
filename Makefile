# wxreport: `make report` and `make test` set everything up themselves (a .venv with pinned
# packages and the `wxreport` Jupyter kernel), then do their job.
#   make report [DATA=<folder|file.duckdb>] [PERIOD=<latest|YYYY-Www>] [OUT=<folder>] [ENGINE=<duckdb|spark>]
#     ENGINE=spark runs the metric queries on Spark (params `spark:`; needs Java 17+: README, "Spark")
#   make weekly [DATA=<folder>] [PERIOD=...] [OUT=...] [WEEKS=<n>]: fetch WeChat's statistics of the
#     last WEEKS weeks (default 8) for each source whose credentials are set, then report, then
#     deliver the week to the destinations enabled in params/delivery.yaml (none by default)
#   make deliver [PERIOD=...] [OUT=...] [TO="<name> ..."] [DRY_RUN=1]: send the week (again: only
#     what has not gone out) to params/delivery.yaml's destinations; DRY_RUN=1 prints the messages

SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SPARK_STAMP := $(VENV)/.installed-spark
KERNEL := wxreport

DATA   ?=
PERIOD ?=
OUT    ?=
ENGINE ?=
RUN_ARGS = $(if $(DATA),--data "$(DATA)") $(if $(PERIOD),--period "$(PERIOD)") $(if $(OUT),--out "$(OUT)") \
           $(if $(ENGINE),--engine "$(ENGINE)")
BENCH  ?=
WEEKS  ?=
TO     ?=
DRY_RUN ?=

.PHONY: report weekly deliver test lint lab bench sample sync venv clean

report: $(STAMP) $(if $(filter spark,$(ENGINE)),$(SPARK_STAMP))
	$(BIN)/wxreport run $(RUN_ARGS)

weekly: $(STAMP)
	$(BIN)/wxreport weekly $(RUN_ARGS) $(if $(WEEKS),--weeks "$(WEEKS)")

deliver: $(STAMP)
	$(BIN)/wxreport deliver $(if $(PERIOD),--period "$(PERIOD)") $(if $(OUT),--out "$(OUT)") \
	    $(if $(TO),--to $(TO)) $(if $(DRY_RUN),--dry-run)

# The Spark engine's parity tests (tests/spark, marker `spark`) run here too: requirements-spark.txt
# is installed for them (Java 17+ must be on the machine; .ci/run installs it in CI).
test: $(STAMP) $(SPARK_STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/python -m pytest -n 2 --dist worksteal -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools

# Speed and memory figures (benchmarks/bench_*.py; BENCH=<name> runs one).
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

sample: $(STAMP)
	$(BIN)/wxreport sample

# Re-pair notebooks after editing either the .ipynb or the .py (CI checks they agree).
sync: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.ipynb

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "wxreport (Python 3)" >/dev/null
	touch $(STAMP)

$(SPARK_STAMP): $(STAMP) requirements-spark.txt
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $(SPARK_STAMP)

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $(BENCH_STAMP)

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
