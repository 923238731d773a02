"""Where a 1,000-record sync batch spends its time: posts mixed batches one after the other
(as the batch part of `make bench`) and records the server with `perf`. Prints the median
records/s; read the profile with `perf report -i <out> --children --sort sym`.

    python3 scripts/profile_sync.py --backend sqlite --perf dwarf     # the server's threads
    python3 scripts/profile_sync.py --backend postgres --perf system  # the whole machine

PostgreSQL needs GOCUA_TEST_POSTGRES_URL (a database on the server to create one in).
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, field_setup, make_batch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--batches", type=int, default=12)
    ap.add_argument("--perf", choices=["none", "dwarf", "system"], default="dwarf")
    ap.add_argument("--out", default="/tmp/perf-sync.data")
    args = ap.parse_args()
    server = Server(args.binary, args.backend, os.environ.get("GOCUA_TEST_POSTGRES_URL"))
    try:
        server.start()
        _, team, tokens = field_setup(server, 16)
        batches = [make_batch(team, 1000, 20_000 + i) for i in range(args.batches)]
        perf = None
        if args.perf != "none":
            target = (["--call-graph", "dwarf,16384", "-p", str(server.proc.pid)]
                      if args.perf == "dwarf" else ["-a", "-g"])
            perf = subprocess.Popen(["perf", "record", "-F", "999", *target, "-o", args.out],
                                    stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        times = []
        for i, batch in enumerate(batches):
            start = time.perf_counter()
            status, body = server.call("POST", "/api/v1/sync", batch, tokens[i % len(tokens)], timeout=120)
            times.append(time.perf_counter() - start)
            assert status == 200 and all(r["status"] == "created" for r in body["results"]), body
        if perf:
            perf.send_signal(2)
            perf.wait()
        median = sorted(times)[len(times) // 2]
        print(f"{args.backend}: median {median * 1000:.1f} ms per batch = {1000 / median:.0f} records/s"
              + (f"; profile in {args.out}" if perf else ""))
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
