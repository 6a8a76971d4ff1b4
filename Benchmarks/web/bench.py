#!/usr/bin/env python3
"""Web benchmark: wrk against a release build of `groundwork serve`, in one run:

  trivial   GET /health                                  (the baseline: same server, no page)
  lesson    GET /modules/<m>/sections/1                  (a signed-in learner's lesson page)
  answer    POST /modules/<m>/answers                    (real answers from 6,000 learners, each recorded durably)

Reports requests/s and p99 latency at 64 connections, the lesson/trivial ratio, and the
server's resident memory after at least 10,000 requests.

With --postgres URL it runs twice in one go, on SQLite and then on that PostgreSQL database
(in a schema of its own), and reports PostgreSQL's answer POSTs as a share of SQLite's.
Usage: Benchmarks/web/bench.py [--binary .build/release/groundwork] [--duration 10] [--postgres URL]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

MODULE = "what-harm-reduction-is"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Visitor:
    """One learner over a keep-alive connection, keeping the session cookie."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = None
        self.page = ""

    def request(self, method, path, fields=None):
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        if response.status == 200:
            self.page = text
        return response.status, response.getheader("Location"), text

    @property
    def csrf(self):
        match = re.search(r'name="csrf" value="([^"]+)"', self.page)
        return match.group(1) if match else ""


def wrk(url, duration, connections, script=None, headers=()):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": rate, "p99": float(p99.group(1)) * scale, "requests": total,
            "errors": int(errors.group(1)) if errors else 0, "raw": output}


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/groundwork")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--learners", type=int, default=6000)
    parser.add_argument("--postgres", help="also run on this PostgreSQL database and compare answer POSTs")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("error: wrk is missing; install it with: sudo apt-get install wrk")
    sqlite_rate = run(args, None)
    if args.postgres:
        postgres_rate = run(args, args.postgres)
        share = postgres_rate / sqlite_rate * 100 if sqlite_rate else float("nan")
        print(f"\nanswer POSTs: PostgreSQL {postgres_rate:.0f}/s, SQLite {sqlite_rate:.0f}/s in the same run: "
              f"{share:.0f}% (goal ≥ 50%)")


