"""Starts and stops a real gocua server for the durability test and the sync benchmark.

Standard library only, so a fresh machine needs nothing beyond Python 3.
"""
import datetime
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

SECRET_JWT = "durability-jwt-secret-0123456789abcdef"
SECRET_CITIZEN = "durability-citizen-key-0123456789abcd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gocua server on a throwaway database (a temp SQLite file, or a fresh
    PostgreSQL database dropped at the end)."""

    def __init__(self, binary, backend, pg_url=None):
        self.binary = os.path.abspath(binary)
        self.dir = tempfile.mkdtemp(prefix="gocua-")
        self.port = free_port()
        self.proc = None
        self.backend = backend
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GOCUA_")}
        self.env.update(
            GOCUA_BIND=f"127.0.0.1:{self.port}",
            GOCUA_JWT_SECRET=SECRET_JWT,
            GOCUA_CITIZEN_ID_KEY=SECRET_CITIZEN,
            GOCUA_LOGIN_FAILURES_PER_ADDRESS="1000",
            RUST_LOG="warn",
        )
        if backend == "postgres":
            if not pg_url:
                raise SystemExit("postgres needs GOCUA_TEST_POSTGRES_URL")
            self.pg_admin = pg_url
            self.pg_name = "gocua_bench_" + uuid.uuid4().hex[:12]
            self._psql(f"CREATE DATABASE {self.pg_name}")
            self.env["GOCUA_DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/" + self.pg_name
        else:
            self.env["GOCUA_DATABASE_URL"] = "sqlite://" + os.path.join(self.dir, "gocua.db")
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "server.log"), "ab")

    def _psql(self, sql):
        subprocess.run(["psql", self.pg_admin, "-q", "-c", sql], check=True, capture_output=True)

    def cli(self, *args, stdin=None):
        done = subprocess.run([self.binary, *args], input=stdin, env=self.env, cwd=self.dir, check=True, capture_output=True)
        return done.stdout.decode().strip()

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, cwd=self.dir, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        raise SystemExit("server did not become ready; see " + self.log.name)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def cleanup(self):
        self.stop()
        if self.backend == "postgres":
            self._psql(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")
        shutil.rmtree(self.dir, ignore_errors=True)

    def call(self, method, path, body=None, token=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, None

    def login(self, phone, password):
        status, body = self.call("POST", "/api/v1/auth/login", {"phone": phone, "password": password})
        assert status == 200, body
        return body["access_token"], body["user"]["id"]


def field_setup(server, volunteers):
    """An admin, one Ba Đình team and `volunteers` members; returns (admin token, team id,
    [volunteer tokens])."""
    server.cli("create-user", "--role", "admin", "--phone", "0900000001", "--name", "Quản trị", stdin=b"admin-password-123\n")
    admin, _ = server.login("0900000001", "admin-password-123")
    status, team = server.call("POST", "/api/v1/teams", {"commune_code": "00004", "name": "Tổ đo"}, admin)
    assert status == 201, team
    tokens = []
    for i in range(volunteers):
        phone = f"0910{i:06d}"
        status, user = server.call(
            "POST",
            "/api/v1/users",
            {"phone": phone, "full_name": f"Tình nguyện viên {i}", "role": "volunteer", "unit_code": "00004", "password": "volunteer-pw-123"},
            admin,
        )
        assert status == 201, user
        status, _ = server.call("PUT", f"/api/v1/teams/{team['id']}/members/{user['id']}", {"role": "member"}, admin)
        assert status == 200
        tokens.append(server.login(phone, "volunteer-pw-123")[0])
    return admin, team["id"], tokens


def make_batch(team_id, size, seq):
    """A realistic mixed batch: half visits, then assists and registrations pointing at them."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
    visits, assists, signatures = [], [], []
    for i in range(size):
        rid = str(uuid.uuid4())
        if i % 2 == 0:
            visits.append({
                "id": rid, "team_id": team_id, "occurred_at": now, "household_ref": f"KP{seq % 97}-{i}",
                "outcome": "guided", "people_guided": 1 + i % 3, "topics": ["vneid"], "note": f"batch {seq} record {i}",
                "location": {"lat": 21.03, "lon": 105.83, "accuracy_m": 10},
            })
        elif i % 4 == 1:
            citizen = f"0011{85 + (seq % 10):02d}{(seq * 1000 + i) % 1000000:06d}"
            assists.append({
                "id": rid, "team_id": team_id, "occurred_at": now, "visit_id": visits[-1]["id"],
                "citizen_id": citizen, "birth_year": 1985 + (seq % 10), "action": "install", "result": "success",
            })
        else:
            citizen = f"0011{85 + (seq % 10):02d}{(seq * 1000 + i + 500) % 1000000:06d}"
            signatures.append({
                "id": rid, "team_id": team_id, "occurred_at": now, "visit_id": visits[-1]["id"],
                "citizen_id": citizen, "birth_year": 1985 + (seq % 10), "provider": "VNPT-CA", "status": "submitted",
            })
    return {"visits": visits, "vneid_assists": assists, "signature_registrations": signatures}


def list_all(server, token, path):
    items, cursor = [], None
    while True:
        query = f"{path}?limit=500" + (f"&cursor={cursor}" if cursor else "")
        status, page = server.call("GET", query, token=token)
        assert status == 200, page
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return items


def parse_instant(text):
    """Unix seconds of an RFC 3339 instant as the API writes it."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Receiver:
    """A dashboard's receiver: checks each signature, remembers each event in arrival order,
    answers after `delay` s, and every `hiccup`-th delivery with a 500 or too slowly."""

    def __init__(self, delay=0.0, hiccup=0, too_slow=0.0):
        self.lock = threading.Lock()
        self.arrivals = []  # (event id, record id), in arrival order
        self.first_arrival = self.last_arrival = None
        self.delays = []  # seconds from each event's creation (in the change's transaction) to its arrival
        self.bad_signatures = 0
        self.secret = None
        self.count = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

            def answer(self, status):
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                arrived = time.time()
                with receiver.lock:
                    receiver.count += 1
                    n = receiver.count
                if hiccup and n % hiccup == 0:
                    if n % (2 * hiccup) == 0:
                        time.sleep(too_slow)
                    else:
                        self.answer(500)
                        return
                parts = dict(p.split("=", 1) for p in self.headers["gocua-signature"].split(","))
                want = hmac.new(receiver.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
                event = json.loads(body)
                with receiver.lock:
                    if not hmac.compare_digest(want, parts["v1"]):
                        receiver.bad_signatures += 1
                    elif event["type"] == "record.created":
                        receiver.first_arrival = receiver.first_arrival or arrived
                        receiver.last_arrival = arrived
                        receiver.arrivals.append((event["id"], event["data"]["id"]))
                        receiver.delays.append(arrived - parse_instant(event["created_at"]))
                time.sleep(delay)
                self.answer(204)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def delivered(self):
        with self.lock:
            return {record for _, record in self.arrivals}

    def out_of_order(self):
        """Events whose first arrival came after a later event's first arrival."""
        with self.lock:
            seen, latest, late = set(), "", 0
            for event, _ in self.arrivals:
                if event in seen:
                    continue
                seen.add(event)
                if event < latest:
                    late += 1
                latest = max(latest, event)
            return late
