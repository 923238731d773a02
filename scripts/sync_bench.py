"""Records per second of `POST /api/v1/sync` with 1,000-record mixed batches, on a fresh
database, one client after the other (the phone's situation), written to bench/results/.

    python3 scripts/sync_bench.py --binary target/release/gocua --backend sqlite --batches 10

With `--perf dwarf` (the server's threads, call graphs by DWARF) or `--perf system` (the
whole machine, database included) the batches run under `perf record`, written to
`--perf-out`; read it with `perf report -i <file> --children --sort sym`. A profiled run
writes no results file.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, field_setup, make_batch  # noqa: E402


def start_perf(args, pid):
    if args.perf == "none":
        return None
    target = ["--call-graph", "dwarf,16384", "-p", str(pid)] if args.perf == "dwarf" else ["-a", "-g"]
    perf = subprocess.Popen(["perf", "record", "-F", "999", *target, "-o", args.perf_out],
                            stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return perf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--perf", choices=["none", "dwarf", "system"], default="none")
    ap.add_argument("--perf-out", default="/tmp/perf-sync.data")
    args = ap.parse_args()
    server = Server(args.binary, args.backend, os.environ.get("GOCUA_TEST_POSTGRES_URL"))
    try:
        server.start()
        _, team, tokens = field_setup(server, 1)
        batches = [make_batch(team, 1000, seq) for seq in range(args.batches + 1)]
        server.call("POST", "/api/v1/sync", batches[0], tokens[0], timeout=120)  # warm-up
        perf = start_perf(args, server.proc.pid)
        rates = []
        for batch in batches[1:]:
            start = time.perf_counter()
            status, body = server.call("POST", "/api/v1/sync", batch, tokens[0], timeout=120)
            elapsed = time.perf_counter() - start
            assert status == 200 and all(r["status"] == "created" for r in body["results"]), body
            rates.append(1000 / elapsed)
        if perf:
            perf.send_signal(2)
            perf.wait()
        build = "release" if "release" in args.binary else "debug"
        line = (f"sync 1000-record batches ({args.backend}, {build} build): "
                f"median {statistics.median(rates):.0f} records/s, min {min(rates):.0f}, max {max(rates):.0f} "
                f"over {len(rates)} batches; {time.strftime('%Y-%m-%d %H:%M:%S')}")
        print(line)
        if perf:
            print(f"profile in {args.perf_out}")
            return 0
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, f"sync-{args.backend}.txt"), "w") as f:
            f.write(line + "\n")
        return 0
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
