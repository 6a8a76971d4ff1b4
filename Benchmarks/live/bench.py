#!/usr/bin/env python3
"""Live group-session benchmark: simulated participants on loopback against a release build
of `groundwork serve`.

A facilitator (made on the command line) opens sessions over the bundled course; a presenter
follows each one over its server-sent event stream, as the projector does; participants join
with the code and answer ten polls, one at a time, all at once. Reported, in one run:

  tally latency   from an answer acknowledged (its 303 received) to the presenter's stream
                  showing a count that includes every answer acknowledged by then (p50, p99)
  answer latency  from an answer sent to its acknowledgement (p50, p99)
  baseline        GET /health round trips taken during the same bursts (p50, p99): the ratio
                  of tally p99 to this p99 is the figure to compare across machines
  lost            answers acknowledged but missing from the final tallies (must be 0)
  memory          the server's peak resident memory

Scenarios: one session of --participants (default 2,000), and --sessions (20) sessions of
--per-session (50) participants at once. Everything is bounded: --timeout seconds per poll.
Usage: Benchmarks/live/bench.py [--binary .build/release/groundwork]
"""
import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

PASSWORD = "a quiet harbour at dawn"
POLLS = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# nginx in front of several servers on loopback, as docs/operations.md shows (the tests in
# Tests/multiserver use it too). NGINX_HEAD is everything before the `server` blocks: a
# private pid, log and temp folders under {work}, and the upstream of {servers}.
NGINX_HEAD = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    upstream groundwork {{
{servers}
        keepalive 16;
    }}
"""

NGINX_CONF = NGINX_HEAD + """    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://groundwork;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Server-sent events: no buffering, and a long read timeout.
            proxy_buffering off;
            proxy_read_timeout 1h;
            # A server that refuses the connection: try the other one.
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


