# Namebridge: everything a fresh machine needs is done by these targets.
#   make run    venv + install + generated code, then serve the bundled lexicon on 127.0.0.1:50051
#   make test   the same set-up (with the ray extra: tests/test_ray.py starts a local cluster on 127.0.0.1), then proto lint and the whole test suite
#   make bench  the same set-up, then the benchmarks (ratios against baselines run in the same process tree)
#   make soak   the same set-up, then mixed RPCs at 80% of measured capacity for SOAK_SECONDS (300) against a real server

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PROTOS := $(wildcard proto/namebridge/v1/*.proto)
GENERATED := $(patsubst proto/%.proto,service/%_pb2.py,$(PROTOS))
NPM_STAMP := node_modules/.installed

.PHONY: all install proto lint-proto test run bench soak clean eval eval-freeze openworld lexicon-generated calibrate

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,ray]'
	touch $@

install: $(STAMP)

# Generated protobuf/gRPC modules land in service/namebridge/v1/ (ignored by git).
service/namebridge/v1/%_pb2.py: proto/namebridge/v1/%.proto $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -I proto --python_out=service --pyi_out=service --grpc_python_out=service $<

proto: $(GENERATED)

$(NPM_STAMP): package.json
	npm install --no-audit --no-fund --silent
	touch $@

lint-proto: $(NPM_STAMP)
	npx --no-install buf lint

test: install proto lint-proto
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

run: install proto
	$(BIN)/namebridge serve

bench: install proto
	$(BIN)/python -m benchmarks

# Not in `make test`: bounded (SOAK_SECONDS, default 300), stops by itself; docs/operations.md has its figures.
soak: install proto
	$(BIN)/python -m benchmarks.soak

# The labelled evaluation set (docs/evaluation.md): print the figures, or re-freeze the per-case run.
eval: install proto
	$(BIN)/namebridge eval tests/eval/cases.tsv --open-world tests/eval/openworld
	$(BIN)/namebridge eval tests/eval/realworld.tsv

# The open-world benchmark (README, "Evaluation"): regenerate its names from the pinned data packages.
openworld: install
	$(BIN)/python tests/eval/openworld/generate.py

# Generated lexicon tables (docs/lexicon.md, "Generated tables"): regenerate after a data package update.
lexicon-generated: install
	$(BIN)/python -m namebridge.lexicon.generate_ordinary_words

eval-freeze: install proto
	$(BIN)/namebridge eval tests/eval/cases.tsv --failures 0 --write-results tests/eval/results.tsv

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis service/*.egg-info
	rm -f service/namebridge/v1/*_pb2.py service/namebridge/v1/*_pb2.pyi service/namebridge/v1/*_pb2_grpc.py

# The calibrated score (docs/evaluation.md, "What a score means"): refit its weights and step map on
# cases.tsv + the open-world names (never on tests/eval/realworld.tsv, the held-out check).
calibrate: install proto
	$(BIN)/python -m namebridge.evaluation.calibrate --cases tests/eval/cases.tsv --open-world tests/eval/openworld --out lexicons/scoring/calibration.tsv
