# Nexus Desktop. `make run` builds and starts the app; `make test` runs every test.
# Both install what is missing first (Debian/Ubuntu packages through apt, npm packages).

SHELL := /bin/bash
GO ?= go
BIN := build/bin/nexus
TAGS := desktop,production,webkit2_41
export CGO_ENABLED := 1

.PHONY: run build deps deps-runtime frontend bindings test test-go test-frontend test-e2e bench bench-storage clean

run: build
	./$(BIN)

build: deps-runtime frontend
	$(GO) build -buildvcs=false -tags $(TAGS) -ldflags "-w -s" -o $(BIN) .

deps:
	scripts/install-deps.sh

deps-runtime:
	scripts/install-deps.sh --runtime-only

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The generated bindings (frontend/wailsjs) follow the Go methods bound to the window.
bindings: frontend/node_modules/.package-lock.json
	$(GO) build -buildvcs=false -tags bindings,webkit2_41 -o build/wailsbindings . && ./build/wailsbindings >/dev/null && rm -f build/wailsbindings

frontend: bindings
	cd frontend && npm run build

test: deps
	scripts/test-session.sh $(MAKE) --no-print-directory test-go test-frontend test-e2e

# Every fuzz target runs a bounded number of inputs (about 10 s each here). A count, not a
# duration: Go 1.26's fuzz coordinator can fail a clean run with "context deadline exceeded"
# when a -fuzztime duration ends mid-input (go.dev/issue/75804). Minimizing a new input is
# capped too, or one minimization can take the whole budget.
FUZZ_TARGETS := FuzzSSEParser FuzzStreamReader FuzzReadJSONResponse FuzzUsage FuzzScanRequestMeta FuzzNormalize FuzzKeyCache
FUZZTIME ?= 100000x
FUZZFLAGS = -fuzztime $(FUZZTIME) -fuzzminimizetime 2s

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./proxy/... ./recording/...
	for f in $(FUZZ_TARGETS); do $(GO) test -run '^$$' -fuzz "^$$f$$" $(FUZZFLAGS) ./conversation/ || exit 1; done
	$(GO) test -run '^$$' -fuzz '^FuzzParseLegacyFile$$' $(FUZZFLAGS) ./credentials/
	for f in FuzzSplitRebuild FuzzRedactKeepsJSON FuzzRedactStream FuzzRedactRequest FuzzKeysFromParts; do $(GO) test -run '^$$' -fuzz "^$$f$$" $(FUZZFLAGS) ./content/ || exit 1; done

test-frontend: bindings
	cd frontend && npm run check && npm test

e2e/serve/ts/node_modules/.package-lock.json: e2e/serve/ts/package-lock.json
	cd e2e/serve/ts && npm ci --no-audit --no-fund
	touch $@

# Claude Code itself (pinned), driven offline through the proxy by e2e/claudecode.
e2e/claudecode/cli/node_modules/.package-lock.json: e2e/claudecode/cli/package-lock.json
	cd e2e/claudecode/cli && npm ci --no-audit --no-fund
	touch $@

# -p 1: the end-to-end packages share the session's keychain, one at a time.
test-e2e: build e2e/serve/ts/node_modules/.package-lock.json e2e/claudecode/cli/node_modules/.package-lock.json
	$(GO) test -count=1 -p 1 -tags e2e -timeout 20m ./e2e/...

# The proxy benchmark (docs/benchmarks.md): direct, bare ReverseProxy and Nexus, interleaved.
bench: build
	$(GO) build -o build/bench/fakeapi ./internal/fakeapi/cmd/fakeapi
	$(GO) build -o build/bench/bareproxy ./bench/bareproxy
	$(GO) build -o build/bench/bench ./bench
	scripts/test-session.sh build/bench/bench --nexus $(BIN) --fakeapi build/bench/fakeapi --bareproxy build/bench/bareproxy --out build/bench/results.md
	$(MAKE) --no-print-directory bench-storage

# The storage benchmark (docs/benchmarks.md, "Storage"): amplification of a 200-turn session and
# ingest/query at scale, on SQLite and (with NEXUS_TEST_DATABASE_URL) PostgreSQL. The issue's
# 1,000,000 requests take about 35 minutes here: make bench-storage STORAGE_REQUESTS=1000000.
STORAGE_REQUESTS ?= 100000
bench-storage:
	$(GO) run ./bench/storage -backend $(if $(NEXUS_TEST_DATABASE_URL),both,sqlite) -requests $(STORAGE_REQUESTS) -out build/bench/storage.md

clean:
	rm -rf build/bin build/bench build/test-artifacts frontend/dist/assets frontend/dist/index.html
