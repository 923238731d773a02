"""Bytes of a phone's 1,000-visit sync batch, raw and gzipped, and proof that the server
takes the gzipped one: starts the real server on a fresh demo database, sends the batch with
`Content-Encoding: gzip` and checks that every record is `created`.

    python3 scripts/batch_bytes.py --binary target/debug/gocua
"""
import argparse
import gzip
import json
import os
import random
import sys
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server  # noqa: E402

PASSWORD = "gocua-demo-2026"


def batch(team_id, size):
    """1,000 visits as a phone logs them over days: its own ids, places and labels."""
    rng = random.Random(7)
    visits = []
    for i in range(size):
        outcome = rng.choice(["guided", "not_home", "follow_up"])
        at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600 - 420 * i))
        visits.append({
            "id": str(uuid.uuid4()), "team_id": team_id, "occurred_at": at,
            "location": {"lat": round(21.03 + rng.random() / 100, 6), "lon": round(105.83 + rng.random() / 100, 6),
                         "accuracy_m": round(rng.uniform(5, 30), 1)},
            "hamlet": f"Tổ dân phố số {rng.randint(1, 20)}", "note": "Bà cụ cần hướng dẫn thêm",
            "household_ref": f"KP{rng.randint(1, 9)}-{rng.randint(1, 200)}",
            "outcome": outcome, "people_guided": 0 if outcome == "not_home" else rng.randint(0, 4),
            "topics": ["vneid", "public_services"],
        })
    return {"visits": visits}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/debug/gocua")
    args = ap.parse_args()
    server = Server(args.binary, "sqlite")
    try:
        server.cli("seed-demo")
        server.start()
        token, _ = server.login("0900001111", PASSWORD)
        _, me = server.call("GET", "/api/v1/me", token=token)
        raw = json.dumps(batch(me["teams"][0]["team_id"], 1000), ensure_ascii=False).encode()
        packed = gzip.compress(raw, 6)
        req = urllib.request.Request(server.base + "/api/v1/sync", data=packed, method="POST", headers={
            "Content-Type": "application/json", "Content-Encoding": "gzip",
            "Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=120) as res:
            answer_bytes = res.read()
            encoding = res.headers.get("Content-Encoding")
        answer = json.loads(gzip.decompress(answer_bytes) if encoding == "gzip" else answer_bytes)
        created = sum(r["status"] == "created" for r in answer["results"])
        refused = [r for r in answer["results"] if r["status"] != "created"]
        if refused:
            print("not created:", refused[:3])
        print(f"1,000-visit batch: {len(raw):,} bytes raw, {len(packed):,} gzipped "
              f"({len(packed) / len(raw):.1%}); answer {len(answer_bytes):,} bytes ({encoding or 'plain'}); "
              f"{created} created")
        sys.exit(0 if created == 1000 else 1)
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
