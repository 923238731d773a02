"""The API next to the database's own limit, in one run, same machine, same durability
(SQLite synchronous=FULL in WAL mode; PostgreSQL synchronous_commit=on):

1. Single creates: `POST /api/v1/visits` from 16 connections (wrk, 16 volunteers' tokens, a
   realistic body) against the same writes sent straight to the database at the same
   concurrency: the record INSERT, its audit row and the three rollup upserts in one
   transaction, exactly the statements the server sends (captured from PostgreSQL's log),
   by pgbench (PostgreSQL) or by 16 threads of Python's sqlite3 (SQLite).
2. Batch sync: 1,000-record `POST /api/v1/sync` batches against a 1,000-row multi-row
   INSERT of the same records straight into `records`.
3. A login flood (wrong passwords from thousands of phones, wrk) while 1. runs again: p99
   of record creation next to 1.'s.
4. The server's peak resident memory over all of it.
5. The denominator issue 22 sets: the database's rate for the **bare durable insert of one
   record-shaped row** (17 columns, one secondary index, a table of its own): one-row INSERT
   transactions from 16 pgbench clients (`-j 2`), or one SQLite thread (WAL,
   synchronous=FULL); and 1,000-row `INSERT … SELECT` transactions from 4 pgbench clients, or
   one SQLite thread. The ratios are reported against it and, beside them, against the
   write-set replay of 1. and 2.

    python3 scripts/api_vs_native.py --binary target/release/gocua --backend sqlite
"""
import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, field_setup, make_batch  # noqa: E402

COMMUNE = "00004"

RECORD = ('INSERT INTO records (id, kind, team_id, volunteer_id, commune_code, occurred_at, occurred_on, lat, lon, '
          'accuracy_m, household_ref, outcome, people_guided, topics, content_hash, received_at, updated_at, '
          'review_status, voided) VALUES ({}) ON CONFLICT DO NOTHING')
AUDIT = ('INSERT INTO audit_log (id, at, actor_id, action, object_kind, object_id, unit_code, summary) '
         'VALUES ({})')
COUNTS = ["records", "visits", "households_guided", "people_guided", "vneid_installs", "vneid_level2_activations",
          "signatures_submitted", "signatures_issued", "records_approved", "visits_approved",
          "households_guided_approved", "people_guided_approved", "vneid_installs_approved",
          "vneid_level2_activations_approved", "signatures_submitted_approved", "signatures_issued_approved",
          "digital_skills_certified", "digital_skills_certified_approved",
          "training_sessions", "training_sessions_approved", "training_attendees", "training_attendees_approved"]


