"""Statistics at 10 million records: p50/p95 of a province summary and a province breakdown
by commune over a 100-day campaign, through HTTP, while volunteers keep posting visits;
next to the plain GROUP BY over the records for the same answer; and a commune's breakdown
by hamlet on today's map, after a merge of two of its hamlets 50 days before the end.
Results go to bench/results/stats-<backend>.txt.

    python3 scripts/stats_bench.py --binary target/release/gocua --backend sqlite

The seeded database is kept in bench/data/ (SQLite) or as the PostgreSQL database
gocua_bench_stats, and reused by later runs with the same --records.
"""
import argparse
import datetime
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import SECRET_CITIZEN, SECRET_JWT, free_port  # noqa: E402

PASSWORD = "gocua-bench-2026"
ADMIN = "0900000001"
PG_NAME = "gocua_bench_stats"
DATA = os.path.join("bench", "data")


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.token = token

    def call(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = "Bearer " + self.token
        data = None if body is None else json.dumps(body)
        try:
            self.conn.request(method, path, data, headers)
            r = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection: open a new one.
            self.conn.close()
            self.conn.request(method, path, data, headers)
            r = self.conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)


def env_for(backend, pg_admin, port, pg_name=PG_NAME, sqlite_file="stats.db"):
    """The server's environment for a benchmark database: the PostgreSQL database `pg_name`
    or the SQLite file `sqlite_file` in bench/data/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOCUA_")}
    env.update(GOCUA_JWT_SECRET=SECRET_JWT, GOCUA_CITIZEN_ID_KEY=SECRET_CITIZEN,
               GOCUA_BIND=f"127.0.0.1:{port}", GOCUA_LOGIN_FAILURES_PER_ADDRESS="100000",
               RUST_LOG="warn")
    if backend == "postgres":
        env["GOCUA_DATABASE_URL"] = pg_admin.rsplit("/", 1)[0] + "/" + pg_name
    else:
        env["GOCUA_DATABASE_URL"] = "sqlite://" + os.path.abspath(os.path.join(DATA, sqlite_file))
    return env


def reset_database(backend, pg_admin, pg_name=PG_NAME, sqlite_file="stats.db"):
    """An empty benchmark database to seed."""
    os.makedirs(DATA, exist_ok=True)
    if backend == "postgres":
        psql(pg_admin, f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        psql(pg_admin, f"CREATE DATABASE {pg_name}")
    else:
        for suffix in ("", "-wal", "-shm", ".keys"):
            path = os.path.join(DATA, sqlite_file + suffix)
            if os.path.exists(path):
                os.remove(path)


def psql(pg_admin, sql):
    subprocess.run(["psql", pg_admin, "-q", "-c", sql], check=True, capture_output=True)


def ensure_seeded(args, env):
    """Seeds the benchmark database unless a matching one is there; returns the last day."""
    marker = os.path.join(DATA, f"stats-{args.backend}.json")
    if os.path.exists(marker):
        with open(marker) as f:
            seeded = json.load(f)
        if seeded["records"] == args.records:
            print(f"reusing the {args.backend} database seeded on {seeded['seeded_at']}")
            return datetime.date.fromisoformat(seeded["end"])
    reset_database(args.backend, args.pg_admin)
    end = datetime.date.today()
    print(f"seeding {args.records} records on {args.backend} (takes a while)...", flush=True)
    started = time.time()
    subprocess.run([args.binary, "seed-bench", "--records", str(args.records), "--end", end.isoformat()],
                   env=env, check=True)
    if args.backend == "postgres":
        subprocess.run(["psql", env["GOCUA_DATABASE_URL"], "-q", "-c", "VACUUM ANALYZE"], check=True)
    with open(marker, "w") as f:
        json.dump({"records": args.records, "end": end.isoformat(),
                   "seeded_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                   "seed_seconds": round(time.time() - started)}, f)
    return end


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def start_server(binary, env, port, log_name):
    """Starts `gocua serve` (its log in bench/data/); returns it once ready, and how long
    that took in ms."""
    started = time.perf_counter()
    log = open(os.path.join(DATA, log_name), "ab")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    while True:
        try:
            if Client(port).call("GET", "/readyz")[0] == 200:
                return server, (time.perf_counter() - started) * 1000
        except OSError:
            time.sleep(0.01)
        if time.perf_counter() - started > 120:
            server.terminate()
            raise SystemExit("server did not become ready")


def province_volunteers(port, admin, province, n):
    """The province's communes, and a volunteer of each of the first `n` signed in:
    `(token, team)` for `writers`."""
    status, communes = admin.call("GET", f"/api/v1/units?parent={province}&limit=100")
    assert status == 200, communes
    volunteers = []
    for unit in communes["items"][:n]:
        status, people = admin.call("GET", f"/api/v1/users?unit={unit['code']}&role=volunteer&limit=1")
        assert status == 200 and people["items"], people
        c = Client(port)
        status, login = c.call("POST", "/api/v1/auth/login", {"phone": people["items"][0]["phone"], "password": PASSWORD})
        assert status == 200, login
        c.token = login["access_token"]
        status, me = c.call("GET", "/api/v1/me")
        assert status == 200, me
        volunteers.append((login["access_token"], me["teams"][0]["team_id"]))
    return communes, volunteers


def writers(port, volunteers, stop, counts, rate):
    """Each volunteer posts visits until told to stop, together `rate` per second (0: as
    fast as they can)."""
    interval = len(volunteers) / rate if rate else 0

    def run(token, team, i):
        client = Client(port, token)
        next_at = time.perf_counter()
        while not stop.is_set():
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.perf_counter()))
            occurred = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=30)).isoformat()
            status, body = client.call("POST", "/api/v1/visits", {
                "id": str(uuid.uuid4()), "team_id": team, "occurred_at": occurred,
                "household_ref": f"B-{i}-{counts[i]}", "outcome": "guided", "people_guided": 2,
                "topics": ["vneid"], "location": {"lat": 21.03, "lon": 105.83, "accuracy_m": 10}})
            assert status == 201, (status, body)
            counts[i] += 1
    threads = [threading.Thread(target=run, args=(t, team, i), daemon=True)
               for i, (t, team) in enumerate(volunteers)]
    for t in threads:
        t.start()
    return threads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--requests", type=int, default=200, help="requests per query")
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--write-rate", type=float, default=150,
                    help="visits per second posted into the province meanwhile (0: flat out); "
                         "150/s is the largest province's share of a national last-evening peak (docs/SCALING.md)")
    ap.add_argument("--plain-runs", type=int, default=5)
    ap.add_argument("--pg-admin", default=os.environ.get("GOCUA_TEST_POSTGRES_URL",
                                                          "postgres://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--out", default="bench/results")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    port = free_port()
    env = env_for(args.backend, args.pg_admin, port)
    end = ensure_seeded(args, env)
    start_day = end - datetime.timedelta(days=99)

    server, ready_ms = start_server(args.binary, env, port, f"server-{args.backend}.log")
    try:

        admin = Client(port)
        status, body = admin.call("POST", "/api/v1/auth/login", {"phone": ADMIN, "password": PASSWORD})
        assert status == 200, body
        admin.token = body["access_token"]
        plain = json.loads(subprocess.run(
            [args.binary, "bench-stats", "--from", start_day.isoformat(), "--to", end.isoformat(), "--runs", "1"],
            env=env, check=True, capture_output=True).stdout)
        province = plain["unit"]
        communes, volunteers = province_volunteers(port, admin, province, args.writers)

        reader = Client(port, admin.token)
        period = f"from={start_day}&to={end}"
        commune = communes["items"][0]["code"]
        status, done = admin.call("GET", f"/api/v1/units/{commune}/rearrangements")
        assert status == 200, done
        if not done["items"]:
            status, done = admin.call("POST", f"/api/v1/units/{commune}/rearrangements", {
                "effective_on": (end - datetime.timedelta(days=50)).isoformat(),
                "note": "bench", "merges": [{"from": [f"{commune}-11", f"{commune}-12"],
                                             "name": "Thôn 11-12", "kind": "thon"}]})
            assert status == 201, done
        queries = {
            "summary": f"/api/v1/stats/summary?unit={province}&{period}",
            "breakdown": f"/api/v1/stats/breakdown?unit={province}&by=unit&{period}",
            "hamlets": f"/api/v1/stats/breakdown?unit={commune}&by=hamlet&map=current&{period}",
        }
        for path in queries.values():  # warm-up
            for _ in range(5):
                status, body = reader.call("GET", path)
                assert status == 200, body
        communes = len(reader.call("GET", queries["breakdown"])[1]["rows"])
        hamlet_rows = len(body["rows"])

        def phase(rate, with_plain):
            """Latencies of both queries while visits arrive at `rate` per second."""
            stop, counts = threading.Event(), [0] * len(volunteers)
            threads = writers(port, volunteers, stop, counts, rate)
            started = time.perf_counter()
            latencies = {name: [] for name in queries}
            for _ in range(args.requests):
                for name, path in queries.items():
                    t0 = time.perf_counter()
                    status, body = reader.call("GET", path)
                    latencies[name].append((time.perf_counter() - t0) * 1000)
                    assert status == 200, body
            plain = None
            if with_plain:
                plain = json.loads(subprocess.run(
                    [args.binary, "bench-stats", "--unit", province, "--from", start_day.isoformat(),
                     "--to", end.isoformat(), "--runs", str(args.plain_runs)],
                    env=env, check=True, capture_output=True).stdout)
            stop.set()
            for t in threads:
                t.join()
            return latencies, sum(counts) / (time.perf_counter() - started), plain

        phases = [phase(args.write_rate, True)]
        if args.write_rate:
            phases.append(phase(0, False))
    finally:
        server.terminate()
        server.wait(timeout=30)

    t = phases[0][2]["timings"]
    build = "release" if "release" in args.binary else "debug"
    lines = [
        f"stats benchmark ({args.backend}, {build} build), {args.records:,} records over 100 days, "
        f"province {province} ({communes} communes)"
        f", {start_day}..{end}; {time.strftime('%Y-%m-%d %H:%M:%S')}",
    ]
    for latencies, rate, _ in phases:
        lines.append(f"  while {len(volunteers)} volunteers posted visits at {rate:.0f} creates/s:")
        for name in queries:
            lat = latencies[name]
            line = (f"    {name:<9} HTTP p50 {percentile(lat, 50):6.1f} ms  p95 {percentile(lat, 95):6.1f} ms  "
                    f"(n={len(lat)})")
            if f"plain_{name}_ms" in t:
                plain_ms = statistics.median(t[f"plain_{name}_ms"])
                line += f"; plain GROUP BY median {plain_ms:8.1f} ms = {plain_ms / percentile(lat, 95):.0f}x the p95"
            else:
                line += f"; commune {commune}, {hamlet_rows} rows (goal: p95 < 50 ms)"
            lines.append(line)
    lines.append(f"  rollups give the same answer as the plain GROUP BY: {t['same_answer']}")
    lines.append(f"  start to /readyz on this database: {ready_ms:.0f} ms")
    print("\n".join(lines))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"stats-{args.backend}.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0 if t["same_answer"] else 1


if __name__ == "__main__":
    sys.exit(main())
