# vigil — build, test, benchmark and fuzz targets.
GO ?= go
PKGS ?= ./...
FUZZTIME ?= 60s

.PHONY: build test vet bench fuzz tidy

# The shipped binary is static and pure Go (no libc, no dynamic loader at
# start; see docs/ARCHITECTURE.md).
BUILDFLAGS ?= -trimpath
build:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o bin/vigil ./cmd/vigil

# The whole test suite: vet, then every test (fuzz seed corpora run as
# ordinary tests). .ci/run installs what the tests need and runs this.
test: vet
	$(GO) test -count=1 -timeout 15m $(PKGS)

vet:
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt needed:"; gofmt -l cmd internal; exit 1)
	$(GO) vet $(PKGS)

# Benchmarks; figures go to BENCHMARKS.md by hand.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Runs every fuzz target for FUZZTIME each.
fuzz:
	@for p in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$p || exit 1; \
	  done; \
	done
