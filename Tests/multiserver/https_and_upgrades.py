#!/usr/bin/env python3
"""HTTPS in front of two servers, and two servers migrating a new schema at the same instant
(see run.sh and docs/operations.md).

1. HTTPS: a throwaway CA and a certificate for localhost are made with openssl; two servers on
   one new schema (--trusted-proxy 127.0.0.1, --base-url https://localhost:PORT) sit behind
   nginx with the TLS configuration docs/operations.md shows, plus its plain-HTTP listener
   that redirects to HTTPS. Every request below goes over TLS, verified against that CA:
   a learner starts the course and stays signed in on both servers; every redirect stays on
   the https address; the addresses the server builds (join address, issuer, status list)
   are the https ones; a staff sign-in link works; a projector's event stream through TLS
   shows answers sent through nginx to both servers.
2. Upgrades: on a brand-new schema two `groundwork serve` processes start together, three
   times. The first time a psql transaction holds the migration lock and an uncommitted
   CREATE SCHEMA of that schema until both servers wait for it, then rolls back, letting
   both go at once. Both must answer /health and share a learner, the migrations table must
   hold every migration once (as `groundwork staff list` alone applies them), neither may log
   or exit with an error, and a restart on the migrated schema must apply nothing again.
"""
import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks", "live"))
from bench import NGINX_HEAD, PASSWORD, Client, Presenter, answer_fields, free_port, next_poll, open_session  # noqa: E402

failures = []


def expect(condition, message):
    print(("  ok: " if condition else "  FAILED: ") + message)
    if not condition:
        failures.append(message)
    return condition


def wait_for_port(port, what, process=None, seconds=60):
    """Waits until something listens on `port`; False (and a failure) if `process` exits first or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return expect(False, f"{what} stopped before listening (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return expect(False, f"{what} didn't start listening on port {port} within {seconds} s")


def with_schema(database, schema):
    return database + ("&" if "?" in database else "?") + "schema=" + schema


def psql(database, sql, schema=None):
    """Runs `sql` with psql (in `schema` when given) and returns its unaligned rows."""
    if schema:
        sql = f"SET search_path TO {schema}; " + sql
    done = subprocess.run(["psql", database.split("?")[0], "-v", "ON_ERROR_STOP=1", "-qtAF", "|", "-c", sql],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed: {done.stderr.strip()}")
    return [line for line in done.stdout.splitlines() if line]


def drop_schema(database, schema):
    subprocess.run(["psql", database.split("?")[0], "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                   capture_output=True, timeout=30)


class Servers:
    """The processes started here, stopped in `finally` whatever happens."""

    def __init__(self, args, work):
        self.args, self.work, self.processes = args, work, []

    def serve(self, port, name, database, base_url=None):
        log = open(os.path.join(self.work, f"{name}.log"), "w")
        command = [self.args.binary, "serve", "--port", str(port), "--database", database, "--course", self.args.course,
                   "--templates", os.path.join(ROOT, "Templates"), "--trusted-proxy", "127.0.0.1"]
        if base_url:
            command += ["--base-url", base_url]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        process.name, process.log = name, log.name
        self.processes.append(process)
        return process

    def stop(self, process):
        """SIGTERM, and the exit status (a graceful stop is 0)."""
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop_all(self):
        for process in self.processes:
            self.stop(process)

    def error_lines(self, process):
        with open(process.log) as log:
            return [line.strip() for line in log if re.search(r"\berror\b|\bcritical\b|Fatal error", line, re.I)]


# --- HTTPS -------------------------------------------------------------------------------

# The nginx configuration docs/operations.md shows, on loopback ports with the test's own
# certificate; X-Served-By (test only) names the server that answered each request.
NGINX_TLS_CONF = NGINX_HEAD + """    server {{
        listen 127.0.0.1:{http_port};
        server_name localhost;
        return 301 https://localhost:{tls_port}$request_uri;
    }}
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        server_name localhost;
        ssl_certificate     {work}/server.pem;
        ssl_certificate_key {work}/server.key;
        location / {{
            proxy_pass http://groundwork;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            add_header X-Served-By $upstream_addr always;
        }}
    }}
}}
"""


def make_certificates(work):
    """A throwaway CA and a certificate it signs for localhost and 127.0.0.1; returns the CA's file."""
    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, cwd=work, timeout=60)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Groundwork test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(work, "server.ext"), "w") as ext:
        ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                  "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return os.path.join(work, "ca.pem")


