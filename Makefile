# Thin by design: the logic lives in Go. See README.md.
GO ?= go
PORT ?= 8080

.PHONY: run test test-deps unit fuzz bench a11y build cluster cluster-deps cluster-faults

## run: start the reference portal on its embedded defaults (http://localhost:$(PORT)).
## Built, then run in make's place (exec): Ctrl-C reaches the portal alone, which
## stops gracefully and exits 0. `go run` would exit 1 after any interrupt
## (cmd/go marks an interrupted run failed) and make would report an error.
run:
	$(GO) build -o reference-portal/reference-portal ./reference-portal
	exec reference-portal/reference-portal $(ARGS)

## test: install what the tests need, then run every test and a short fuzz pass
## (among them tsc over the element's JSDoc types: widget/types_test.go)
test: test-deps unit fuzz

test-deps:
	@bash scripts/install-test-deps.sh

unit:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

## fuzz: run each fuzz target briefly to keep it alive. FUZZTIME is an
## execution count (Nx), not a duration: Go 1.26's coordinator can fail a
## duration-bound run at its deadline with no finding (golang/go#75804).
FUZZTIME ?= 3000x
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

## a11y: the accessibility checker over a running reference portal
## (reports in a11y.html and a11y.json)
a11y: test-deps
	@bash scripts/a11y.sh

## bench: performance and resilience, measured (never part of make test): prints
## the tables of docs/performance.md and writes bench-results.json; flags in ARGS,
## e.g. make bench ARGS='-soak 30s -only go,load'
BENCH_PEERS := e2e/bench/peers
BENCH_LIGHTHOUSE := e2e/bench/lighthouse
bench: test-deps $(BENCH_PEERS)/node_modules/.package-lock.json $(BENCH_LIGHTHOUSE)/node_modules/.package-lock.json
	$(GO) run ./e2e/bench/cmd/bench $(ARGS)

# The peer component sets the element is weighed against, and Lighthouse,
# each pinned by its lockfile.
$(BENCH_PEERS)/node_modules/.package-lock.json: $(BENCH_PEERS)/package-lock.json
	cd $(BENCH_PEERS) && npm ci --no-audit --no-fund --silent
$(BENCH_LIGHTHOUSE)/node_modules/.package-lock.json: $(BENCH_LIGHTHOUSE)/package-lock.json
	cd $(BENCH_LIGHTHOUSE) && npm ci --no-audit --no-fund --silent

build:
	$(GO) build ./...

## cluster: three instances behind HAProxy, sessions in Redis with Sentinel, all
## on loopback (not part of make test); prints the URL, stops on Ctrl-C.
## See docs/operations.md.
cluster: cluster-deps
	$(GO) run ./e2e/cmd/cluster $(ARGS)

## cluster-faults: the bounded fault run over that cluster: prints the table of
## docs/operations.md and writes cluster-faults.json
cluster-faults: cluster-deps
	$(GO) run ./e2e/cmd/cluster -faults $(ARGS)

cluster-deps:
	@bash scripts/install-cluster-deps.sh
