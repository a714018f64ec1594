# Thin by design: the logic lives in Go. See README.md.
GO ?= go
PORT ?= 8080

.PHONY: run test test-deps unit fuzz bench a11y build

## run: start the reference portal on its embedded defaults (http://localhost:$(PORT))
run:
	$(GO) run ./reference-portal $(ARGS)

## test: install what the tests need, then run every test and a short fuzz pass
test: test-deps unit fuzz

test-deps:
	@bash scripts/install-test-deps.sh

unit:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

## fuzz: run each fuzz target for FUZZTIME (a few seconds keeps them alive)
FUZZTIME ?= 4s
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

## bench: benchmarks (never part of make test)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

build:
	$(GO) build ./...
