#!/usr/bin/env bash
# Real-browser tests: headless Chromium takes a learner through a module of the bundled
# course, resumes in a fresh session with the code, and runs axe on every page type; then
# the staff journey, a group session (a facilitator, a projector and three phones, with a
# practical skill signed off), and a coordinator's cohort through to a certificate that is
# checked, forged and revoked.
# Screenshots land in .build/screenshots/. Installs what it needs (Debian's chromium,
# chromium-driver and zbar-tools, PyPI's selenium, axe-selenium-python, PyJWT and
# cryptography) when it can.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing chromium and chromium-driver for the browser tests..."
    apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
      { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
      { echo "error: could not install chromium and chromium-driver with apt-get"; exit 1; }
  else
    echo "error: the browser tests need Chromium and its driver."
    echo "Install them, then run this again:  sudo apt-get install chromium chromium-driver"
    exit 1
  fi
fi
if ! python3 -c "import selenium, axe_selenium_python" >/dev/null 2>&1; then
  echo "Installing selenium and axe-selenium-python from PyPI..."
  python3 -m pip install -q selenium axe-selenium-python || \
    { echo "error: could not install them; run: python3 -m pip install selenium axe-selenium-python"; exit 1; }
fi

# The coordinator journey checks credentials with someone else's code (PyJWT) and reads the
# certificate's QR code back with zbarimg.
if ! python3 -c "import jwt, cryptography" >/dev/null 2>&1; then
  echo "Installing PyJWT and cryptography from PyPI..."
  python3 -m pip install -q PyJWT cryptography || \
    { echo "error: could not install them; run: python3 -m pip install PyJWT cryptography"; exit 1; }
fi
if ! command -v zbarimg >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing zbar-tools (zbarimg reads the certificate's QR code back)..."
    apt-get install -y -qq zbar-tools >/dev/null 2>&1 || \
      { apt-get update -qq && apt-get install -y -qq zbar-tools >/dev/null; } || \
      { echo "error: could not install zbar-tools with apt-get"; exit 1; }
  else
    echo "error: the browser tests need zbarimg to read QR codes."
    echo "Install it, then run this again:  sudo apt-get install zbar-tools"
    exit 1
  fi
fi

BIN="$(swift build --show-bin-path)/groundwork"
[ -x "$BIN" ] || swift build --product groundwork
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SHOTS=".build/screenshots"
"$BIN" compile Curriculum > "$WORK/course.json"
"$BIN" serve --port "$PORT" --data "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
python3 - "$PORT" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("the server did not start")
PY
python3 Tests/browser/learner_journey.py --base "http://127.0.0.1:$PORT" --course "$WORK/course.json" \
  --module what-harm-reduction-is --screenshots "$SHOTS"

# The staff journey on the same server: the first coordinator is made on the command line,
# as docs/staff.md says, while the server runs.
LINK="$("$BIN" staff add Ada --role coordinator --data "$WORK/data" --base-url "http://127.0.0.1:$PORT" | grep -o 'http://[^ ]*/staff/welcome/[0-9a-f]*')"
python3 Tests/browser/staff_journey.py --base "http://127.0.0.1:$PORT" --link "$LINK" --screenshots "$SHOTS"

# A facilitated group session on the same server: a facilitator made on the command line the
# same way (not Bea: the staff journey invited a Bea from the web, and names are unique) runs
# it for a projector and three phones.
FACILITATOR_LINK="$("$BIN" staff add Cleo --role facilitator --data "$WORK/data" --base-url "http://127.0.0.1:$PORT" | grep -o 'http://[^ ]*/staff/welcome/[0-9a-f]*')"
python3 Tests/browser/group_journey.py --base "http://127.0.0.1:$PORT" --link "$FACILITATOR_LINK" --screenshots "$SHOTS"

# A coordinator's cohort through to a certificate on the same server: a coordinator made on
# the command line the same way (not Ada, who turned on two-step sign-in) makes a cohort; its
# learner passes the course and claims a certificate, which is checked with PyJWT, forged
# six ways, and revoked. `groundwork verify` reads the same data folder while the server runs.
COORDINATOR_LINK="$("$BIN" staff add Dana --role coordinator --data "$WORK/data" --base-url "http://127.0.0.1:$PORT" | grep -o 'http://[^ ]*/staff/welcome/[0-9a-f]*')"
python3 Tests/browser/coordinator_journey.py --base "http://127.0.0.1:$PORT" --link "$COORDINATOR_LINK" --course "$WORK/course.json" \
  --bin "$BIN" --data "$WORK/data" --screenshots "$SHOTS"

# Graceful shutdown: SIGTERM ends the server cleanly.
kill -TERM "$SERVER"
status=0
wait "$SERVER" || status=$?
if [ "$status" -ne 0 ] || ! grep -q "stopped" "$WORK/server.log"; then
  echo "error: the server did not stop cleanly on SIGTERM (status $status)"; cat "$WORK/server.log"; exit 1
fi
echo "server stopped cleanly; screenshots in $SHOTS"
