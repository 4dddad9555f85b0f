#!/usr/bin/env bash
# The real evald, release build, end to end on loopback: platform-sim, evald
# with the demo's configuration (docs/examples/demo.toml, without the alert
# command, debounce and minimum interval 0 so no press is filtered), fed N
# scan+press pairs ("cases") or N presses ("anonymous") through the simulated
# keypad's FIFO in one write. Prints when all N are stored (evald's
# evald_presses_total) and when all are delivered (platform-sim's unique
# count). docs/benchmarks.md, "The real daemon".
#
#   scripts/daemon-throughput.sh [cases|anonymous] [N=10000] [log level=info]
#
# EVALD_WRAP runs evald under a wrapper, e.g. for a profile:
#   EVALD_WRAP="perf record -F 1999 --call-graph dwarf,8192 -o /tmp/evald.perf --" scripts/daemon-throughput.sh
set -euo pipefail
MODE="${1:-cases}"; N="${2:-10000}"; LOG="${3:-info}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"; BIN="$ROOT/.build/release"
for product in evald platform-sim; do
  [ -x "$BIN/$product" ] || swift build -c release --product "$product" --package-path "$ROOT" >&2
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/evald-throughput.XXXXXX")"
SIM=""; EVALD=""
cleanup() {
  for pid in $EVALD $SIM; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits until "$@" succeeds, at most 30 s.
wait_for() {
  local what="$1"; shift
  local deadline=$((SECONDS + 30))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out waiting for $what" >&2; exit 1; }
    sleep 0.1
  done
}

printf 'secret-%s\n' "$RANDOM$RANDOM" > "$WORK/app-secret"; chmod 600 "$WORK/app-secret"
"$BIN/platform-sim" --port 0 --app-key demo-hall --app-secret-file "$WORK/app-secret" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM=$!
wait_for "platform-sim to listen" grep -q "listening on" "$WORK/sim.out"
PORT="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/sim.out" | head -1)"
METRICS="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$PORT#g" -e "s#@ROOT@#$ROOT#g" -e "s#@METRICS@#$METRICS#g" \
    -e "s#^log_level = .*#log_level = \"$LOG\"#" -e 's#^debounce_ms = .*#debounce_ms = 0#' -e 's#^min_interval_ms = .*#min_interval_ms = 0#' \
    -e '/^\[alert\]/,/^timeout_ms/d' "$ROOT/docs/examples/demo.toml" > "$WORK/evald.toml"
mkfifo "$WORK/keypad.fifo"
${EVALD_WRAP:-} "$BIN/evald" --config "$WORK/evald.toml" 2> "$WORK/evald.log" &
EVALD=$!
wait_for "evald's metrics" curl -fsS "http://127.0.0.1:$METRICS/metrics"

python3 - "$WORK" "$MODE" "$N" "$METRICS" "$PORT" <<'PY'
import json, re, sys, time, urllib.request
work, mode, n, metrics, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

def scrape():
    return urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics").read().decode()

def stored(text):
    return sum(int(v) for v in re.findall(r'^evald_presses_total\{rating="\d"\} (\d+)', text, re.M))

def delivered():
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats"))["unique"]

lines = []
for i in range(n):
    if mode == "cases":
        lines.append(f"scan MS-2026-1204-{i:06d}\n")
    lines.append(f"press {3 + i % 3}\n")   # no bad reviews: their alert would fork per press
start = time.monotonic()
with open(f"{work}/keypad.fifo", "w") as fifo:
    fifo.write("".join(lines))
written = time.monotonic() - start
t_stored = t_delivered = None
while t_delivered is None and time.monotonic() - start < 120:
    now = time.monotonic() - start
    if t_stored is None and stored(scrape()) >= n:
        t_stored = now
    if delivered() >= n:
        t_delivered = now
    time.sleep(0.02)
text = scrape()
filtered = dict(re.findall(r'^evald_filtered_presses_total\{reason="([^"]+)"\} (\d+)', text, re.M))
print(f"{mode}: {n} inputs written in {written:.3f} s; {stored(text)} presses accepted; filtered {filtered}")
print(f"  all stored after {t_stored:.3f} s: {n / t_stored:.0f} evaluations/s" if t_stored else "  not all stored within 120 s")
print(f"  all delivered after {t_delivered:.3f} s: {n / t_delivered:.0f} evaluations/s (platform-sim unique {delivered()})"
      if t_delivered else f"  not all delivered within 120 s: {delivered()}")
sys.exit(0 if t_delivered else 1)
PY
