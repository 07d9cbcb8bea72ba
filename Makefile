# The two commands of the README: `make demo` and `make test`. Both set everything up
# first (system packages when missing, .venv, the package, the offline digit data).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT ?= out/demo

.PHONY: demo test bootstrap bootstrap-test lint docker-smoke bench

bootstrap:
	@bash scripts/bootstrap.sh

bootstrap-test:
	@bash scripts/bootstrap.sh --test

demo: bootstrap
	$(BIN)/tallyscope batch samples -o $(DEMO_OUT)
	$(BIN)/tallyscope reconcile $(DEMO_OUT)/forms.jsonl -o $(DEMO_OUT)/reconcile.json
	@echo "report: $(DEMO_OUT)/report.html"

lint:
	$(BIN)/ruff check pipeline tests benchmarks training
	$(BIN)/mypy pipeline

test: bootstrap-test lint
	OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 $(BIN)/pytest -q

docker-smoke: bootstrap
	bash docker/smoke.sh
