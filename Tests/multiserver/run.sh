#!/usr/bin/env bash
# Two `groundwork serve` processes on one PostgreSQL database behind Debian's nginx on
# loopback, as docs/operations.md describes: a projector following a group session on one
# server sees answers sent through the other (LISTEN/NOTIFY), and when one server is killed
# with -9 mid-poll its participants carry on through nginx with no acknowledged answer lost;
# PostgreSQL stopped and started under a running server; the backups docs/operations.md
# describes, taken live and restored; and HTTPS in front (nginx with a throwaway CA's
# certificate) plus two servers migrating a new schema at the same instant.
# Installs nginx (apt) and starts PostgreSQL (Tests/postgres/start.sh) when it can.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing nginx for the two-server test..."
    apt-get install -y -qq nginx >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; } || \
      { echo "error: could not install nginx with apt-get"; exit 1; }
  else
    echo "error: the two-server test needs nginx. Install it, then run this again:  sudo apt-get install nginx"
    exit 1
  fi
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
DATABASE="$(Tests/postgres/start.sh)"
if [ -z "$DATABASE" ]; then
  echo "error: the two-server test needs PostgreSQL; Tests/postgres/start.sh couldn't start it"
  exit 1
fi
BIN="$(swift build --show-bin-path)/groundwork"
[ -x "$BIN" ] || swift build --product groundwork
command -v sqlite3 >/dev/null || { [ "$(id -u)" = "0" ] && apt-get install -y -qq sqlite3 >/dev/null 2>&1; } || \
  { echo "error: the backup test needs sqlite3; run: sudo apt-get install sqlite3"; exit 1; }
python3 Tests/multiserver/two_servers.py --binary "$BIN" --database "$DATABASE" --nginx "$NGINX"
python3 Tests/multiserver/backups.py --binary "$BIN" --database "$DATABASE"
command -v openssl >/dev/null || { [ "$(id -u)" = "0" ] && apt-get install -y -qq openssl >/dev/null 2>&1; } || \
  { echo "error: the HTTPS test needs openssl; run: sudo apt-get install openssl"; exit 1; }
python3 Tests/multiserver/https_and_upgrades.py --binary "$BIN" --database "$DATABASE" --nginx "$NGINX"
