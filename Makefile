# purezmq build, test and benchmark entry points.
#
#   make test   install the interop peers if missing (pyzmq; zeromq.js for
#               the draft types and ws; CZMQ for the beacon; JeroMQ), then build
#               without cgo, vet, run every test with the race detector, and
#               run the 32-bit pass (GOARCH=386), pebbe/zmq4's own test
#               suite, libzmq's test programs and pyzmq's suite on the C
#               library (capi/), the wire differential against libzmq
#               (parity/wirediff.sh), and 60 s of zmq soak
#   make pebbe  only pebbe/zmq4's suite (parity/pebbe.sh)
#   make lint   staticcheck (also part of make test)
#   make fuzz   run each fuzz target briefly (FUZZTIME each, default 10s)
#   make bench  compare purezmq with libzmq (bench/compare.sh)
#   make capi   build capi/libzmq.so.5, libzmq's C API over this package
#   make capi-conformance  run libzmq's and pyzmq's tests on capi/libzmq.so.5,
#               and the wire differential between it and Debian's libzmq

GO       ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
PYTHON   ?= /usr/bin/python3
FUZZTIME ?= 10s

.PHONY: test pyzmq nodepeer czmq jeromq build vet lint contrib test386 pebbe fuzz bench capi capi-conformance

test: pyzmq nodepeer czmq jeromq build vet lint
	$(GO) test -race -timeout 20m ./...
	@$(MAKE) --no-print-directory contrib
	@$(MAKE) --no-print-directory test386
	@$(MAKE) --no-print-directory pebbe
	@$(MAKE) --no-print-directory capi-conformance CAPI_REFERENCE=0 CAPI_PYZMQ_REFERENCE=0 CAPI_CZMQ_REFERENCE=0
	@$(MAKE) --no-print-directory soak

# The nested modules under contrib/ (their own go.mod keeps their
# dependencies out of the library's).
contrib:
	cd contrib/prometheus && $(GO) vet ./... && $(GO) test -race ./...

# The root, beacon and internal packages' tests on 32-bit x86 (an amd64
# machine runs them natively), so int-size assumptions cannot creep in.
test386:
	GOARCH=386 $(GO) vet . ./internal/... ./beacon/...
	GOARCH=386 $(GO) test -timeout 10m . ./internal/... ./beacon/...

# pebbe/zmq4 v1.4.0's own tests, fetched by the go command into the module
# cache and run unchanged but for the import path; fails unless all pass.
pebbe:
	GO=$(GO) bash parity/pebbe.sh -race

# 60 seconds of mixed patterns under churn and faults (cmd/zmq soak.go);
# fails on any invariant breach or growth of goroutines, fds or heap.
.PHONY: soak
soak:
	$(GO) run ./cmd/zmq soak -duration 60s

# The interop tests drive libzmq 4.3 through pyzmq (Debian's python3-zmq).
pyzmq:
	@if ! $(PYTHON) -c 'import zmq' >/dev/null 2>&1; then \
		echo "installing python3-zmq for the libzmq interop tests"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-zmq >/dev/null; \
	fi
	@$(PYTHON) -c 'import zmq; print("libzmq peer: pyzmq", zmq.__version__, "on libzmq", zmq.zmq_version())'

# CZMQ's zbeacon is the peer of the beacon interop test, which skips
# without it.
czmq:
	@if ! pkg-config --exists libczmq 2>/dev/null; then \
		echo "installing libczmq-dev for the beacon interop test"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libczmq-dev >/dev/null 2>&1 || \
		echo "libczmq-dev not installed: the beacon interop test will skip"; \
	fi

# JeroMQ 0.3.6 (Debian's libjeromq-java, ZMTP 2.0) and a JDK for its peer.
jeromq:
	@sh interop/jeromq/setup.sh

# zeromq.js bundles libzmq 4.3.5 built with the draft API and ws, which
# Debian's libzmq lacks; the tests that need it skip when it cannot install.
nodepeer:
	@bash interop/node/setup.sh

build:
	CGO_ENABLED=0 $(GO) build ./...

vet:
	$(GO) vet ./...

# staticcheck from the Go module proxy, pinned; findings are fixed or, where
# deliberate, suppressed in place with the reason (//lint:ignore).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) run $(STATICCHECK) ./...
	cd contrib/prometheus && $(GO) run $(STATICCHECK) ./...

# Lists the fuzz targets of every package and runs each one for FUZZTIME.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list 'Fuzz.*' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

bench:
	bash bench/compare.sh

# libzmq's C API over the Go package (the only cgo; a nested module).
capi:
	GO=$(GO) sh capi/build.sh

# libzmq 4.3.4's test programs, pyzmq's tests and CZMQ's selftest against
# capi/libzmq.so.5, each also run on Debian's libzmq for reference.
# make test skips the reference runs, which only inform.
CAPI_REFERENCE ?= 1
CAPI_PYZMQ_REFERENCE ?= 1
CAPI_CZMQ_REFERENCE ?= 1
capi-conformance: capi
	cd capi && CGO_ENABLED=1 $(GO) test -race -count=1 .
	CAPI_REFERENCE=$(CAPI_REFERENCE) bash capi/conformance/run.sh
	CAPI_PYZMQ_REFERENCE=$(CAPI_PYZMQ_REFERENCE) bash capi/conformance/pyzmq.sh
	CAPI_CZMQ_REFERENCE=$(CAPI_CZMQ_REFERENCE) GO=$(GO) bash capi/conformance/czmq.sh
	GO=$(GO) bash parity/wirediff.sh