def upsert(table, keys):
    cols = keys + COUNTS
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({{}}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")


DAILY = upsert("daily_rollups", ["commune_code", "day", "team_id", "volunteer_id"])
COMMUNE_DAY = upsert("commune_rollups", ["commune_code", "day"])
# The writer reads the volunteer's days to keep distinct_spans (a visit on a day that
# already counts changes no span, so nothing is written there).
VOLUNTEER_DAYS = ("SELECT d.records, d.records_approved, u.parent_code FROM daily_rollups d "
                  "JOIN units u ON u.code = d.commune_code WHERE d.volunteer_id = {}")
ONE_VISIT = ["1", "1", "1", "2"] + ["0"] * 18


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def wrk(url, script, connections, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": int(non2xx.group(1)) if non2xx else 0, "raw": out}


def visits_script(path, team, tokens):
    at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
    body = {"team_id": team, "occurred_at": at, "household_ref": "KP1-23", "outcome": "guided",
            "people_guided": 2, "topics": ["vneid", "public_services"], "hamlet": "Tổ dân phố số 5",
            "note": "Bà cụ cần hướng dẫn thêm về dịch vụ công", "location": {"lat": 21.0341, "lon": 105.8372, "accuracy_m": 12.5}}
    with open(path, "w") as f:
        f.write(f"local tokens = {{{', '.join(json.dumps(t) for t in tokens)}}}\n")
        f.write(f"local body = {json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False)}\n")
        f.write("local n = 0\n"
                "request = function()\n"
                "  n = n + 1\n"
                "  local headers = {['Content-Type'] = 'application/json', ['Authorization'] = 'Bearer ' .. tokens[(n % #tokens) + 1]}\n"
                "  return wrk.format('POST', '/api/v1/visits', headers, body)\n"
                "end\n")


def flood_script(path):
    with open(path, "w") as f:
        f.write("math.randomseed(os.time())\n"
                "request = function()\n"
                "  local phone = string.format('09%08d', math.random(0, 99999999))\n"
                "  local body = '{\"phone\":\"' .. phone .. '\",\"password\":\"wrong-password-123\"}'\n"
                "  return wrk.format('POST', '/api/v1/auth/login', {['Content-Type'] = 'application/json'}, body)\n"
                "end\n")


def native_sqlite(db, team, volunteers, connections, seconds):
    """16 threads, each its own connection, the server's write set per transaction."""
    latencies, lock = [], threading.Lock()
    stop = time.monotonic() + seconds
    day = time.strftime("%Y-%m-%d")
    now = time.strftime("%Y-%m-%d %H:%M:%S")

    def worker(i):
        conn = sqlite3.connect(db, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        mine, n = [], 0
        while time.monotonic() < stop:
            n += 1
            volunteer = volunteers[(i + n) % len(volunteers)]
            rid = str(uuid.uuid4())
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(RECORD.format(", ".join("?" * 19)),
                         (rid, "visit", team, volunteer, COMMUNE, now, day, 21.0341, 105.8372, 12.5, "KP1-23", "guided", 2,
                          "public_services;vneid", uuid.uuid4().hex * 2, now, now, "pending", 0))
            conn.execute(AUDIT.format(", ".join("?" * 8)),
                         (str(uuid.uuid4()), now, volunteer, "record.create", "visit", rid, COMMUNE, f"logged visit for team {team}"))
            conn.execute(DAILY.format(", ".join("?" * (4 + len(ONE_VISIT)))), (COMMUNE, day, team, volunteer, *map(int, ONE_VISIT)))
            conn.execute(VOLUNTEER_DAYS.format("?"), (volunteer,)).fetchall()
            conn.execute(COMMUNE_DAY.format(", ".join("?" * (2 + len(ONE_VISIT)))), (COMMUNE, day, *map(int, ONE_VISIT)))
            conn.execute("COMMIT")
            mine.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"tps": len(latencies) / seconds, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def pgbench(url, script_text, connections, seconds):
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "write.sql")
        with open(script, "w") as f:
            f.write(script_text)
        out = subprocess.run(["pgbench", "-n", f"-c{connections}", f"-j{min(connections, 2)}", f"-T{seconds}",
                              "-f", script, "-l", "--log-prefix", os.path.join(d, "log"), url],
                             capture_output=True, text=True, check=True, cwd=d).stdout
        latencies = []
        for name in os.listdir(d):
            if name.startswith("log"):
                with open(os.path.join(d, name)) as f:
                    latencies.extend(int(line.split()[2]) / 1000 for line in f)
        tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))
        return {"tps": tps, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def pg_single_script(team, volunteers):
    lit = lambda s: "'" + s.replace("'", "''") + "'"
    cases = "CASE :v " + " ".join(f"WHEN {i} THEN {lit(v)}" for i, v in enumerate(volunteers)) + " END"
    record = RECORD.format(", ".join([":rid", "'visit'", lit(team), cases, lit(COMMUNE), "now()::timestamp", "current_date",
                                      "21.0341", "105.8372", "12.5", "'KP1-23'", "'guided'", "2", "'public_services;vneid'",
                                      "md5(random()::text) || md5(random()::text)", "now()::timestamp", "now()::timestamp",
                                      "'pending'", "false"]))
    audit = AUDIT.format(", ".join(["gen_random_uuid()::text", "now()::timestamp", cases, "'record.create'", "'visit'", ":rid",
                                    lit(COMMUNE), lit(f"logged visit for team {team}")]))
    daily = DAILY.format(", ".join([lit(COMMUNE), "current_date", lit(team), cases, *ONE_VISIT]))
    vols = VOLUNTEER_DAYS.format(cases)
    commune = COMMUNE_DAY.format(", ".join([lit(COMMUNE), "current_date", *ONE_VISIT]))
    # The id is drawn by one extra round trip (\gset), as the API's own lookups add some.
    return (f"\\set v random(0, {len(volunteers) - 1})\n"
            "SELECT gen_random_uuid()::text AS rid \\gset\n"
            "BEGIN;\n"
            f"{record.replace(':rid', chr(39) + ':rid' + chr(39))};\n"
            f"{audit.replace(':rid', chr(39) + ':rid' + chr(39))};\n"
            f"{daily};\n{vols};\n{commune};\n"
            "END;\n")


BARE_TABLE = """CREATE TABLE bare_records (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, team_id TEXT NOT NULL, volunteer_id TEXT NOT NULL,
    commune_code TEXT NOT NULL, occurred_at TIMESTAMP NOT NULL, occurred_on DATE NOT NULL,
    lat DOUBLE PRECISION, lon DOUBLE PRECISION, accuracy_m DOUBLE PRECISION, household_ref TEXT,
    outcome TEXT, people_guided INTEGER, topics TEXT, content_hash TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL, review_status TEXT NOT NULL)"""
BARE_INDEX = "CREATE INDEX bare_records_commune_day ON bare_records (commune_code, occurred_on)"


def bare_values(new_id, now, today):
    """The 17 values of one record-shaped row, as SQL expressions."""
    return (f"{new_id}, 'visit', 'team-0000', 'volunteer-0000', '{COMMUNE}', {now}, {today}, 21.0341, 105.8372, "
            f"12.5, 'KP1-23', 'guided', 2, 'public_services;vneid', {new_id} || {new_id}, {now}, 'pending'")


def bare_pg(url, seconds):
    subprocess.run(["psql", url, "-q", "-c", BARE_TABLE, "-c", BARE_INDEX], check=True, capture_output=True)
    one = "INSERT INTO bare_records VALUES (" + bare_values("gen_random_uuid()::text", "now()::timestamp", "current_date") + ");\n"
    single = pgbench(url, one, 16, seconds)
    many = ("INSERT INTO bare_records SELECT " + bare_values("gen_random_uuid()::text", "now()::timestamp", "current_date")
            + " FROM generate_series(1, 1000);\n")
    batch = pgbench(url, many, 4, seconds)
    return {"single_tps": single["tps"], "batch_records_per_s": batch["tps"] * 1000}


def bare_sqlite(db, seconds):
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(BARE_TABLE)
    conn.execute(BARE_INDEX)
    now, today = "'" + time.strftime("%Y-%m-%d %H:%M:%S") + "'", "'" + time.strftime("%Y-%m-%d") + "'"
    one = "INSERT INTO bare_records VALUES (" + bare_values("lower(hex(randomblob(16)))", now, today) + ")"
    n, stop = 0, time.monotonic() + seconds
    start = time.monotonic()
    while time.monotonic() < stop:
        conn.execute(one)  # autocommit: one durable transaction per row
        n += 1
    single = n / (time.monotonic() - start)
    many = ("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000) "
            "INSERT INTO bare_records SELECT " + bare_values("lower(hex(randomblob(16)))", now, today) + " FROM s")
    n, stop = 0, time.monotonic() + seconds
    start = time.monotonic()
    while time.monotonic() < stop:
        conn.execute(many)
        n += 1000
    batch = n / (time.monotonic() - start)
    conn.close()
    return {"single_tps": single, "batch_records_per_s": batch}


BATCH_PHONES = 4
BATCHES_PER_PHONE = 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--out", default="bench/results")
    args = ap.parse_args()
    pg_url = os.environ.get("GOCUA_TEST_POSTGRES_URL")
    server = Server(args.binary, args.backend, pg_url)
    server.env["GOCUA_DB_POOL_SIZE"] = str(args.connections)
    results = {}
    try:
        server.start()
        _, team, tokens = field_setup(server, 16)
        volunteers = []
        for t in tokens:
            status, me = server.call("GET", "/api/v1/me", token=t)
            volunteers.append(me["id"])
        work = tempfile.mkdtemp(prefix="gocua-bench-")
        visits_lua, flood_lua = os.path.join(work, "visits.lua"), os.path.join(work, "flood.lua")
        visits_script(visits_lua, team, tokens)
        flood_script(flood_lua)
        url = server.base

        wrk(url, visits_lua, args.connections, 3)  # warm-up
        results["api_single"] = wrk(url, visits_lua, args.connections, args.seconds)

        # Login flood beside the same creates.
        flood = {}
        t = threading.Thread(target=lambda: flood.update(wrk(url, flood_lua, 4, args.seconds + 2)))
        t.start()
        time.sleep(1)
        results["api_single_under_flood"] = wrk(url, visits_lua, args.connections, args.seconds)
        t.join()
        results["flood"] = flood

        # Batch sync: 4 phones at once, each sending 1,000-record batches one after the
        # other (as the bare side's 4 pgbench clients); the first round warms up.
        rates = []
        for round_ in range(4):
            batches = [make_batch(team, 1000, 10_000 + round_ * 100 + p * 10 + k)
                       for p in range(BATCH_PHONES) for k in range(BATCHES_PER_PHONE)]
            failed = []

            def phone(p):
                for k in range(BATCHES_PER_PHONE):
                    status, body = server.call("POST", "/api/v1/sync", batches[p * BATCHES_PER_PHONE + k],
                                               tokens[p], timeout=120)
                    if status != 200 or not all(r["status"] == "created" for r in body["results"]):
                        failed.append(body)

            threads = [threading.Thread(target=phone, args=(p,)) for p in range(BATCH_PHONES)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
            assert not failed, failed[0]
            if round_:
                rates.append(len(batches) * 1000 / elapsed)
        results["api_batch"] = {"records_per_s": statistics.median(rates)}

        with open(f"/proc/{server.proc.pid}/status") as f:
            results["rss_peak_mb"] = int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) / 1024
        server.stop()

        db_url = server.env["GOCUA_DATABASE_URL"]
        if args.backend == "sqlite":
            db = db_url.removeprefix("sqlite://")
            results["native_single"] = native_sqlite(db, team, volunteers, args.connections, args.seconds)
            results["native_batch"] = native_sqlite_batch(db, team, volunteers)
            results["bare"] = bare_sqlite(db, args.seconds)
        else:
            results["native_single"] = pgbench(db_url, pg_single_script(team, volunteers), args.connections, args.seconds)
            results["native_batch"] = native_pg_batch(db_url, team, volunteers)
            results["bare"] = bare_pg(db_url, args.seconds)
    finally:
        server.cleanup()

    single, native, bare = results["api_single"], results["native_single"], results["bare"]
    batch_api = results["api_batch"]["records_per_s"]
    flooded = results["api_single_under_flood"]
    lines = [
        f"API vs native ({args.backend}, release build, {args.connections} connections, {args.seconds} s each; {time.strftime('%Y-%m-%d %H:%M:%S')})",
        f"single creates, API    : {single['rps']:.0f} req/s, p50 {single['p50']:.1f} ms, p99 {single['p99']:.1f} ms, non-2xx {single['non2xx']}",
        f"single creates, native : {native['tps']:.0f} tx/s,  p50 {native['p50']:.1f} ms, p99 {native['p99']:.1f} ms",
        f"single creates, bare   : {bare['single_tps']:.0f} one-row INSERT tx/s (17 columns, one secondary index)",
        f"single creates ratio   : {single['rps'] / bare['single_tps']:.2f} of the bare insert (goal 0.8); {single['rps'] / native['tps']:.2f} of the write-set replay",
        f"batch sync, API        : {results['api_batch']['records_per_s']:.0f} records/s (4 phones at once, 1,000-record mixed batches, median of 3 rounds)",
        f"batch, native          : {results['native_batch']['records_per_s']:.0f} records/s (1,000-row multi-row INSERT into records)",
        f"batch, bare            : {bare['batch_records_per_s']:.0f} records/s (1,000-row INSERT ... SELECT transactions)",
        f"batch ratio            : {batch_api / bare['batch_records_per_s']:.2f} of the bare insert (goal 0.5); {batch_api / results['native_batch']['records_per_s']:.2f} of the multi-row INSERT into records",
        f"login flood            : {results['flood'].get('rps', 0):.0f} wrong logins/s from random phones, {results['flood'].get('non2xx', 0)} answered non-2xx",
        f"creates under flood    : {flooded['rps']:.0f} req/s, p99 {flooded['p99']:.1f} ms ({flooded['p99'] / single['p99']:.2f} of p99 without; goal <= 1.2)",
        f"server peak RSS        : {results['rss_peak_mb']:.1f} MB (goal < 150)",
    ]
    print("\n".join(lines))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"api-vs-native-{args.backend}.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def batch_rows(team, volunteers, n):
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    day = time.strftime("%Y-%m-%d")
    return [(str(uuid.uuid4()), "visit", team, volunteers[i % len(volunteers)], COMMUNE, now, day, 21.03, 105.83, 10.0,
             f"KP{i}", "guided", 1, "vneid", uuid.uuid4().hex * 2, now, now, "pending", False) for i in range(n)]


def native_sqlite_batch(db, team, volunteers):
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    rates = []
    for _ in range(6):
        rows = batch_rows(team, volunteers, 1000)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        # SQLite allows 32,766 parameters per statement: 1,000 rows of 19 in chunks of 500.
        for chunk in (rows[:500], rows[500:]):
            conn.execute(RECORD.format("),(".join([", ".join("?" * 19)] * len(chunk))),
                         [v for row in chunk for v in row])
        conn.execute("COMMIT")
        rates.append(1000 / (time.perf_counter() - start))
    conn.close()
    return {"records_per_s": statistics.median(rates[1:])}


def native_pg_batch(url, team, volunteers):
    """pgbench sends one 1,000-row INSERT per transaction (ids drawn by the server); rows/s
    from its per-transaction latency, one client, as the sync measurement."""
    def lit(v):
        return str(v) if isinstance(v, (int, float)) else "'" + str(v).replace("'", "''") + "'"
    rows = batch_rows(team, volunteers, 1000)
    values = "),(".join(", ".join(["gen_random_uuid()::text"] + [lit(v) for v in row[1:]]) for row in rows)
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "batch.sql")
        with open(script, "w") as f:
            f.write(RECORD.format(values) + ";\n")
        out = subprocess.run(["pgbench", "-n", "-c1", "-t6", "-f", script, url],
                             capture_output=True, text=True, check=True).stdout
    latency_ms = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return {"records_per_s": 1000 / (latency_ms / 1000)}


if __name__ == "__main__":
    main()
