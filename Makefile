# Every target sets itself up from a fresh clone into the project-local virtualenv .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ROUND  ?=

.PHONY: install run test eval bench sample clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev,ml]'
	touch $(STAMP)

install: $(STAMP)

## run the main job on the bundled sample round (the review app once it exists)
run: $(STAMP)
	mkdir -p out
	$(BIN)/jigai check corpora/sample -o out/report.xlsx --json out/out.json $(if $(ROUND),--round $(ROUND))
	$(BIN)/jigai publicity corpora/sample -o out/publicity.docx --xlsx out/publicity.xlsx -q $(if $(ROUND),--round $(ROUND))

test: $(STAMP)
	$(BIN)/python -m pytest -q

## quality figures on ../shared/evalsets/dev
eval: $(STAMP)
	$(BIN)/python -m app.evaluate

## speed on a generated province-scale round; writes docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python -m app.bench

## regenerate corpora/sample from corpora/sample/source
sample: $(STAMP)
	$(BIN)/python corpora/sample/make_sample.py

clean:
	rm -rf out .pytest_cache
