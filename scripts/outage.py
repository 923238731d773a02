"""Database outage under load: volunteers keep posting visits (and a supervisor keeps reading
statistics) while the database goes away for a while, then comes back.

- SQLite: another process takes the write lock (`BEGIN EXCLUSIVE`) and holds it, as a stuck
  backup or a full disk would: no write can commit.
- PostgreSQL: the server reaches PostgreSQL through a TCP proxy in this script; the outage
  cuts every connection and refuses new ones, as a stopped or restarting PostgreSQL does.
  (Stopping the shared cluster itself would take every other database on the machine down.)

Pass: no answer is a 500 or anything but 2xx or 503; every 503 is problem+json with
`Retry-After`; no request takes longer than twice the pool timeout plus a second; after the
outage the server serves again without a restart; every record acknowledged (201/200) is
stored, and nothing else is.

    python3 scripts/outage.py --binary target/debug/gocua --backend sqlite
"""
import argparse
import collections
import json
import os
import socket
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, field_setup, free_port, list_all  # noqa: E402

POOL_TIMEOUT = 2


class Proxy:
    """A TCP relay to PostgreSQL that can cut every connection and refuse new ones."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.up = True
        self.lock = threading.Lock()
        self.sockets = set()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.up = False
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.sockets.clear()

    def restore(self):
        self.up = True


def request(server, method, path, body, token):
    """One call; returns (status, seconds, problem_ok)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    req.add_header("authorization", "Bearer " + token)
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status, time.monotonic() - start, True
    except urllib.error.HTTPError as e:
        raw = e.read()
        took = time.monotonic() - start
        ok = e.headers.get("content-type") == "application/problem+json"
        if e.code == 503:
            ok = ok and e.headers.get("retry-after") is not None
            ok = ok and json.loads(raw).get("status") == 503
        return e.code, took, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/debug/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--before", type=float, default=3, help="seconds of normal load first")
    ap.add_argument("--outage", type=float, default=6, help="seconds without a database")
    ap.add_argument("--after", type=float, default=6, help="seconds of load after it")
    args = ap.parse_args()

    pg_url = os.environ.get("GOCUA_TEST_POSTGRES_URL")
    server = Server(args.binary, args.backend, pg_url)
    proxy = None
    if args.backend == "postgres":
        proxy = Proxy(5432)
        server.env["GOCUA_DATABASE_URL"] = server.env["GOCUA_DATABASE_URL"].replace(
            "127.0.0.1:5432", f"127.0.0.1:{proxy.port}").replace("localhost:5432", f"127.0.0.1:{proxy.port}")
        server.env["GOCUA_DATABASE_URL"] += ("&" if "?" in server.env["GOCUA_DATABASE_URL"] else "?") + "sslmode=disable"
    server.env["GOCUA_DB_POOL_TIMEOUT_SECS"] = str(POOL_TIMEOUT)
    failures = []
    try:
        server.cli("migrate")
        server.start()
        admin, team, tokens = field_setup(server, args.clients)
        phase = ["before"]
        stop = threading.Event()
        acknowledged, sent = set(), set()
        seen = collections.Counter()
        slowest = collections.defaultdict(float)
        bad = []
        lock = threading.Lock()
        first_ok_after = []

        def volunteer(token, n):
            seq = 0
            while not stop.is_set():
                seq += 1
                rid = str(uuid.uuid4())
                body = {
                    "id": rid, "team_id": team,
                    "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 600)),
                    "household_ref": f"O{n}-{seq}", "outcome": "guided", "people_guided": 1, "topics": ["vneid"],
                }
                current = phase[0]
                status, took, ok = request(server, "POST", "/api/v1/visits", body, token)
                with lock:
                    sent.add(rid)
                    seen[(current, "POST /visits", status)] += 1
                    slowest[current] = max(slowest[current], took)
                    if status in (200, 201):
                        acknowledged.add(rid)
                        if current == "after" and not first_ok_after:
                            first_ok_after.append(time.monotonic())
                    elif status != 503 or not ok:
                        bad.append((current, status, ok))
                if status == 503:
                    time.sleep(0.2)

        def reader():
            while not stop.is_set():
                current = phase[0]
                status, took, ok = request(server, "GET", "/api/v1/stats/summary?unit=00004", None, admin)
                with lock:
                    seen[(current, "GET /stats/summary", status)] += 1
                    slowest[current] = max(slowest[current], took)
                    if status != 200 and (status != 503 or not ok):
                        bad.append((current, status, ok))
                time.sleep(0.1)

        threads = [threading.Thread(target=volunteer, args=(t, i)) for i, t in enumerate(tokens)]
        threads.append(threading.Thread(target=reader))
        for t in threads:
            t.start()
        time.sleep(args.before)

        phase[0] = "outage"
        holder = None
        if proxy:
            proxy.cut()
        else:
            holder = sqlite3.connect(server.env["GOCUA_DATABASE_URL"].removeprefix("sqlite://"), timeout=30, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
        time.sleep(args.outage)
        if proxy:
            proxy.restore()
        else:
            holder.execute("ROLLBACK")
            holder.close()
        restored = time.monotonic()
        phase[0] = "after"
        time.sleep(args.after)
        stop.set()
        for t in threads:
            t.join()

        stored = {r["id"] for r in list_all(server, admin, "/api/v1/visits")}
        limit = 2 * POOL_TIMEOUT + 1
        print(f"backend: {args.backend}; {args.clients} volunteers posting visits, one supervisor reading the summary")
        print(f"phases: {args.before}s normal, {args.outage}s outage, {args.after}s after; pool timeout {POOL_TIMEOUT}s")
        for (ph, what, status), n in sorted(seen.items()):
            print(f"  {ph:7} {what:20} {status}: {n}")
        for ph in ("before", "outage", "after"):
            print(f"  slowest answer {ph}: {slowest[ph]:.2f}s")
        recovery = first_ok_after[0] - restored if first_ok_after else None
        print(f"  first acknowledged create after the outage: {recovery:.2f}s after it ended" if recovery is not None else "  no create succeeded after the outage")
        print(f"  acknowledged {len(acknowledged)}, stored {len(stored)}, sent {len(sent)}")

        if bad:
            failures.append(f"answers other than 2xx or a 503 problem with Retry-After: {bad[:10]}")
        if not any(s == 503 for (ph, _, s) in seen if ph == "outage"):
            failures.append("the outage produced no 503")
        if max(slowest.values()) > limit:
            failures.append(f"an answer took {max(slowest.values()):.2f}s (limit {limit}s)")
        if recovery is None or recovery > 5:
            failures.append("the server did not serve again within 5 s of the database's return")
        if acknowledged - stored:
            failures.append(f"{len(acknowledged - stored)} acknowledged records are missing")
        if stored - sent:
            failures.append(f"{len(stored - sent)} stored records were never sent")
    finally:
        server.cleanup()
    for f in failures:
        print("FAIL:", f)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
