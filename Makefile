# Groundwork: the two commands a new user needs are `make run` and `make test`.
SWIFT ?= swift
COURSE ?= Curriculum

.PHONY: run test deps build check bench clean

# Install what the build needs (libcmark-dev) when it is missing.
deps:
	@if ! pkg-config --exists libcmark 2>/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing libcmark-dev and pkg-config (needed to parse Markdown)..."; \
	    (apt-get install -y -qq libcmark-dev pkg-config >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq libcmark-dev pkg-config >/dev/null)) || \
	     { echo "error: could not install libcmark-dev with apt-get"; exit 1; }; \
	  else \
	    echo "error: libcmark (the CommonMark library) is missing."; \
	    echo "Install it, then run this again:  sudo apt-get install libcmark-dev pkg-config"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

# The run command: today it checks the bundled course (later it starts the server).
run: build
	$(SWIFT) run groundwork check $(COURSE)

check: build
	$(SWIFT) run groundwork check --strict $(COURSE)

# The test command: unit tests, then the bundled course must pass with zero warnings.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) run groundwork check --strict $(COURSE)

# Benchmarks (release build): see docs/benchmarks.md.
bench: deps
	$(SWIFT) run -c release GroundworkBenchmarks

clean:
	rm -rf .build
