"""A fake Locust master for tests/integration/locust_malformed.sh.

A ZeroMQ ROUTER (pyzmq, msgpack: what Locust itself uses) that registers one
cicada worker, sends it malformed and unexpected messages, then a spawn
with a class the worker does not have and without one it has, checks what
the worker answers (spawning, spawning_complete, exception, heartbeats,
stats in Locust's shapes), quits it, and prints the requests the worker
reported in total ("reported N") for the shell test to compare with the
target's count. Exit status 0 when every check held, 1 otherwise.

With "heartbeats" as second argument it plays a Locust 2.19+ master
instead: it answers each heartbeat with its own, runs one user, then goes
silent; the worker (--master-timeout 2) must give it up, stop its users and
register again (client_ready); after the new ack it expects, when the
shell test sends SIGTERM to the worker, a last report and a quit.

usage: locust_fake_master.py PORT [heartbeats]
"""
import sys
import time

import msgpack
import zmq

PORT = int(sys.argv[1])
MODE = sys.argv[2] if len(sys.argv) > 2 else "malformed"
ENTRY_KEYS = {
    "name", "method", "last_request_timestamp", "start_time", "num_requests",
    "num_none_requests", "num_failures", "total_response_time", "max_response_time",
    "min_response_time", "total_content_length", "response_times", "num_reqs_per_sec",
    "num_fail_per_sec",
}

ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
router.setsockopt(zmq.LINGER, 0)
router.bind(f"tcp://127.0.0.1:{PORT}")
poller = zmq.Poller()
poller.register(router, zmq.POLLIN)
received = []


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def recv(timeout):
    """The next [type, data, node_id] from the worker, or None after timeout s."""
    if not poller.poll(int(timeout * 1000)):
        return None
    frames = router.recv_multipart()
    if len(frames) != 2:
        fail(f"the worker sent {len(frames) - 1} frames in one message, not 1")
    msg = msgpack.unpackb(frames[1], raw=False, strict_map_key=False)
    if not isinstance(msg, list) or len(msg) != 3:
        fail(f"not an array of 3: {msg!r}")
    if msg[2] != frames[0].decode():
        fail(f"node id {msg[2]!r} differs from the routing id {frames[0]!r}")
    received.append(msg)
    return msg


def wait_for(kind, timeout):
    end = time.time() + timeout
    while time.time() < end:
        msg = recv(end - time.time())
        if msg is not None and msg[0] == kind:
            return msg
    fail(f"no {kind} within {timeout} s (got {[m[0] for m in received[-10:]]})")


def check_stats(data):
    for key in ("stats", "stats_total", "errors", "user_classes_count", "user_count"):
        if key not in data:
            fail(f"stats without {key}")
    for e in data["stats"] + [data["stats_total"]]:
        if set(e) != ENTRY_KEYS:
            fail(f"stats entry keys {sorted(e)}")
        for m in ("response_times", "num_reqs_per_sec", "num_fail_per_sec"):
            if not all(isinstance(k, int) for k in e[m]):
                fail(f"{m} has keys that are not integers: {list(e[m])[:5]}")
        if sum(e["response_times"].values()) + e["num_none_requests"] != e["num_requests"]:
            fail(f"response_times add up to {sum(e['response_times'].values())}, "
                 f"not {e['num_requests']}")
        if sum(e["num_reqs_per_sec"].values()) != e["num_requests"]:
            fail("num_reqs_per_sec does not add up to num_requests")
        if e["num_requests"] == 0 and e["min_response_time"] is not None:
            fail("an empty interval with a minimum")
    total = data["stats_total"]
    if sum(e["num_requests"] for e in data["stats"]) != total["num_requests"]:
        fail("stats_total is not the sum of the entries")


ready = wait_for("client_ready", 15)
node = ready[2]
if ready[1] != -1:
    fail(f"client_ready carries {ready[1]!r}, not -1")
ident = node.encode()


def send(frame):
    router.send_multipart([ident, frame])


def pack(kind, data, node_id=None):
    return msgpack.packb([kind, data, node if node_id is None else node_id], use_bin_type=True)


send(pack("ack", {"index": 0}))
if MODE == "heartbeats":
    send(pack("spawn", {"timestamp": time.time(), "user_classes_count": {"Api": 1, "Other-2": 0},
                        "host": None, "stop_timeout": None, "parsed_options": {}}))
    wait_for("spawning_complete", 5)
    end = time.time() + 2
    while time.time() < end:
        msg = recv(end - time.time())
        if msg is not None and msg[0] == "heartbeat":
            send(pack("heartbeat", None))
    silent = time.time()
    again = wait_for("client_ready", 10)
    waited = time.time() - silent
    if not 1.5 <= waited <= 8:
        fail(f"the worker registered again {waited:.1f} s after the last heartbeat (timeout 2 s)")
    send(pack("ack", {"index": 0}))
    wait_for("heartbeat", 5)
    print(f"registered again {waited:.1f} s after the master went silent", flush=True)
    stats = wait_for("stats", 10)
    check_stats(stats[1])
    if stats[1]["user_count"] != 0:
        fail(f"users still running after the master was lost: {stats[1]['user_classes_count']}")
    print("ready", flush=True)
    wait_for("quit", 20)
    if received[-2][0] != "stats":
        fail("no report right before the quit")
    print("quit after SIGTERM", flush=True)
    sys.exit(0)
