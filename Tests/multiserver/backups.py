#!/usr/bin/env python3
"""The backups docs/operations.md describes, each taken while a server runs and restored:

- a data folder: SQLite's online backup (`sqlite3 records.sqlite ".backup …"`) plus
  secret.key; the restored folder finds the learner by their resume code;
- PostgreSQL: `pg_dump --format=custom` of the records, `pg_restore` into a new database;
  the restored database finds the learner by their resume code.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Benchmarks", "live"))
from bench import free_port  # noqa: E402
from two_servers import expect, failures, wait_for_port  # noqa: E402

import asyncio  # noqa: E402

from bench import Client  # noqa: E402


async def new_learner(port, name):
    """Starts the course as `name` through the web and returns the resume code shown."""
    learner = Client(port)
    await learner.request("GET", "/")
    status, _, _ = await learner.post("/start", [("name", name)])
    assert status == 303, status
    _, _, page = await learner.request("GET", "/welcome")
    match = re.search(r"\b([a-z]+-[a-z]+-[a-z]+-[a-z]+)\b", page)
    assert match, "no resume code on the welcome page"
    return match.group(1)


def export(binary, code, *store):
    done = subprocess.run([binary, "learner", "export", code, *store], capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def serve(binary, port, store, work, name):
    log = open(os.path.join(work, f"{name}.log"), "w")
    process = subprocess.Popen([binary, "serve", "--port", str(port), *store], stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port, name, process)
    return process


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="groundwork-backups-")
    processes = []
    restored_database = "groundwork_restore_" + uuid.uuid4().hex[:10]
    schema = "backups_" + uuid.uuid4().hex[:10]
    try:
        print("a data folder, backed up while the server runs")
        data, backup = os.path.join(work, "data"), os.path.join(work, "backup")
        port = free_port()
        server = serve(args.binary, port, ["--data", data], work, "sqlite-server")
        processes.append(server)
        code = asyncio.run(new_learner(port, "Robin"))
        os.makedirs(backup)
        subprocess.run(["sqlite3", os.path.join(data, "records.sqlite"), f".backup {os.path.join(backup, 'records.sqlite')}"], check=True)
        shutil.copy(os.path.join(data, "secret.key"), os.path.join(backup, "secret.key"))
        server.terminate()
        server.wait(timeout=20)
        status, out, err = export(args.binary, code, "--data", backup)
        expect(status == 0 and json.loads(out)["learner"]["displayName"] == "Robin",
               f"the restored folder finds Robin by their resume code (exit {status}: {err.strip()[:120]})")

        print("PostgreSQL, dumped while the server runs and restored into a new database")
        database = args.database + ("&" if "?" in args.database else "?") + "schema=" + schema
        port = free_port()
        server = serve(args.binary, port, ["--database", database], work, "postgres-server")
        processes.append(server)
        code = asyncio.run(new_learner(port, "Sam"))
        base = args.database.split("?")[0]
        dump = os.path.join(work, "groundwork.dump")
        subprocess.run(["pg_dump", "--format=custom", "--schema", schema, "--file", dump, base], check=True)
        server.terminate()
        server.wait(timeout=20)
        owner = urllib.parse.urlparse(base).username
        subprocess.run(["su", "postgres", "-c", f"createdb -O {owner} {restored_database}"], check=True)
        restored = base.rsplit("/", 1)[0] + "/" + restored_database
        subprocess.run(["pg_restore", "--no-owner", "--dbname", restored, dump], check=True)
        status, out, err = export(args.binary, code, "--database", restored + "?schema=" + schema)
        expect(status == 0 and json.loads(out)["learner"]["displayName"] == "Sam",
               f"the restored database finds Sam by their resume code (exit {status}: {err.strip()[:120]})")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
        subprocess.run(["su", "postgres", "-c", f"dropdb --if-exists {restored_database}"], capture_output=True)
        subprocess.run(["psql", args.database.split("?")[0], "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit(f"{len(failures)} problem(s): " + "; ".join(failures))
    print("backups: a data folder and a PostgreSQL database, each backed up live and restored")


if __name__ == "__main__":
    main()