def start_nginx(binary, work, ports, port):
    """Starts nginx on `port`, balancing across the servers on `ports`; returns the process."""
    for folder in ["body", "proxy", "fastcgi", "uwsgi", "scgi"]:
        os.makedirs(os.path.join(work, folder), exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in ports)
    with open(os.path.join(work, "nginx.conf"), "w") as conf:
        conf.write(NGINX_CONF.format(work=work, servers=servers, port=port))
    return subprocess.Popen([binary, "-c", os.path.join(work, "nginx.conf"), "-p", work, "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


class Client:
    """One browser: cookies kept, one request per connection (as phones on bad Wi-Fi often do)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.page = ""

    async def request(self, method, path, fields=None):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        body = urllib.parse.urlencode(fields).encode() if fields is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nConnection: close\r\n"
        if self.cookies:
            head += "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n"
        if fields is not None:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        data = await reader.read()
        writer.close()
        head_bytes, _, rest = data.partition(b"\r\n\r\n")
        lines = head_bytes.decode(errors="replace").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            value = value.strip()
            headers.setdefault(name.lower(), []).append(value)
            if name.lower() == "set-cookie":
                pair = value.split(";")[0]
                key, _, val = pair.partition("=")
                if val:
                    self.cookies[key] = val
        if "chunked" in ",".join(headers.get("transfer-encoding", [])):
            out = b""
            while rest:
                size_text, _, rest = rest.partition(b"\r\n")
                size = int(size_text, 16)
                if size == 0:
                    break
                out += rest[:size]
                rest = rest[size + 2:]
            rest = out
        text = rest.decode(errors="replace")
        if status == 200:
            self.page = text
        return status, (headers.get("location") or [None])[0], text

    def field(self, name, text=None):
        match = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), text if text is not None else self.page)
        return match.group(1) if match else None

    async def post(self, path, fields):
        return await self.request("POST", path, list(fields) + [("csrf", self.field("csrf") or "")])


class Presenter:
    """Follows a session's event stream and notes when each count was shown."""

    def __init__(self, port, cookies, session_id):
        self.port, self.cookies, self.session_id = port, cookies, session_id
        self.events = []  # (time, version, count)
        self.task = None

    async def run(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (f"GET /staff/sessions/{self.session_id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n\r\n")
        writer.write(head.encode())
        await writer.drain()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                match = re.search(rb'"version":(\d+),"count":(\d+)', line)
                if match:
                    self.events.append((time.perf_counter(), int(match.group(1)), int(match.group(2))))
        finally:
            writer.close()

    def start(self):
        self.task = asyncio.create_task(self.run())

    def shown(self, version, at_least):
        """When a count of at least `at_least` was first shown on slide version `version`."""
        for t, v, count in self.events:
            if v == version and count >= at_least:
                return t
        return None


async def facilitator_for(port, link):
    f = Client(port)
    token = link.rsplit("/", 1)[1]
    await f.request("GET", "/staff/welcome/" + token)
    await f.post("/staff/welcome", [("token", token), ("password", PASSWORD), ("confirm", PASSWORD)])
    return f


async def open_session(f, modules):
    await f.request("GET", "/staff/sessions")
    status, location, _ = await f.post("/staff/sessions", [("module", m) for m in modules])
    assert status == 303, status
    _, _, page = await f.request("GET", location)
    code = re.search(r"code <strong>(\d{3}) (\d{3})</strong>", page)
    return location, code.group(1) + code.group(2)


async def next_poll(f, control, first):
    """Moves to the next poll (stays on the current one the first time, if it is one);
    returns the slide's version."""
    _, _, page = await f.request("GET", control)
    if first and "control-reveal" in page:
        return int(f.field("version", page))
    for _ in range(200):
        status, _, _ = await f.post(control + "/control", [("action", "next"), ("version", f.field("version", page))])
        assert status == 303, status
        _, _, page = await f.request("GET", control)
        if "control-reveal" in page:
            return int(f.field("version", page))
    raise SystemExit("no poll found")


def answer_fields(page, index):
    """A valid answer for whatever kind of poll the participant's page shows."""
    if 'type="radio"' in page:
        letters = re.findall(r'type="radio" name="answer" value="([a-z]+)"', page)
        return [("answer", letters[index % len(letters)])]
    if 'type="checkbox" name="answer"' in page:
        letters = re.findall(r'type="checkbox" name="answer" value="([a-z]+)"', page)
        return [("answer", letters[index % len(letters)])]
    positions = re.findall(r'name="position-([a-z]+)"', page)
    if positions:
        return [(f"position-{letter}", str(n)) for n, letter in enumerate(positions, start=1)]
    matches = re.findall(r'name="match-([a-z]+)"', page)
    if matches:
        return [(f"match-{letter}", "1") for letter in matches]
    return [("answer", "naloxone")]


async def join_all(port, code, count, limit):
    people = []
    semaphore = asyncio.Semaphore(limit)

    async def join():
        async with semaphore:
            p = Client(port)
            await p.request("GET", "/join")
            status, location, _ = await p.post("/join", [("code", code)])
            assert status == 303 and location == "/live", (status, location)
            await p.request("GET", "/live")
            people.append(p)

    await asyncio.gather(*(join() for _ in range(count)))
    return people


async def answer_all(people, poll, page, limit, acks, sends):
    semaphore = asyncio.Semaphore(limit)

    async def answer(index, p):
        async with semaphore:
            start = time.perf_counter()
            status, location, _ = await p.post("/live/answer", [("poll", poll)] + answer_fields(page, index))
            end = time.perf_counter()
            if status == 303 and location == "/live":
                acks.append(end)
                sends.append(end - start)

    await asyncio.gather(*(answer(i, p) for i, p in enumerate(people)))


async def probe(port, stop, samples):
    c = Client(port)
    while not stop.is_set():
        start = time.perf_counter()
        await c.request("GET", "/health")
        samples.append(time.perf_counter() - start)
        await asyncio.sleep(0.02)


async def run_sessions(port, link, sessions, per_session, limit, timeout, modules, people_port=None):
    people_port = people_port or port
    f = await facilitator_for(port, link)
    opened = [await open_session(f, modules) for _ in range(sessions)]
    presenters = []
    groups = []
    for control, code in opened:
        presenter = Presenter(port, f.cookies, control.rsplit("/", 1)[1])
        presenter.start()
        presenters.append(presenter)
        groups.append(await join_all(people_port, code, per_session, limit))
    tally, sends, health = [], [], []
    lost = 0
    for number in range(POLLS):
        versions = [await next_poll(f, control, number == 0) for control, _ in opened]
        polls, pages = [], []
        for people in groups:
            _, _, page = await people[0].request("GET", "/live")
            polls.append(people[0].field("poll", page))
            pages.append(page)
        stop = asyncio.Event()
        prober = asyncio.create_task(probe(people_port, stop, health))
        acks_by_session = [[] for _ in opened]
        await asyncio.wait_for(asyncio.gather(*(answer_all(people, poll, page, max(1, limit // sessions), acks, sends)
                                                for people, poll, page, acks in zip(groups, polls, pages, acks_by_session))), timeout)
        deadline = time.perf_counter() + timeout
        for presenter, version, acks, people in zip(presenters, versions, acks_by_session, groups):
            while presenter.shown(version, len(people)) is None and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            for rank, ack in enumerate(sorted(acks), start=1):
                shown = presenter.shown(version, rank)
                if shown is None:
                    lost += 1
                else:
                    tally.append(max(0.0, shown - ack))
            lost += len(people) - len(acks)
        stop.set()
        await prober
    for presenter in presenters:
        presenter.task.cancel()
    return tally, sends, health, lost


def peak_memory(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return -1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/groundwork")
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--per-session", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=400, help="requests in flight at once")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--database", help="run two servers on this PostgreSQL database (a schema of its own) behind nginx; "
                                           "the facilitator and projector use server A, participants come through nginx")
    parser.add_argument("--nginx", default="nginx")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="groundwork-live-")
    data = os.path.join(work, "data")
    port = free_port()
    people_port = port
    schema = None
    if args.database:
        schema = "live_bench_" + os.urandom(6).hex()
        store = ["--database", args.database + ("&" if "?" in args.database else "?") + "schema=" + schema]
    else:
        store = ["--data", data]
    servers = [subprocess.Popen([args.binary, "serve", "--port", str(port), "--connections-per-client", "100000",
                                 "--trusted-proxy", "127.0.0.1"] + store, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]

    def wait_for(p):
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", p), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit(f"nothing is listening on port {p}")

    extra = []
    try:
        wait_for(port)
        if args.database:
            second = free_port()
            servers.append(subprocess.Popen([args.binary, "serve", "--port", str(second), "--connections-per-client", "100000",
                                             "--trusted-proxy", "127.0.0.1"] + store,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_for(second)
            people_port = free_port()
            extra.append(start_nginx(args.nginx, work, [port, second], people_port))
            wait_for(people_port)
        modules = ["overdose-response", "what-harm-reduction-is", "principles", "language-and-stigma"]
        results = []
        for name, sessions, each in [(f"1 session x {args.participants}", 1, args.participants),
                                     (f"{args.sessions} sessions x {args.per_session}", args.sessions, args.per_session)]:
            staff = subprocess.run([args.binary, "staff", "add", f"Bench{len(results)}", "--role", "facilitator",
                                    "--base-url", f"http://127.0.0.1:{port}"] + store,
                                   capture_output=True, text=True, check=True)
            link = re.search(r"http://\S+/staff/welcome/[0-9a-f]+", staff.stdout).group(0)
            started = time.perf_counter()
            tally, sends, health, lost = asyncio.run(
                run_sessions(port, link, sessions, each, args.concurrency, args.timeout, modules, people_port))
            results.append((name, tally, sends, health, lost, time.perf_counter() - started))
        memory = sum(peak_memory(server.pid) for server in servers)
        where = (f"two servers on PostgreSQL behind nginx, projector on one, participants through nginx" if args.database
                 else "one server, SQLite")
        print(f"groundwork live benchmark ({POLLS} polls each; {os.cpu_count()} cores; loopback; {where})")
        for name, tally, sends, health, lost, elapsed in results:
            t50, t99 = percentile(tally, 50) * 1000, percentile(tally, 99) * 1000
            s50, s99 = percentile(sends, 50) * 1000, percentile(sends, 99) * 1000
            h50, h99 = percentile(health, 50) * 1000, percentile(health, 99) * 1000
            print(f"{name}: {len(tally)} answers in {elapsed:.0f} s; lost {lost}")
            print(f"  tally latency  p50 {t50:7.1f} ms  p99 {t99:7.1f} ms")
            print(f"  answer latency p50 {s50:7.1f} ms  p99 {s99:7.1f} ms")
            print(f"  baseline /health during bursts p50 {h50:7.1f} ms  p99 {h99:7.1f} ms;"
                  f" tally p99 / baseline p99 = {t99 / h99 if h99 else float('nan'):.2f}")
        print(f"server peak memory: {memory} MiB" + (" (both servers)" if args.database else ""))
        if any(r[4] for r in results):
            sys.exit("answers were lost")
    finally:
        for process in extra + servers:
            process.terminate()
            process.wait(timeout=30)
        if schema:
            subprocess.run(["psql", args.database.split("?")[0], "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
