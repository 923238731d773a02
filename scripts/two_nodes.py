"""Two gocua processes on one PostgreSQL, as docs/SCALING.md deploys them, checked side by
side:

- the failed-login throttle is shared: five wrong passwords for one phone, alternating
  between the nodes, and the next attempt on either answers 429 (the right password is not
  even checked);
- refresh-token reuse is caught across nodes: a token rotated on one node and replayed on
  the other is refused, and the login it belonged to ends on both;
- the same record sent to both nodes at the same moment is stored once: one 201, one 200.

    GOCUA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \\
        python3 scripts/two_nodes.py --binary target/debug/gocua
"""
import argparse
import os
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, field_setup, list_all  # noqa: E402


def shared_throttle(a, b):
    phone = "0910000000"
    for i in range(5):
        node = (a, b)[i % 2]
        status, body = node.call("POST", "/api/v1/auth/login", {"phone": phone, "password": "wrong-password-1"})
        assert status == 401, (i, status, body)
    for node, name in ((a, "first"), (b, "second")):
        status, body = node.call("POST", "/api/v1/auth/login", {"phone": phone, "password": "volunteer-pw-123"})
        assert status == 429, f"the {name} node let a sixth attempt through: {status} {body}"
    return "5 failures over two nodes, then 429 on both"


def refresh_reuse(a, b):
    status, login = a.call("POST", "/api/v1/auth/login", {"phone": "0910000001", "password": "volunteer-pw-123"})
    assert status == 200, login
    first = login["refresh_token"]
    status, rotated = a.call("POST", "/api/v1/auth/refresh", {"refresh_token": first})
    assert status == 200, rotated
    status, body = b.call("POST", "/api/v1/auth/refresh", {"refresh_token": first})
    assert status == 401, f"a replayed token was accepted by the other node: {status} {body}"
    status, body = a.call("POST", "/api/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]})
    assert status == 401, f"the login survived a replay: {status} {body}"
    return "a token rotated on one node and replayed on the other ends the login on both"


def same_record_twice(a, b, team, token, rounds=25):
    ids = []
    for _ in range(rounds):
        visit = {"id": str(uuid.uuid4()), "team_id": team, "occurred_at": "2026-12-01T09:00:00+07:00",
                 "outcome": "guided", "people_guided": 2, "household_ref": "KP1-1"}
        ids.append(visit["id"])
        barrier = threading.Barrier(2)
        statuses = []

        def send(node):
            barrier.wait()
            status, _ = node.call("POST", "/api/v1/visits", visit, token)
            statuses.append(status)

        threads = [threading.Thread(target=send, args=(n,)) for n in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 201], f"one 201 and one 200 expected, got {statuses}"
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/debug/gocua")
    args = ap.parse_args()
    url = os.environ.get("GOCUA_TEST_POSTGRES_URL")
    a = Server(args.binary, "postgres", url)
    b = Server(args.binary, "postgres", url)
    b.env["GOCUA_DATABASE_URL"] = a.env["GOCUA_DATABASE_URL"]
    a.env["GOCUA_LOGIN_FAILURES_PER_ADDRESS"] = b.env["GOCUA_LOGIN_FAILURES_PER_ADDRESS"] = "1000"
    try:
        a.start()
        admin, team, tokens = field_setup(a, 2)
        b.start()
        print("throttle:", shared_throttle(a, b))
        print("refresh:", refresh_reuse(a, b))
        ids = same_record_twice(a, b, team, tokens[1])
        stored = [v["id"] for v in list_all(a, admin, "/api/v1/visits")]
        assert sorted(stored) == sorted(ids), "each record stored exactly once"
        print(f"same record: {len(ids)} records each sent to both nodes at once: one 201 and one 200 each, stored once")
        print("1 passed, 0 failed")
        return 0
    finally:
        b.cleanup()
        a.cleanup()


if __name__ == "__main__":
    sys.exit(main())