def start_tls_nginx(binary, work, ports, http_port, tls_port):
    for folder in ["body", "proxy", "fastcgi", "uwsgi", "scgi"]:
        os.makedirs(os.path.join(work, folder), exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in ports)
    with open(os.path.join(work, "nginx.conf"), "w") as conf:
        conf.write(NGINX_TLS_CONF.format(work=work, servers=servers, http_port=http_port, tls_port=tls_port))
    return subprocess.Popen([binary, "-c", os.path.join(work, "nginx.conf"), "-p", work, "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def read_response(data):
    """(status, headers {lower name: [values]}, body text) of a whole HTTP/1.1 response."""
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
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
    return status, headers, rest.decode(errors="replace")


class TLSClient(Client):
    """A browser reaching the site at https://localhost:PORT through nginx, verifying its certificate.
    Keeps cookies like bench.Client, and notes every Location, Set-Cookie and answering server."""

    def __init__(self, port, context):
        super().__init__(port)
        self.context = context
        self.locations, self.set_cookies, self.served_by = [], [], []
        self.headers = {}

    async def request(self, method, path, fields=None):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, ssl=self.context, server_hostname="localhost")
        body = urllib.parse.urlencode(fields).encode() if fields is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: localhost:{self.port}\r\nConnection: close\r\n"
        if self.cookies:
            head += "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n"
        if fields is not None:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 30)
        writer.close()
        status, headers, text = read_response(data)
        self.headers = headers
        for value in headers.get("set-cookie", []):
            self.set_cookies.append(value)
            key, _, val = value.split(";")[0].partition("=")
            if val:
                self.cookies[key] = val
            else:
                self.cookies.pop(key, None)
        location = (headers.get("location") or [None])[0]
        if location is not None:
            self.locations.append((path, location))
        self.served_by.append((path, (headers.get("x-served-by") or [None])[0]))
        if status == 200:
            self.page = text
        return status, location, text