hb = wait_for("heartbeat", 5)
if hb[1].get("state") != "ready" or not isinstance(hb[1].get("current_cpu_usage"), (int, float)):
    fail(f"bad heartbeat {hb[1]!r}")

# malformed and unexpected messages: each must be logged and ignored
nested = []
for _ in range(200):
    nested = [nested]
bad = [
    b"",
    b"\xc1",
    b"\x93\xa5spawn",
    msgpack.packb([1, 2]),
    msgpack.packb("spawn"),
    pack("spawn", None),
    pack("spawn", {"timestamp": "soon", "user_classes_count": {}}),
    pack("spawn", {"timestamp": 1.0, "user_classes_count": {"Api": -3}}),
    pack("spawn", {"timestamp": 1.0, "user_classes_count": {"Api": "many"}}),
    pack("spawn", {"timestamp": 1.0, "user_classes_count": [1, 2]}),
    pack("spawn", {"timestamp": 1.0, "user_classes_count": {"Api": 1}, "stop_timeout": "x"}),
    pack("quit", None) + b"\x00",
    msgpack.packb([b"quit", None, node], use_bin_type=True),
    msgpack.packb(["quit", None, 42]),
    pack("quit", None, node_id="somebody_else"),
    pack("custom_ping", {"a": [1, 2.5, None, True, b"bin", {"x": -1}]}),
    pack("update_user_class", {"user_class_name": "Api", "weight": 3}),
    pack("spawning_complete", {"user_count": 3}),
    pack("heartbeat", None),
    pack("ack", {"index": 0}),
    pack("deep", nested),
]
for frame in bad:
    send(frame)
router.send_multipart([ident, b"", pack("quit", None)])  # two frames: not one message

# reconnect: the worker opens a new socket with the same id and keeps its registration
send(pack("reconnect", None))
end = time.time() + 1  # keep reading, as Locust's master does: libzmq acts on the socket's
while time.time() < end:  # connection changes only while it is in use
    recv(end - time.time())

# a spawn naming a class the scenario lacks and leaving out one it has
send(pack("spawn", {
    "timestamp": time.time(),
    "user_classes_count": {"Api": 2, "Nope": 1},
    "host": None,
    "stop_timeout": None,
    "parsed_options": {"num_users": 3, "tags": None, "spawn_rate": 1.5, "x": [1, "a"]},
}))
wait_for("spawning", 5)
done = wait_for("spawning_complete", 5)
if done[1] != {"user_classes_count": {"Api": 2, "Nope": 0}, "user_count": 2}:
    fail(f"spawning_complete {done[1]!r}")
# an older spawn is ignored (the worker still says spawning)
send(pack("spawn", {"timestamp": 1.0, "user_classes_count": {"Api": 9}}))

# run a few seconds; the worker must keep its heartbeats and reports coming
end = time.time() + 3.5
while time.time() < end:
    recv(end - time.time())
kinds = [m[0] for m in received]
exceptions = [m[1]["msg"] for m in received if m[0] == "exception"]
if not any("'Nope'" in e for e in exceptions):
    fail(f"no exception about the class Nope: {exceptions}")
if not any("'Other-2'" in e for e in exceptions):
    fail(f"no exception about the class Other-2 the master lacks: {exceptions}")
running = [m for m in received if m[0] == "heartbeat" and m[1]["state"] == "running"]
if len(running) < 2:
    fail(f"{len(running)} heartbeats while running: {kinds[-20:]}")

send(pack("quit", None))
wait_for("quit", 5)
reports = [m[1] for m in received if m[0] == "stats"]
for r in reports:
    check_stats(r)
if not reports or reports[-1]["user_classes_count"] != {"Api": 0, "Nope": 0}:
    fail(f"the last report's users: {reports[-1]['user_classes_count'] if reports else None}")
if received[-2][0] != "stats":
    fail("no report right before the quit")
total = sum(r["stats_total"]["num_requests"] for r in reports)
if total == 0:
    fail("no requests reported")
print(f"reported {total} requests in {len(reports)} reports, "
      f"{len(exceptions)} exceptions, {len(running)} heartbeats while running", flush=True)
