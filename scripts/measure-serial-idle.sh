#!/bin/bash
# Idle wake-ups of a serial keypad line (docs/serial-keypads.md, "Idle cost"):
# a Python pty device at address 1 answers every poll of serial-polled-crc16
# with "no key"; evald-device-probe reads the line with PROFILE; the context
# switches of all its threads are summed from /proc before and after SECONDS.
# usage: scripts/measure-serial-idle.sh PROFILE SECONDS   (after swift build)
set -eu
profile=${1:-serial-polled-crc16}
seconds=${2:-20}
work=$(mktemp -d)
trap 'kill $probe $device 2>/dev/null; rm -rf "$work"' EXIT
python3 - "$work/tty" <<'PY' &
import os, sys, tty, select
master, slave = os.openpty()
tty.setraw(slave)
os.symlink(os.ttyname(slave), sys.argv[1])
poll, answer, buf = bytes.fromhex("AA0150504C"), bytes.fromhex("550106004388"), b""
while True:
    select.select([master], [], [])
    buf += os.read(master, 256)
    while poll in buf:
        buf = buf[buf.index(poll) + len(poll):]
        os.write(master, answer)
PY
device=$!
sleep 0.5
"$(dirname "$0")/../.build/debug/evald-device-probe" serial "$work/tty" --profile "$profile" --address 1 --timeout $((seconds + 10)) > "$work/probe.out" 2>&1 &
probe=$!
sleep 3
sum() { cat /proc/$probe/task/*/status 2>/dev/null | awk '/voluntary_ctxt_switches/ {s += $2} END {print s}'; }
before=$(sum); sleep "$seconds"; after=$(sum)
echo "$profile: $((after - before)) context switches in $seconds s (all threads of evald-device-probe)"
