# Groundwork: the two commands a new user needs are `make run` and `make test`.
SWIFT ?= swift
COURSE ?= Curriculum

.PHONY: run test test-tools deps build check bench bench-web bench-live bench-postgres browser-test learn clean

# Install what the build needs when it is missing: libcmark-dev (Markdown),
# libsqlite3-dev (learner records), libqrencode-dev (QR codes on join slides and
# certificates) and zlib1g-dev (the certificates' revocation list).
DEB_PACKAGES = libcmark-dev libsqlite3-dev libqrencode-dev zlib1g-dev pkg-config
deps:
	@if ! pkg-config --exists libcmark sqlite3 libqrencode zlib 2>/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(DEB_PACKAGES) (Markdown parsing and learner records)..."; \
	    (apt-get install -y -qq $(DEB_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq $(DEB_PACKAGES) >/dev/null)) || \
	     { echo "error: could not install $(DEB_PACKAGES) with apt-get"; exit 1; }; \
	  else \
	    echo "error: libcmark (CommonMark), libsqlite3 (SQLite), libqrencode (QR codes) or zlib development files are missing."; \
	    echo "Install them, then run this again:  sudo apt-get install $(DEB_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

# The run command: serve the bundled course at http://127.0.0.1:8080, records in the
# default data folder (see docs/learners.md).
run: build
	$(SWIFT) run groundwork serve --course $(COURSE)

# Take the course in the terminal instead.
learn: build
	$(SWIFT) run groundwork learn $(COURSE)

check: build
	$(SWIFT) run groundwork check --strict $(COURSE)

# The test command: unit, route and end-to-end tests (the store contract against SQLite and
# PostgreSQL); the bundled course must pass with
# zero warnings; then a real browser takes a learner through a module (Tests/browser).
# zbarimg (Debian's zbar-tools) reads the QR codes back in the tests; Tests/multiserver runs
# two servers on PostgreSQL behind nginx (installed with apt when missing).
test-tools:
	@command -v zbarimg >/dev/null || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null && \
	  { echo "Installing zbar-tools (the tests read QR codes back with it)..."; \
	    apt-get install -y -qq zbar-tools >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq zbar-tools >/dev/null); }; } || \
	  { echo "error: zbarimg is missing; run: sudo apt-get install zbar-tools"; exit 1; }

# Tests/postgres/start.sh installs and starts PostgreSQL (as root) and prints a database for
# the store contract; without one, the contract runs against SQLite only and says so.
test: deps test-tools
	$(SWIFT) build --build-tests
	GROUNDWORK_TEST_POSTGRES="$$(Tests/postgres/start.sh)" $(SWIFT) test --skip-build
	$(SWIFT) run groundwork check --strict $(COURSE)
	Tests/browser/run.sh
	Tests/multiserver/run.sh

browser-test: build
	Tests/browser/run.sh

# Benchmarks (release build): see docs/benchmarks.md.
bench: deps
	$(SWIFT) run -c release GroundworkBenchmarks

# The web benchmark: wrk against a release build of groundwork serve.
bench-web: deps
	@command -v wrk >/dev/null || { [ "$$(id -u)" = "0" ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "error: wrk is missing; run: sudo apt-get install wrk"; exit 1; }
	$(SWIFT) build -c release --product groundwork
	python3 Benchmarks/web/bench.py --binary .build/release/groundwork

clean:
	rm -rf .build

# The live group-session benchmark: simulated participants on loopback against a release
# build (2,000 in one session, then 20 sessions of 50); see docs/benchmarks.md.
bench-live: deps
	$(SWIFT) build -c release --product groundwork
	python3 Benchmarks/live/bench.py --binary .build/release/groundwork

# PostgreSQL beside SQLite (docs/benchmarks.md): the web benchmark's answer POSTs on both in one
# run, and the live benchmark with two servers on PostgreSQL behind nginx.
bench-postgres: deps
	@command -v wrk >/dev/null || { [ "$$(id -u)" = "0" ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "error: wrk is missing; run: sudo apt-get install wrk"; exit 1; }
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { [ "$$(id -u)" = "0" ] && apt-get install -y -qq nginx >/dev/null; } || \
	  { echo "error: nginx is missing; run: sudo apt-get install nginx"; exit 1; }
	$(SWIFT) build -c release --product groundwork
	DATABASE="$$(Tests/postgres/start.sh)"; \
	  $(SWIFT) run -c release GroundworkBenchmarks records --postgres "$$DATABASE" && \
	  python3 Benchmarks/web/bench.py --binary .build/release/groundwork --postgres "$$DATABASE" && \
	  python3 Benchmarks/live/bench.py --binary .build/release/groundwork --database "$$DATABASE" \
	    --nginx "$$(command -v nginx || echo /usr/sbin/nginx)"
