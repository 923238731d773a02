"""The Digital Family at a million households: p50/p95 of a province's `stats/households`
(today, and as of a month ago, from the history) while volunteers keep posting visits, and
the time of a team's first `sync/households` pull (every page) of about 2,000 households.
Results go to bench/results/households-<backend>.txt.

    python3 scripts/households_bench.py --binary target/release/gocua --backend sqlite

The seeded database (gocua seed-bench, then gocua seed-households) is kept in bench/data/
(SQLite) or as the PostgreSQL database gocua_bench_households, and reused by later runs.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port  # noqa: E402
from stats_bench import (ADMIN, DATA, PASSWORD, Client, env_for, percentile,  # noqa: E402
                         province_volunteers, reset_database, start_server, writers)

PG_NAME = "gocua_bench_households"
SQLITE_FILE = "households.db"
RECORDS = 200_000


def ensure_seeded(args, env):
    """Seeds the database unless a matching one is there; returns the seed's report."""
    marker = os.path.join(DATA, f"households-{args.backend}.json")
    if os.path.exists(marker):
        with open(marker) as f:
            seeded = json.load(f)
        if seeded["households_asked"] == args.households:
            print(f"reusing the {args.backend} database seeded on {seeded['seeded_at']}")
            return seeded
    reset_database(args.backend, args.pg_admin, PG_NAME, SQLITE_FILE)
    print(f"seeding {args.households} households on {args.backend}...", flush=True)
    started = time.time()
    subprocess.run([args.binary, "seed-bench", "--records", str(RECORDS)], env=env, check=True)
    out = subprocess.run([args.binary, "seed-households", "--households", str(args.households)],
                         env=env, check=True, capture_output=True, text=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    if args.backend == "postgres":
        subprocess.run(["psql", env["GOCUA_DATABASE_URL"], "-q", "-c", "VACUUM ANALYZE"], check=True)
    report.update(households_asked=args.households, seeded_at=time.strftime("%Y-%m-%d %H:%M:%S"),
                  seed_seconds=round(time.time() - started))
    with open(marker, "w") as f:
        json.dump(report, f)
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=100, help="requests per query")
    ap.add_argument("--pulls", type=int, default=5, help="first pulls timed")
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--write-rate", type=float, default=150, help="visits per second meanwhile")
    ap.add_argument("--pg-admin", default=os.environ.get("GOCUA_TEST_POSTGRES_URL",
                                                          "postgres://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--out", default="bench/results")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    port = free_port()
    env = env_for(args.backend, args.pg_admin, port, PG_NAME, SQLITE_FILE)
    seeded = ensure_seeded(args, env)
    province = seeded["province"]

    server, _ = start_server(args.binary, env, port, f"server-households-{args.backend}.log")
    try:
        admin = Client(port)
        status, body = admin.call("POST", "/api/v1/auth/login", {"phone": ADMIN, "password": PASSWORD})
        assert status == 200, body
        admin.token = body["access_token"]
        communes, volunteers = province_volunteers(port, admin, province, args.writers)

        month_ago = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
        queries = {
            "current": f"/api/v1/stats/households?unit={province}",
            "as_of_month_ago": f"/api/v1/stats/households?unit={province}&as_of={month_ago}",
        }
        reader = Client(port, admin.token)
        totals = {}
        for name, path in queries.items():
            for _ in range(3):
                status, body = reader.call("GET", path)
                assert status == 200, body
            totals[name] = sum(r["households"] for r in body["rows"])

        stop, counts = threading.Event(), [0] * len(volunteers)
        threads = writers(port, volunteers, stop, counts, args.write_rate)
        t_writes = time.perf_counter()
        latencies = {name: [] for name in queries}
        for _ in range(args.requests):
            for name, path in queries.items():
                t0 = time.perf_counter()
                status, body = reader.call("GET", path)
                latencies[name].append((time.perf_counter() - t0) * 1000)
                assert status == 200, body

        # The team's phone: every page of its first pull, several times, writes still running.
        phone = Client(port)
        status, login = phone.call("POST", "/api/v1/auth/login", {"phone": seeded["member_phone"], "password": PASSWORD})
        assert status == 200, login
        phone.token = login["access_token"]
        pulls = []
        for _ in range(args.pulls):
            t0 = time.perf_counter()
            cursor, got, pages = "", 0, 0
            while True:
                status, page = phone.call("GET", f"/api/v1/sync/households?team_id={seeded['team_id']}&cursor={cursor}")
                assert status == 200, page
                got += len(page["items"])
                pages += 1
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
            pulls.append(((time.perf_counter() - t0) * 1000, got, pages))
        stop.set()
        for t in threads:
            t.join()
        rate = sum(counts) / (time.perf_counter() - t_writes)
    finally:
        server.terminate()
        server.wait(timeout=30)

    build = "release" if "release" in args.binary else "debug"
    lines = [
        f"households benchmark ({args.backend}, {build} build), {seeded['households']:,} households in province "
        f"{province} ({len(communes['items'])} communes), {RECORDS:,} records; {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"  while {len(volunteers)} volunteers posted visits at {rate:.0f} creates/s:",
    ]
    for name in queries:
        lat = latencies[name]
        lines.append(f"    stats/households {name:<16} p50 {percentile(lat, 50):6.1f} ms  p95 {percentile(lat, 95):6.1f} ms  "
                     f"(n={len(lat)}, {totals[name]:,} open households)")
    times = sorted(p[0] for p in pulls)
    lines.append(f"    first sync/households of team {seeded['team_id']}: {pulls[0][1]:,} households in "
                 f"{pulls[0][2]} pages; median {times[len(times) // 2]:.0f} ms, slowest {times[-1]:.0f} ms "
                 f"(n={len(pulls)})")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"households-{args.backend}.txt"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
