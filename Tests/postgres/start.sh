#!/usr/bin/env bash
# Starts a PostgreSQL server for the tests and prints the address of a database they may use
# (each test makes its own schema there). Installs Debian's postgresql when it is missing and
# this runs as root. When PostgreSQL can't be started, says why and how on standard error,
# prints nothing, and exits 0: the store contract then runs against SQLite only (CI refuses that).
set -uo pipefail
USER_NAME=groundwork
PASSWORD=groundwork
DATABASE=groundwork_test
say() { echo "postgres for tests: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "installing Debian's postgresql..."
    apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; } || {
      say "could not install postgresql with apt-get; run: sudo apt-get install postgresql"; exit 0; }
  else
    say "PostgreSQL is not installed; run: sudo apt-get install postgresql, then make test again"
    exit 0
  fi
fi
if [ "$(id -u)" != "0" ]; then
  if ! PGPASSWORD=$PASSWORD psql -h 127.0.0.1 -U $USER_NAME -d $DATABASE -c 'SELECT 1' >/dev/null 2>&1; then
    say "not root, so can't start PostgreSQL or make its test user; as root run: Tests/postgres/start.sh"
    exit 0
  fi
  echo "postgresql://$USER_NAME:$PASSWORD@127.0.0.1:5432/$DATABASE"
  exit 0
fi
VERSION="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
if [ -z "$VERSION" ]; then say "no PostgreSQL server version found in /usr/lib/postgresql"; exit 0; fi
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$VERSION main$"; then
  pg_createcluster "$VERSION" main >/dev/null 2>&1 || { say "could not create a cluster: pg_createcluster $VERSION main"; exit 0; }
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$VERSION" main start >/dev/null 2>&1 || { say "could not start it: pg_ctlcluster $VERSION main start (see /var/log/postgresql)"; exit 0; }
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $3}')"
for _ in $(seq 1 50); do
  su postgres -c "psql -p $PORT -tAc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -q" >/dev/null 2>&1 <<SQL || { say "could not make the test user and database"; exit 0; }
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$USER_NAME') THEN
    CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD';
  END IF;
END \$\$;
SQL
if ! su postgres -c "psql -p $PORT -tAc \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"" | grep -q 1; then
  su postgres -c "createdb -p $PORT -O $USER_NAME $DATABASE" >/dev/null 2>&1 || { say "could not create the database $DATABASE"; exit 0; }
fi
echo "postgresql://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