def run(args, postgres):
    """One pass on SQLite (postgres is None) or on PostgreSQL; returns answers stored per second."""
    work = tempfile.mkdtemp(prefix="groundwork-web-bench-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    schema = "web_bench_" + os.urandom(6).hex() if postgres else None
    store = (["--database", postgres + ("&" if "?" in postgres else "?") + "schema=" + schema] if postgres
             else ["--data", work + "/data"])
    # wrk is one client on loopback with 64 connections: lift the per-client connection cap.
    server = subprocess.Popen([args.binary, "serve", "--port", str(port), "--log-level", "warning",
                               "--connections-per-client", "1000"] + store,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.1)
        course = json.loads(subprocess.run([args.binary, "compile", "Curriculum"], capture_output=True, text=True).stdout)
        module = next(m for m in course["modules"] if m["id"] == MODULE)
        questions = [q for s in module["sections"] for q in s["questions"]]
        section = next(i + 1 for i, s in enumerate(module["sections"]) if s["questions"])

        print(f"setting up {args.learners} learners with an open attempt at {MODULE}…")
        learners = []
        for index in range(args.learners):
            visitor = Visitor(port)
            visitor.request("GET", "/")
            visitor.request("POST", "/start", [("name", f"Bench {index}"), ("csrf", visitor.csrf)])
            visitor.request("GET", "/")
            visitor.request("POST", f"/modules/{MODULE}/attempts", [("csrf", visitor.csrf)])
            learners.append((visitor.cookie, visitor.csrf))
            visitor.connection.close()
        reader = learners[0][0]

        # Any valid answer to each question, in the order the attempt asks them (no pool).
        bodies = []
        for question in questions:
            fields = [("item", question["id"]), ("step", "")]
            n = len(question["options"])
            if question["kind"] in ("single-choice", "select-all"):
                fields.append(("answer", "a"))
            elif question["kind"] == "ordering":
                fields += [(f"position-{chr(97 + i)}", str(i + 1)) for i in range(n)]
            elif question["kind"] == "matching":
                fields += [(f"match-{chr(97 + i)}", str(i + 1)) for i in range(n)]
            else:
                fields.append(("answer", "naloxone"))
            bodies.append(urllib.parse.urlencode(fields))
        script = os.path.join(work, "answers.lua")
        with open(script, "w") as lua:
            lua.write("local learners = {\n")
            for cookie, csrf in learners:
                lua.write(f'  {{cookie = "{cookie}", csrf = "{csrf}", next = 1}},\n')
            lua.write("}\nlocal bodies = {\n")
            for body in bodies:
                lua.write(f'  "{body}",\n')
            lua.write("}\n")
            lua.write(f"""
local counter = 0
local threads = 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args) counter = offset end
function request()
  -- each thread takes every other learner; each learner answers the module's questions in order
  for _ = 1, #learners do
    local learner = learners[(counter % #learners) + 1]
    counter = counter + 2
    if learner.next <= #bodies then
      local body = bodies[learner.next] .. "&csrf=" .. learner.csrf
      learner.next = learner.next + 1
      return wrk.format("POST", "/modules/{MODULE}/answers",
        {{["Cookie"] = learner.cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}}, body)
    end
  end
  return wrk.format("GET", "/health")
end
""")
        print("warming up…")
        wrk(base + "/health", 2, 16)
        wrk(f"{base}/modules/{MODULE}/sections/1", 2, 16, headers=[f"Cookie: {reader}"])

        trivial = wrk(base + "/health", args.duration, 64)
        lesson = wrk(f"{base}/modules/{MODULE}/sections/1", args.duration, 64, headers=[f"Cookie: {reader}"])
        question_page = wrk(f"{base}/modules/{MODULE}/sections/{section}", args.duration, 64, headers=[f"Cookie: {reader}"])
        answers = wrk(base + "/", args.duration, 64, script=script)
        total = trivial["requests"] + lesson["requests"] + question_page["requests"] + answers["requests"]
        memory = rss_mb(server.pid)

        # Answers per second from the database itself: stored answers over the time between
        # the first and the last one (so requests after the learners ran out don't count).
        if postgres:
            out = subprocess.run(["psql", postgres.split("?")[0], "-tAc",
                                  f"SET search_path TO {schema}; SELECT COUNT(*), "
                                  "COALESCE(EXTRACT(EPOCH FROM MAX(answered_at) - MIN(answered_at)), 0) FROM response"],
                                 capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            stored, span = int(out.split("|")[0]), float(out.split("|")[1])
        else:
            import sqlite3
            with sqlite3.connect(work + "/data/records.sqlite") as db:
                stored, span = db.execute(
                    "SELECT COUNT(*), (julianday(MAX(answered_at)) - julianday(MIN(answered_at))) * 86400 FROM response").fetchone()
        check = str(stored)

        print(f"\nweb: wrk -t2 -c64 -d{args.duration}s against a release build, this machine, "
              f"{'PostgreSQL' if postgres else 'SQLite'}")
        print(f"  {'route':44} {'req/s':>9} {'p99 ms':>8}")
        print(f"  {'GET /health (trivial baseline)':44} {trivial['rate']:9.0f} {trivial['p99']:8.2f}")
        print(f"  {'GET lesson page (signed in)':44} {lesson['rate']:9.0f} {lesson['p99']:8.2f}   {lesson['rate'] / trivial['rate'] * 100:.0f}% of trivial (goal ≥ 50%)")
        print(f"  {'GET question page (signed in, form)':44} {question_page['rate']:9.0f} {question_page['p99']:8.2f}   {question_page['rate'] / trivial['rate'] * 100:.0f}% of trivial")
        stored = int(check) if check.isdigit() else 0
        capacity = len(learners) * len(bodies)
        answer_rate = stored / span if span else 0.0
        note = f"{stored:,} answers stored in {span:.1f} s" + (" (ran out of questions: raise --learners)" if stored >= capacity - len(learners) else "")
        print(f"  {'POST answers (recorded, synchronous=FULL)':44} {answer_rate:9.0f} {answers['p99']:8.2f}   {note}")
        print(f"  errors (non-2xx/3xx): {trivial['errors'] + lesson['errors'] + question_page['errors'] + answers['errors']}")
        print(f"  resident memory after {total:,} requests: {memory:.1f} MB (goal < 100 MB)")
        print(f"  p99 goal < 25 ms at 64 connections: lesson {'met' if lesson['p99'] < 25 else 'NOT met'}")
        return answer_rate
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if schema:
            subprocess.run(["psql", postgres.split("?")[0], "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
