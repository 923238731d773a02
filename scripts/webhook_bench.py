"""Webhook delivery on a release build, to a receiver on 127.0.0.1 that answers at once:

- deliveries per second: sync batches store records far faster than one webhook takes
  them, so the worker runs flat out; the rate is events over the time from the first
  arrival to the last, for one webhook and for four (webhooks are sent in parallel, each
  in order);
- commit to delivery: records arrive at a steady pace the worker keeps up with; the delay
  is each event's arrival minus its `created_at` (written in the record's transaction),
  p50 and p95.

Results in bench/results/webhooks-<database>.txt.

    python3 scripts/webhook_bench.py --binary target/release/gocua --backend sqlite
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Receiver, Server, field_setup, make_batch  # noqa: E402


def subscribe(server, admin, receivers):
    for receiver in receivers:
        status, hook = server.call("POST", "/api/v1/webhooks", {
            "url": f"http://127.0.0.1:{receiver.port}/hook", "unit_code": "01",
            "events": ["record.created"]}, admin)
        assert status == 201, hook
        receiver.secret = hook["secret"]


def wait_for(receivers, each, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline and any(len(r.delivered()) < each for r in receivers):
        time.sleep(0.2)
    assert all(len(r.delivered()) >= each for r in receivers), [len(r.delivered()) for r in receivers]


def flat_out(server, admin, team, token, hooks, records, seq0):
    """Deliveries per second, all webhooks together, with a backlog the whole time."""
    receivers = [Receiver() for _ in range(hooks)]
    subscribe(server, admin, receivers)
    for seq in range(records // 500):
        status, body = server.call("POST", "/api/v1/sync", make_batch(team, 500, seq0 + seq), token, timeout=120)
        assert status == 200, body
    wait_for(receivers, records)
    first = min(r.first_arrival for r in receivers)
    last = max(r.last_arrival for r in receivers)
    for r in receivers:
        assert r.bad_signatures == 0
        r.httpd.shutdown()
    return hooks * records / (last - first)


def paced(server, admin, team, token, per_second, seconds, seq0):
    """p50 and p95 seconds from commit to delivery at a pace the worker keeps up with."""
    receiver = Receiver()
    subscribe(server, admin, [receiver])
    batch, sent = 10, 0
    start = time.time()
    for seq in range(int(per_second * seconds / batch)):
        time.sleep(max(0.0, start + seq * batch / per_second - time.time()))
        status, body = server.call("POST", "/api/v1/sync", make_batch(team, batch, seq0 + seq), token)
        assert status == 200, body
        sent += batch
    wait_for([receiver], sent)
    delays = sorted(receiver.delays)
    receiver.httpd.shutdown()
    return statistics.median(delays), delays[int(len(delays) * 0.95) - 1], len(delays)


def on_fresh_server(args, run):
    """`run(server, admin, team, token)` on a fresh server and database (an empty outbox)."""
    server = Server(args.binary, args.backend, os.environ.get("GOCUA_TEST_POSTGRES_URL"))
    server.env.update(GOCUA_WEBHOOK_ALLOW_PRIVATE="1")
    try:
        server.start()
        admin, team, tokens = field_setup(server, 1)
        return run(server, admin, team, tokens[0])
    finally:
        server.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/gocua")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--records", type=int, default=5000, help="records of the flat-out runs")
    ap.add_argument("--pace", type=int, default=100, help="records per second of the paced run")
    ap.add_argument("--seconds", type=int, default=20, help="length of the paced run")
    ap.add_argument("--out", default="bench/results")
    args = ap.parse_args()
    one = on_fresh_server(args, lambda s, a, t, k: flat_out(s, a, t, k, 1, args.records, 0))
    four = on_fresh_server(args, lambda s, a, t, k: flat_out(s, a, t, k, 4, args.records, 0))
    p50, p95, n = on_fresh_server(args, lambda s, a, t, k: paced(s, a, t, k, args.pace, args.seconds, 0))
    build = "release" if "release" in args.binary else "debug"
    lines = [
        f"webhooks ({args.backend}, {build} build), receiver on 127.0.0.1 answering at once; {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"  deliveries/s, one webhook, {args.records} events waiting: {one:.0f}",
        f"  deliveries/s, four webhooks together, {args.records} events each: {four:.0f}",
        f"  commit to delivery at {args.pace} records/s for {args.seconds} s ({n} events): p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
    ]
    print("\n".join(lines))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"webhooks-{args.backend}.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
