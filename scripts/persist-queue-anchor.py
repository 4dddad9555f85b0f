#!/usr/bin/env python3
"""The anchor `evald-bench queue` compares its 1-producer enqueue rate with:
persist-queue's SQLiteAckQueue (pip install persist-queue==1.1.0), WAL and
synchronous=FULL, one thread putting one record per commit (auto_commit),
on the same disk in the same run. Prints one line: `N puts/s`."""
import argparse
import os
import tempfile
import time

import persistqueue

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=2000)
parser.add_argument("--dir", default=None, help="where the queue file goes (default: a temporary directory)")
args = parser.parse_args()

base = tempfile.mkdtemp(prefix="persist-queue-", dir=args.dir)
queue = persistqueue.SQLiteAckQueue(os.path.join(base, "q"), auto_commit=True, multithreading=False)
queue._putter.execute("PRAGMA synchronous=FULL")  # WAL is persist-queue's own default
record = {"evaluationId": "0192f6c4-0000-7000-8000-000000000000", "satisfaction": 5, "windowCode": "W01",
          "areaCode": "533103", "assessTime": "2026-03-02 09:30:15", "deviceId": "usb-1-1.2"}
for _ in range(50):  # warm-up
    queue.put(record)
start = time.perf_counter()
for _ in range(args.count):
    queue.put(record)
elapsed = time.perf_counter() - start
print(f"{args.count / elapsed:.0f} puts/s")
