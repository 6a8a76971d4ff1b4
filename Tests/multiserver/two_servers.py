#!/usr/bin/env python3
"""Two servers on one PostgreSQL database behind nginx (see run.sh).

1. A facilitator runs a session on server A, with the projector's event stream on A.
   Participants who joined on server B answer a poll there: the projector on A shows every
   answer (B's changes reach A through LISTEN/NOTIFY).
2. Everyone answers the next poll through nginx, retrying what didn't get through; server B
   is killed with -9 part way. Every answer acknowledged (its 303 received) must be in the
   tally, and the projector on A must show them all.
3. The database goes away (PostgreSQL stopped) while server A serves: a learner gets the
   friendly error page, and once PostgreSQL is back the same learner carries on, with every
   answer acknowledged before still counted. (Needs root, to stop and start the cluster.)
"""
import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Benchmarks", "live"))
from bench import (Client, Presenter, answer_fields, facilitator_for, free_port, next_poll, open_session,  # noqa: E402
                   start_nginx)

PEOPLE_ON_B = 20
PEOPLE_THROUGH_NGINX = 20
failures = []


def expect(condition, message):
    print(("  ok: " if condition else "  FAILED: ") + message)
    if not condition:
        failures.append(message)


def wait_for_port(port, what, process=None, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            sys.exit(f"{what} stopped at once (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} didn't start listening on port {port}")


async def answer_until_acknowledged(person, poll, page, index, acknowledged, ports, deadline):
    """Sends the answer, through whichever address the person uses now, until a 303 comes back."""
    while time.perf_counter() < deadline:
        person.port = ports[0]
        try:
            status, location, _ = await person.post("/live/answer", [("poll", poll)] + answer_fields(page, index))
        except (OSError, IndexError, ValueError):
            status, location = None, None
        if status == 303 and location == "/live":
            acknowledged.append(index)
            return
        await asyncio.sleep(0.2)


async def scenario(args, a_port, b_port, nginx_port, server_b, database):
    staff = subprocess.run([args.binary, "staff", "add", "Fay", "--role", "facilitator", "--database", database,
                            "--base-url", f"http://127.0.0.1:{nginx_port}"], capture_output=True, text=True, check=True)
    link = re.search(r"http://\S+/staff/welcome/[0-9a-f]+", staff.stdout).group(0)
    facilitator = await facilitator_for(a_port, link)
    control, code = await open_session(facilitator, ["overdose-response"])
    session_id = control.rsplit("/", 1)[1]
    projector = Presenter(a_port, facilitator.cookies, session_id)
    projector.start()

    async def join(port):
        person = Client(port)
        await person.request("GET", "/join")
        status, location, _ = await person.post("/join", [("code", code)])
        assert status == 303 and location == "/live", (status, location)
        await person.request("GET", "/live")
        return person

    on_b = [await join(b_port) for _ in range(PEOPLE_ON_B)]
    through_nginx = [await join(nginx_port) for _ in range(PEOPLE_THROUGH_NGINX)]
    everyone = on_b + through_nginx

    print("1. participants on server B answer; the projector follows server A")
    version = await next_poll(facilitator, control, True)
    _, _, page = await on_b[0].request("GET", "/live")
    poll = on_b[0].field("poll", page)
    acknowledged = []
    deadline = time.perf_counter() + 60
    await asyncio.gather(*(answer_until_acknowledged(p, poll, page, i, acknowledged, [b_port], deadline) for i, p in enumerate(on_b)))
    expect(len(acknowledged) == PEOPLE_ON_B, f"server B acknowledged all {PEOPLE_ON_B} answers ({len(acknowledged)})")
    shown_deadline = time.perf_counter() + 10
    while projector.shown(version, PEOPLE_ON_B) is None and time.perf_counter() < shown_deadline:
        await asyncio.sleep(0.05)
    expect(projector.shown(version, PEOPLE_ON_B) is not None,
           f"the projector on server A shows {PEOPLE_ON_B} answers sent to server B "
           f"(last shown: {projector.events[-1][2] if projector.events else 'nothing'})")

    print("2. everyone answers the next poll through nginx; server B is killed with -9 part way")
    version = await next_poll(facilitator, control, False)
    _, _, page = await through_nginx[0].request("GET", "/live")
    poll = through_nginx[0].field("poll", page)
    ports = [nginx_port]
    for person in on_b:
        person.port = nginx_port  # their phones reach the site through its address from now on
    acknowledged = []
    deadline = time.perf_counter() + 90

    async def kill_b_part_way():
        while len(acknowledged) < len(everyone) // 3 and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        server_b.send_signal(signal.SIGKILL)
        server_b.wait()
        print(f"  server B killed after {len(acknowledged)} acknowledged answers")

    async def slowly(index, person):
        await asyncio.sleep(index * 0.05)  # answers arrive over about two seconds, not all at once
        await answer_until_acknowledged(person, poll, page, index, acknowledged, ports, deadline)

    await asyncio.gather(kill_b_part_way(), *(slowly(i, p) for i, p in enumerate(everyone)))
    expect(len(acknowledged) == len(everyone), f"every participant's answer was acknowledged in the end ({len(acknowledged)} of {len(everyone)})")
    counted = int(subprocess.run(["psql", database.split("?")[0], "-tAc",
                                  f"SET search_path TO {args.schema}; SELECT COUNT(*) FROM poll_answer "
                                  f"WHERE session_id = '{session_id}' AND poll_key = '{poll}'"],
                                 capture_output=True, text=True, check=True).stdout.split()[-1])
    expect(counted == len(acknowledged), f"the database holds every acknowledged answer: {counted} of {len(acknowledged)} (lost {len(acknowledged) - counted})")
    shown_deadline = time.perf_counter() + 10
    while projector.shown(version, len(everyone)) is None and time.perf_counter() < shown_deadline:
        await asyncio.sleep(0.05)
    expect(projector.shown(version, len(everyone)) is not None, f"the projector on server A shows all {len(everyone)} answers")
    status, _, _ = await Client(nginx_port).request("GET", "/health")
    expect(status == 200, "the site still answers through nginx with one server left")
    projector.task.cancel()
    await database_goes_away(args, nginx_port, database, session_id, poll, len(acknowledged))


def cluster():
    """The Debian cluster Tests/postgres/start.sh runs (version, name), or None."""
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == "main":
            return parts[0], parts[1]
    return None


async def database_goes_away(args, port, database, session_id, poll, answered):
    print("3. PostgreSQL stops while the server runs, then comes back")
    found = cluster()
    if os.geteuid() != 0 or found is None:
        expect(False, "stopping PostgreSQL needs root and a Debian cluster (pg_lsclusters); run make test as root")
        return
    learner = Client(port)
    await learner.request("GET", "/")
    status, location, _ = await learner.post("/start", [("name", "Robin")])
    expect(status == 303, f"a learner starts the course ({status})")
    await learner.request("GET", "/welcome")
    status, _, _ = await learner.request("GET", "/")
    expect(status == 200, "their course page shows")
    subprocess.run(["pg_ctlcluster", found[0], found[1], "stop", "-m", "fast"], check=True)
    try:
        status, _, page = await learner.request("GET", "/")
        expect(status in (500, 503) and "Something went wrong on our side" in page,
               f"with the database gone the learner gets the friendly error page ({status}: {page[:120]!r})")
        expect("RecordsError" not in page and "PSQLError" not in page and "Sources/" not in page, "with no error details or stack trace")
    finally:
        subprocess.run(["pg_ctlcluster", found[0], found[1], "start"], check=True)
    started = time.perf_counter()
    deadline = started + 90
    status = None
    while time.perf_counter() < deadline:
        status, _, page = await learner.request("GET", "/")
        if status == 200 and "Robin" in page:
            break
        await asyncio.sleep(0.5)
    expect(status == 200, f"once PostgreSQL is back the same learner carries on, still signed in ({status}, "
                          f"after {time.perf_counter() - started:.0f} s)")
    counted = int(subprocess.run(["psql", database.split("?")[0], "-tAc",
                                  f"SET search_path TO {args.schema}; SELECT COUNT(*) FROM poll_answer "
                                  f"WHERE session_id = '{session_id}' AND poll_key = '{poll}'"],
                                 capture_output=True, text=True, check=True).stdout.split()[-1])
    expect(counted == answered, f"every answer acknowledged before the outage is still there ({counted} of {answered})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database", required=True, help="postgresql://… (a schema of its own is made in it)")
    parser.add_argument("--nginx", default="nginx")
    args = parser.parse_args()
    args.schema = "two_servers_" + uuid.uuid4().hex[:12]
    database = args.database + ("&" if "?" in args.database else "?") + "schema=" + args.schema
    work = tempfile.mkdtemp(prefix="groundwork-two-servers-")
    a_port, b_port, nginx_port = free_port(), free_port(), free_port()
    processes = []
    try:
        def serve(port, name):
            log = open(os.path.join(work, f"{name}.log"), "w")
            process = subprocess.Popen([args.binary, "serve", "--port", str(port), "--database", database,
                                        "--trusted-proxy", "127.0.0.1", "--base-url", f"http://127.0.0.1:{nginx_port}"],
                                       stdout=log, stderr=subprocess.STDOUT)
            processes.append(process)
            wait_for_port(port, f"server {name}", process)
            return process

        serve(a_port, "A")  # A first: it makes the schema, B finds it made
        server_b = serve(b_port, "B")
        nginx = start_nginx(args.nginx, work, [a_port, b_port], nginx_port)
        processes.append(nginx)
        wait_for_port(nginx_port, "nginx", nginx)
        print(f"two servers on {args.schema}, behind nginx on port {nginx_port}")
        started = time.monotonic()
        asyncio.run(scenario(args, a_port, b_port, nginx_port, server_b, database))
        print(f"done in {time.monotonic() - started:.0f} s")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        subprocess.run(["psql", args.database.split("?")[0], "-qc", f"DROP SCHEMA IF EXISTS {args.schema} CASCADE"],
                       capture_output=True)
        if failures:
            for name in ["A", "B"]:
                path = os.path.join(work, f"{name}.log")
                if os.path.exists(path):
                    print(f"--- server {name}'s log (last lines) ---")
                    print("".join(open(path).readlines()[-15:]))
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} problem(s):")
        for failure in failures:
            print("  -", failure)
        sys.exit(1)
    print("two servers behind nginx: answers cross servers, and none is lost when one is killed")


if __name__ == "__main__":
    main()
