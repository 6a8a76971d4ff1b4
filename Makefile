# Groundwork: the two commands a new user needs are `make run` and `make test`.
SWIFT ?= swift
COURSE ?= Curriculum

.PHONY: run test deps build check bench clean

# Install what the build needs when it is missing: libcmark-dev (Markdown) and
# libsqlite3-dev (learner records).
DEB_PACKAGES = libcmark-dev libsqlite3-dev pkg-config
deps:
	@if ! pkg-config --exists libcmark sqlite3 2>/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(DEB_PACKAGES) (Markdown parsing and learner records)..."; \
	    (apt-get install -y -qq $(DEB_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq $(DEB_PACKAGES) >/dev/null)) || \
	     { echo "error: could not install $(DEB_PACKAGES) with apt-get"; exit 1; }; \
	  else \
	    echo "error: libcmark (CommonMark) or libsqlite3 (SQLite) development files are missing."; \
	    echo "Install them, then run this again:  sudo apt-get install $(DEB_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

# The run command: take the bundled course in the terminal, records in the default data
# folder (later it starts the server).
run: build
	$(SWIFT) run groundwork learn $(COURSE)

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