class TLSPresenter(Presenter):
    """The projector's event stream, through nginx over TLS."""

    def __init__(self, port, context, cookies, session_id):
        super().__init__(port, cookies, session_id)
        self.context = context
        self.status_line = None

    async def run(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, ssl=self.context, server_hostname="localhost")
        head = (f"GET /staff/sessions/{self.session_id}/events HTTP/1.1\r\nHost: localhost:{self.port}\r\n"
                "Accept: text/event-stream\r\n"
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n\r\n")
        writer.write(head.encode())
        await writer.drain()
        try:
            self.status_line = (await reader.readline()).decode(errors="replace").strip()
            while True:
                line = await reader.readline()
                if not line:
                    break
                match = re.search(rb'"version":(\d+),"count":(\d+)', line)
                if match:
                    self.events.append((time.perf_counter(), int(match.group(1)), int(match.group(2))))
        finally:
            writer.close()


def jwt_payload(token):
    part = token.strip().split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def https_scenario(args, context, tls_port, http_port, server_ports, database):
    base = f"https://localhost:{tls_port}"
    upstreams = {f"127.0.0.1:{p}" for p in server_ports}
    clients = []

    def client():
        made = TLSClient(tls_port, context)
        clients.append(made)
        return made

    print("the certificate is checked")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", tls_port, ssl=ssl.create_default_context(),
                                                       server_hostname="localhost")
        writer.close()
        expect(False, "a client trusting only the system's CAs refuses the test certificate")
    except ssl.SSLCertVerificationError:
        expect(True, "a client trusting only the system's CAs refuses the test certificate (so verification is on)")
    reader, writer = await asyncio.open_connection("127.0.0.1", tls_port, ssl=context, server_hostname="localhost")
    version = writer.get_extra_info("ssl_object").version()
    writer.close()
    expect(version in ("TLSv1.2", "TLSv1.3"), f"with the test CA the TLS handshake succeeds for localhost ({version})")

    print("plain HTTP is sent to HTTPS")
    reader, writer = await asyncio.open_connection("127.0.0.1", http_port)
    writer.write(f"GET /modules/principles?x=1 HTTP/1.1\r\nHost: localhost:{http_port}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    status, headers, _ = read_response(await asyncio.wait_for(reader.read(), 30))
    writer.close()
    location = (headers.get("location") or [None])[0]
    expect(status == 301 and location == f"{base}/modules/principles?x=1",
           f"http://localhost:{http_port}/modules/principles?x=1 answers 301 to {base}/modules/principles?x=1 ({status}, {location})")
    expect("x-served-by" not in headers, "without reaching a server (no upstream answered)")

    print("a learner starts the course over HTTPS and stays signed in on both servers")
    learner = client()
    status, _, page = await learner.request("GET", "/")
    expect(status == 200 and learner.field("csrf", page), f"the start page shows over TLS ({status})")
    status, location, _ = await learner.post("/start", [("name", "Robin")])
    expect(status == 303 and location == "/welcome", f"starting the course redirects to /welcome ({status}, {location})")
    session_cookie = [c for c in learner.set_cookies if c.startswith("gw_session=s.")]
    expect(bool(session_cookie), "and sets the signed-in session cookie")
    if session_cookie:
        attributes = [a.strip().lower() for a in session_cookie[-1].split(";")[1:]]
        expect("httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes,
               f"the session cookie is HttpOnly, SameSite=Lax, Path=/ ({session_cookie[-1].split(';', 1)[1].strip()})")
        expect("secure" in attributes, "and Secure, as --base-url is https (a browser never sends it over plain HTTP)")
    status, _, page = await learner.request("GET", "/welcome")
    code = re.search(r"\b([a-z]+-[a-z]+-[a-z]+-[a-z]+)\b", page)
    expect(status == 200 and code is not None, f"the welcome page shows the resume code ({status})")
    seen = set()
    signed_in_everywhere = True
    for _ in range(20):
        status, _, page = await learner.request("GET", "/")
        served = learner.served_by[-1][1]
        signed_in_everywhere &= status == 200 and "Robin" in page and 'action="/sign-out"' in page
        seen.add(served)
        if upstreams <= seen:
            break
    expect(upstreams <= seen and signed_in_everywhere,
           f"the course page, served by {' and '.join(sorted(s or '?' for s in seen))}, shows Robin signed in every time")
    module = re.search(r'href="/modules/([a-z0-9-]+)"', learner.page)
    expect(module is not None, "the course page links to a module")
    if module:
        status, _, page = await learner.request("GET", f"/modules/{module.group(1)}")
        status, location, _ = await learner.post(f"/modules/{module.group(1)}/attempts", [])
        expect(status == 303 and location and location.startswith(f"/modules/{module.group(1)}/"),
               f"a form posted over TLS (starting a module) is accepted ({status}, {location})")
        if location:
            status, _, _ = await learner.request("GET", location)
            expect(status == 200, f"and its page shows ({status}, served by {learner.served_by[-1][1]})")
    status, _, page = await learner.request("GET", "/")
    status, location, _ = await learner.post("/sign-out", [])
    expect(status == 303 and location == "/", f"signing out redirects to / ({status}, {location})")
    resumed = client()
    await resumed.request("GET", "/")
    status, location, _ = await resumed.post("/resume", [("code", code.group(1) if code else "")])
    status2, _, page = await resumed.request("GET", "/")
    expect(status == 303 and location == "/" and status2 == 200 and "Robin" in page,
           f"the resume code signs Robin in again over TLS ({status}, {location}, then {status2})")
    await client().request("GET", "/staff/sessions")  # not signed in to the staff area: sent to its sign-in

    print("addresses the server builds from --base-url are the https ones")
    status, _, text = await client().request("GET", "/issuer")
    try:
        issuer = json.loads(text)
    except ValueError:
        issuer = {}
    expect(status == 200 and issuer.get("id") == f"{base}/issuer" and issuer.get("url") == base,
           f"/issuer names itself {base}/issuer with url {base} ({status}, {issuer.get('id')}, {issuer.get('url')})")
    status, _, text = await client().request("GET", "/credentials/status/1")
    try:
        listed = jwt_payload(text)
    except (ValueError, IndexError):
        listed = {}
    expect(status == 200 and listed.get("id") == f"{base}/credentials/status/1"
           and (listed.get("issuer") == f"{base}/issuer" or (listed.get("issuer") or {}).get("id") == f"{base}/issuer"),
           f"the status list is {base}/credentials/status/1, issued by {base}/issuer ({status}, {listed.get('id')})")
    status, _, text = await client().request("GET", "/.well-known/jwks.json")
    try:
        keys = json.loads(text).get("keys", [])
    except ValueError:
        keys = []
    expect(status == 200 and len(keys) >= 1, f"/.well-known/jwks.json serves the signing key over TLS ({status}, {len(keys)} key(s))")

    print("staff sign in with an https link and run a group session through TLS")
    staff = subprocess.run([args.binary, "staff", "add", "Fay", "--role", "facilitator", "--database", database,
                            "--base-url", base], capture_output=True, text=True, timeout=60)
    link = re.search(r"\S+/staff/welcome/[0-9a-f]+", staff.stdout)
    expect(staff.returncode == 0 and link is not None and link.group(0).startswith(f"{base}/staff/welcome/"),
           f"`groundwork staff add --base-url {base}` prints a sign-in link at {base}/staff/welcome/… "
           f"({link.group(0)[:len(base) + 16] + '…' if link else staff.stderr.strip()[:120]})")
    if not link:
        return clients
    facilitator = client()
    path = urllib.parse.urlsplit(link.group(0)).path  # the link itself, followed as a browser would
    token = path.rsplit("/", 1)[1]
    status, _, _ = await facilitator.request("GET", path)
    expect(status == 200, f"the sign-in link's page shows over TLS ({status})")
    status, location, _ = await facilitator.post("/staff/welcome", [("token", token), ("password", PASSWORD), ("confirm", PASSWORD)])
    expect(status == 303, f"choosing a password there is accepted ({status}, {location})")
    signed_in = [c for c in facilitator.set_cookies if c.startswith("gw_staff=") and not c.startswith("gw_staff=;")]
    expect(bool(signed_in) and "HttpOnly" in signed_in[-1] and "SameSite=Strict" in signed_in[-1] and "Path=/staff" in signed_in[-1]
           and "Secure" in signed_in[-1],
           f"following the link and choosing a password signs Fay in (staff cookie: "
           f"{signed_in[-1].split(';', 1)[1].strip() if signed_in else 'none'})")
    control, join_code = await open_session(facilitator, ["overdose-response"])
    _, _, page = await facilitator.request("GET", control)
    shown = re.findall(r'Join address for the room: <span class="link-url">([^<]*)</span>', page)
    expect(shown == [f"{base}/join"], f"the session's control page gives the room {base}/join as the join address ({shown})")
    session_id = control.rsplit("/", 1)[1]
    status, _, page = await facilitator.request("GET", f"{control}/present")
    shown = re.findall(r'class="projector-join">Join: (\S+) ·', page) + re.findall(r'class="join-address">([^<]*)<', page)
    expect(status == 200 and shown and set(shown) == {f"{base}/join"},
           f"the projector page shows {base}/join wherever it names the join address ({status}, {shown})")
    projector = TLSPresenter(tls_port, context, facilitator.cookies, session_id)
    projector.start()
    people = []
    for _ in range(4):
        person = client()
        await person.request("GET", "/join")
        status, location, _ = await person.post("/join", [("code", join_code)])
        live_cookie = [c for c in person.set_cookies if c.startswith("gw_live=")]
        expect(status == 303 and location == "/live" and live_cookie and "Secure" in live_cookie[-1],
               f"a participant joins over TLS, their cookie Secure ({status}, {location}, "
               f"{live_cookie[-1].split(';', 1)[1].strip() if live_cookie else 'no cookie'})")
        await person.request("GET", "/live")
        people.append(person)
    version = await next_poll(facilitator, control, True)
    _, _, page = await people[0].request("GET", "/live")
    poll = people[0].field("poll", page)
    answered_by = set()
    for index, person in enumerate(people):
        status, location, _ = await person.post("/live/answer", [("poll", poll)] + answer_fields(page, index))
        expect(status == 303 and location == "/live", f"participant {index + 1}'s answer is acknowledged "
                                                      f"({status}, served by {person.served_by[-1][1]})")
        answered_by.add(person.served_by[-1][1])
    deadline = time.perf_counter() + 15
    while projector.shown(version, len(people)) is None and time.perf_counter() < deadline and not projector.task.done():
        await asyncio.sleep(0.05)
    expect(projector.status_line is not None and " 200" in projector.status_line and projector.shown(version, len(people)) is not None,
           f"the projector's event stream through TLS ({projector.status_line}) shows all {len(people)} answers, "
           f"sent through {' and '.join(sorted(s or '?' for s in answered_by))} "
           f"(last shown: {projector.events[-1][2] if projector.events else 'nothing'})")
    expect(upstreams <= answered_by, f"the answers went to both servers ({', '.join(sorted(s or '?' for s in answered_by))})")
    projector.task.cancel()
    return clients


def check_locations(clients, base, server_ports):
    locations = [(path, location) for c in clients for path, location in c.locations]
    bad = []
    for path, location in locations:
        absolute = urllib.parse.urljoin(base + path, location)
        if (not absolute.startswith(base + "/") or location.startswith(("http:", "//"))
                or any(f":{p}" in location for p in server_ports)):
            bad.append(f"{path} -> {location}")
    expect(len(locations) >= 8 and not bad,
           f"all {len(locations)} redirects stay on {base}: relative paths or {base}/… "
           f"(never http://, never a server's own port){'; wrong: ' + ', '.join(bad) if bad else ''}")
    answered = {s for c in clients for _, s in c.served_by}
    expect(None not in answered, "every request through TLS was answered by one of the servers (X-Served-By on each)")


def https_part(args, servers, work):
    print("1. HTTPS in front of two servers")
    schema = "https_" + uuid.uuid4().hex[:12]
    database = with_schema(args.database, schema)
    try:
        ca = make_certificates(work)
        context = ssl.create_default_context(cafile=ca)
        a_port, b_port, tls_port, http_port = free_port(), free_port(), free_port(), free_port()
        base = f"https://localhost:{tls_port}"
        a = servers.serve(a_port, "https-A", database, base)
        b = servers.serve(b_port, "https-B", database, base)
        if not (wait_for_port(a_port, "server A", a) and wait_for_port(b_port, "server B", b)):
            return
        nginx = start_tls_nginx(args.nginx, work, [a_port, b_port], http_port, tls_port)
        servers.processes.append(nginx)
        nginx.name, nginx.log = "nginx", os.path.join(work, "nginx-error.log")
        if not (wait_for_port(tls_port, "nginx (TLS)", nginx) and wait_for_port(http_port, "nginx (HTTP)", nginx)):
            return
        print(f"  two servers on {schema}, behind nginx at {base} (plain HTTP on {http_port})")
        clients = asyncio.run(asyncio.wait_for(https_scenario(args, context, tls_port, http_port, [a_port, b_port], database), 60))
        check_locations(clients, base, [a_port, b_port])
        for process in (a, b):
            running = process.poll() is None
            code = servers.stop(process)
            expect(running and code == 0, f"server {process.name} ran throughout and stopped cleanly (exit {code})")
        servers.stop(nginx)
    finally:
        drop_schema(args.database, schema)


# --- Two servers migrating at once ----------------------------------------------------

def reference_migrations(args):
    """The migrations this binary applies, in order: one `groundwork staff list` alone on a schema of its own."""
    schema = "upgrade_reference_" + uuid.uuid4().hex[:10]
    try:
        done = subprocess.run([args.binary, "staff", "list", "--database", with_schema(args.database, schema)],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"groundwork staff list failed on a new schema: {done.stderr.strip()[:200]}")
        return [row.split("|")[0] for row in migration_rows(args.database, schema)]
    finally:
        drop_schema(args.database, schema)


def wait_until(condition, seconds, interval=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


class MigrationBlocker:
    """A psql session holding, in one open transaction, the advisory lock `migrate()` takes and an
    uncommitted CREATE SCHEMA of the schema the servers are about to make: whatever a server does
    first on a new schema, it waits for this session. `release()` rolls it back, letting every
    waiter go at the same instant."""

    def __init__(self, database, schema):
        self.database = database
        self.process = subprocess.Popen(["psql", database.split("?")[0], "-v", "ON_ERROR_STOP=1", "-qtA"],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        self.process.stdin.write("BEGIN;\nSELECT pg_advisory_xact_lock(hashtext('groundwork-migrate'));\n"
                                 f"CREATE SCHEMA {schema};\n")
        self.process.stdin.flush()
        self.pid = None

        def holding():
            rows = psql(database, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
                                  "(SELECT oid FROM pg_database WHERE datname = current_database()) AND "
                                  "classid::bigint = ((hashtext('groundwork-migrate')::bigint >> 32) & 4294967295) AND "
                                  "objid::bigint = (hashtext('groundwork-migrate')::bigint & 4294967295)")
            if rows:
                self.pid = int(rows[0])
            return self.process.poll() is not None or self.pid is not None
        if not wait_until(holding, 30) or self.process.poll() is not None:
            raise RuntimeError("psql couldn't take the migration lock")
        # The CREATE SCHEMA ran once its relation lock shows: the session then sits idle in its transaction.
        settled = wait_until(lambda: self.process.poll() is not None or psql(
            database, f"SELECT state FROM pg_stat_activity WHERE pid = {self.pid}") == ["idle in transaction"], 30)
        if not settled or self.process.poll() is not None:
            raise RuntimeError("psql's CREATE SCHEMA didn't go through")

    def blocked(self):
        """How many other sessions wait for this one."""
        return int(psql(self.database, f"SELECT COUNT(*) FROM pg_stat_activity WHERE {self.pid} = ANY(pg_blocking_pids(pid))")[0])

    def release(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("ROLLBACK;\n\\q\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def learner_crosses(a_port, b_port, name):
    """Starts the course on A, resumes with the code on B; True when B shows the learner."""
    first = Client(a_port)
    await first.request("GET", "/")
    status, location, _ = await first.post("/start", [("name", name)])
    if status != 303:
        return False, f"starting on A: {status}"
    _, _, page = await first.request("GET", "/welcome")
    code = re.search(r"\b([a-z]+-[a-z]+-[a-z]+-[a-z]+)\b", page)
    if not code:
        return False, "no resume code on A's welcome page"
    second = Client(b_port)
    await second.request("GET", "/")
    status, location, _ = await second.post("/resume", [("code", code.group(1))])
    status2, _, page = await second.request("GET", "/")
    return (status == 303 and status2 == 200 and name in page), f"resume on B: {status} {location}, then {status2}"


def health(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        status, _, body = read_response(data)
        return status, body
    except OSError as error:
        return None, str(error)


def migration_rows(database, schema):
    return psql(database, "SELECT name, applied_at FROM groundwork_migration ORDER BY applied_at, name", schema)


def upgrades_part(args, servers, rounds):
    print("2. two servers migrating a new schema at the same instant")
    expected = reference_migrations(args)
    numbered = [f"v{n}" for n in range(1, len(expected) + 1)]
    expect(len(expected) >= 1 and [name.split(":")[0] for name in expected] == numbered,
           f"one process alone on a new schema applies migrations v1 to v{len(expected)} (the reference)")
    for number in range(1, rounds + 1):
        schema = f"upgrade_{number}_" + uuid.uuid4().hex[:10]
        database = with_schema(args.database, schema)
        held = number == 1
        blocker = None
        try:
            print(f"  round {number}: {schema}" + (", both held inside the migration, then let go at once" if held else ", both started together"))
            a_port, b_port = free_port(), free_port()
            if held:
                blocker = MigrationBlocker(args.database, schema)
            a = servers.serve(a_port, f"upgrade{number}-A", database)
            b = servers.serve(b_port, f"upgrade{number}-B", database)
            if held:
                wait_until(lambda: a.poll() is not None or b.poll() is not None or blocker.blocked() >= 2, 30)
                waiting = blocker.blocked()
                expect(waiting == 2, f"both servers are inside the migration at the same time, waiting for the test's "
                                     f"transaction ({waiting} waiting); it is rolled back, letting both go at once")
                blocker.release()
            if not (wait_for_port(a_port, "server A", a) and wait_for_port(b_port, "server B", b)):
                continue
            statuses = [health(a_port), health(b_port)]
            expect(all(s == 200 and '"status":"ok"' in body for s, body in statuses),
                   f"both answer GET /health ({statuses[0][0]}, {statuses[1][0]})")
            crossed, detail = asyncio.run(asyncio.wait_for(learner_crosses(a_port, b_port, "Robin"), 30))
            expect(crossed, f"a learner who started on A resumes with their code on B ({detail})")
            rows = migration_rows(args.database, schema)
            names = [row.split("|")[0] for row in rows]
            expect(names == expected, f"the migrations table holds each of the {len(expected)} migrations exactly once, in order "
                                      f"({len(names)} rows, {len(set(names))} distinct"
                                      f"{'' if names == expected else '; missing ' + ', '.join(n.split(':')[0] for n in expected if n not in names)})")
            for process in (a, b):
                running = process.poll() is None
                code = servers.stop(process)
                errors = servers.error_lines(process)
                expect(running and code == 0 and not errors,
                       f"server {process.name[-1]} ran throughout, logged no error and stopped cleanly "
                       f"(exit {code}{'; ' + errors[0][:160] if errors else ''})")
            if number == 1:
                restart = free_port()
                again = servers.serve(restart, f"upgrade{number}-restart", database)
                if wait_for_port(restart, "the restarted server", again):
                    status, _ = health(restart)
                    expect(status == 200, f"a server restarted on the migrated schema answers /health ({status})")
                    expect(migration_rows(args.database, schema) == rows,
                           "and applies nothing again (the migrations table is unchanged, applied_at included)")
                    ok, detail = asyncio.run(asyncio.wait_for(learner_crosses(restart, restart, "Sam"), 30))
                    expect(ok, f"and serves the records: a learner starts and resumes on it ({detail.replace(' on B', '')})")
                    code = servers.stop(again)
                    errors = servers.error_lines(again)
                    expect(code == 0 and not errors, f"and stops cleanly (exit {code}{'; ' + errors[0][:160] if errors else ''})")
        finally:
            if blocker:
                blocker.release()
            for process in list(servers.processes):
                if process.name.startswith(f"upgrade{number}-"):
                    servers.stop(process)
            drop_schema(args.database, schema)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database", required=True, help="postgresql://… (schemas of the test's own are made in it)")
    parser.add_argument("--nginx", default="nginx")
    parser.add_argument("--course", default=os.path.join(ROOT, "Curriculum"))
    parser.add_argument("--rounds", type=int, default=3, help="times two servers migrate a new schema together")
    args = parser.parse_args()
    args.binary, args.course = os.path.abspath(args.binary), os.path.abspath(args.course)
    work = tempfile.mkdtemp(prefix="groundwork-https-upgrades-")
    servers = Servers(args, work)
    started = time.monotonic()
    try:
        https_part(args, servers, work)
        upgrades_part(args, servers, args.rounds)
    except Exception as error:  # a failure to report, after cleaning up
        expect(False, f"the test stopped: {type(error).__name__}: {error}")
    finally:
        servers.stop_all()
        if failures:
            for process in servers.processes:
                lines = open(process.log).readlines()[-15:] if os.path.exists(process.log) else []
                if lines:
                    print(f"--- {process.name}'s log (last lines) ---")
                    print("".join(lines))
        shutil.rmtree(work, ignore_errors=True)
    print(f"done in {time.monotonic() - started:.0f} s")
    if failures:
        print(f"{len(failures)} problem(s):")
        for failure in failures:
            print("  -", failure)
        sys.exit(1)
    print("HTTPS in front of two servers works end to end; two servers migrating at once apply each migration once")


if __name__ == "__main__":
    main()
