#!/usr/bin/env python3
"""Times hosts edits over vswitchd's control socket: one connection, one request at a time.

usage: edits.py SOCKET COUNT -> prints add and del latencies (median, p99, max) in ms.
Each time is from writing the request to reading its answer: the edit is on disk and answering.
"""
import json, socket, statistics, sys, time

path, count = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_UNIX)
sock.connect(path)
stream = sock.makefile("rwb")

def call(command, args):
    start = time.perf_counter()
    stream.write(json.dumps({"command": command, "args": args}).encode() + b"\n")
    stream.flush()
    answer = json.loads(stream.readline())
    took = (time.perf_counter() - start) * 1000
    if not answer.get("ok"):
        sys.exit(f"{command} failed: {answer}")
    return took

def report(what, times):
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{what}: {len(times)} edits, median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms")

adds = [call("hosts/add", {"address": f"198.19.200.{i % 250 + 1}", "names": [f"edit{i}.scale.test"]}) for i in range(count)]
report("hosts add", adds)
dels = [call("hosts/del", {"name": f"edit{i}.scale.test"}) for i in range(count)]
report("hosts del", dels)
