#!/usr/bin/env bash
# Measures evald's idle footprint (docs/benchmarks.md, "evald idle footprint"):
# start-to-READY time (sd_notify READY=1 on a socket we bind), resident memory,
# and wake-ups over an idle window (voluntary + involuntary context switches
# of all threads, from /proc). Two devices are bound: the simulated keypad
# (attached) and a USB keypad that is absent; the evdev/hidraw/libusb backends
# stay on, so their idle cost (udev monitor, libusb event thread) is counted.
#
#   scripts/footprint.sh [--debug] [--seconds N]     (default: release build, 30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CONFIG=release; SECONDS_IDLE=30
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) CONFIG=debug; shift ;;
    --seconds) SECONDS_IDLE="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for p in evald platform-sim; do swift build -c "$CONFIG" --product "$p" >/dev/null; done
BIN="$(swift build -c "$CONFIG" --show-bin-path)"
WORK="$(mktemp -d)"; SIM=""; EVALD=""
trap '[ -n "$EVALD" ] && kill -TERM $EVALD 2>/dev/null; [ -n "$SIM" ] && kill -TERM $SIM 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

echo secret > "$WORK/app-secret"
"$BIN/platform-sim" --port 0 --app-key k --app-secret-file "$WORK/app-secret" > "$WORK/sim.out" & SIM=$!
until grep -q listening "$WORK/sim.out" 2>/dev/null; do sleep 0.05; done
PORT="$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$WORK/sim.out" | head -1)"
mkfifo "$WORK/keypad.fifo"
cat > "$WORK/evald.toml" <<TOML
[agent]
state_dir = "$WORK/state"
log_level = "notice"
[platform]
base_url = "http://127.0.0.1:$PORT/api/v1"
app_key = "k"
app_secret_file = "$WORK/app-secret"
[[window]]
area_code = "533103"
window_code = "W01"
devices = ["simulated-keypad", "KP-ABSENT-0001"]
[devices]
simulated_keypad = "$WORK/keypad.fifo"
[sessions]
calendar_dir = "$ROOT/config/calendars"
scan_rules_file = "$ROOT/config/scan-rules.json"
TOML

# Bind the notify socket, start evald, time READY=1.
python3 - "$WORK" "$BIN/evald" "$SECONDS_IDLE" <<'PY'
import os, socket, subprocess, sys, time
work, evald, idle = sys.argv[1], sys.argv[2], int(sys.argv[3])
path = os.path.join(work, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(path); s.settimeout(60)
env = dict(os.environ, NOTIFY_SOCKET=path)
t0 = time.monotonic()
p = subprocess.Popen([evald, "--config", os.path.join(work, "evald.toml")], env=env, stderr=open(os.path.join(work, "evald.log"), "w"))
while b"READY=1" not in s.recv(4096): pass
ready = time.monotonic() - t0
fifo = os.open(os.path.join(work, "keypad.fifo"), os.O_WRONLY)   # the keypad is "attached"
time.sleep(2)                                                      # let start-up settle
def switches(pid):
    # Per thread: a thread that ends inside the window would otherwise make
    # the sum go down (a whole-process total once read negative).
    counts = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            total = 0
            for line in open(f"/proc/{pid}/task/{tid}/status"):
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")): total += int(line.split()[1])
            counts[tid] = (name, total)
        except FileNotFoundError:
            pass
    return counts
def status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key): return line.split(":")[1].strip()
before = switches(p.pid); threads = len(os.listdir(f"/proc/{p.pid}/task"))
time.sleep(idle)
after = switches(p.pid)
# Threads alive at both ends count their delta; threads born inside the window count all they did.
deltas = {tid: (name, n - before.get(tid, (name, 0))[1]) for tid, (name, n) in after.items()}
ended = len(set(before) - set(after))
total = sum(n for _, n in deltas.values())
print(f"start-to-READY: {ready*1000:.0f} ms")
print(f"RSS idle: {status(p.pid, 'VmRSS')} (peak {status(p.pid, 'VmHWM')}), threads: {threads}")
print(f"  anonymous {status(p.pid, 'RssAnon')}, file {status(p.pid, 'RssFile')}, shmem {status(p.pid, 'RssShmem')}")
print(f"wake-ups (context switches, all threads) over {idle} s: {total} = {total/idle:.1f}/s ({ended} thread(s) ended in the window, not counted)")
for tid, (name, n) in sorted(deltas.items(), key=lambda item: -item[1][1]):
    if n: print(f"  {name} ({tid}): {n}")
p.terminate(); p.wait(timeout=30); os.close(fifo)
print(f"exit status after SIGTERM: {p.returncode}")
PY
