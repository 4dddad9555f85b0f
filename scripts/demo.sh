#!/usr/bin/env bash
# README's main command: the whole path on one machine, on loopback, with no
# hardware. Installs system packages (bootstrap), builds, starts the platform
# simulator and evald with a simulated keypad, plays a counter scene, shows the
# evaluations arriving at the simulator, and ends with `evalctl status`
# showing an empty queue. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf '\033[31mdemo FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

step "1. system packages (scripts/bootstrap.sh)"
scripts/bootstrap.sh

step "2. build (swift build)"
swift build --product evald
swift build --product evalctl
swift build --product platform-sim
BIN="$(swift build --show-bin-path)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/evald-demo.XXXXXX")"
SIM_PID=""; EVALD_PID=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$EVALD_PID" ] && kill -0 "$EVALD_PID" 2>/dev/null; then kill -TERM "$EVALD_PID"; wait "$EVALD_PID" 2>/dev/null || true; fi
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then kill -TERM "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; fi
  if [ "${KEEP_DEMO:-}" = 1 ]; then echo "demo files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Waits until "$@" succeeds, at most $TIMEOUT seconds (no sleep-and-hope).
wait_for() {
  local what="$1"; shift
  local deadline=$((SECONDS + ${TIMEOUT:-30}))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.2
  done
}

step "3. platform simulator on loopback"
printf 'demo-secret-%s\n' "$RANDOM$RANDOM" > "$WORK/app-secret"
chmod 600 "$WORK/app-secret"
"$BIN/platform-sim" --port 0 --app-key demo-hall --app-secret-file "$WORK/app-secret" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
wait_for "the simulator to listen" grep -q "listening on" "$WORK/sim.out"
PORT="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/sim.out" | head -1)"
[ -n "$PORT" ] || fail "could not read the simulator's port from: $(cat "$WORK/sim.out")"
SIM="http://127.0.0.1:$PORT"
echo "platform-sim: $SIM (pid $SIM_PID)"

step "4. evald with a simulated keypad"
METRICS="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$PORT#g" -e "s#@ROOT@#$ROOT#g" -e "s#@METRICS@#$METRICS#g" \
  docs/examples/demo.toml > "$WORK/evald.toml"
mkfifo "$WORK/keypad.fifo"
"$BIN/evald" --check-config --config "$WORK/evald.toml"
"$BIN/evald" --config "$WORK/evald.toml" 2> "$WORK/evald.log" &
EVALD_PID=$!
evalctl() { "$BIN/evalctl" "$@" --config "$WORK/evald.toml"; }
running() { evalctl status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["daemon"]["running"] and d["daemon"]["phase"]=="running" else 1)'; }
wait_for "evald to be ready" running
echo "evald: pid $EVALD_PID, log $WORK/evald.log"
exec 3> "$WORK/keypad.fifo"     # the keypad's cable, so to speak

press() { echo "  keypad: press $1  ($2)"; echo "press $1" >&3; }
scan()  { echo "  scanner: $1  ($2)"; echo "scan $1" >&3; }

step "5. the counter scene"
scan 'STAFF:zhangsan:张三' "staff 张三 scans the badge: logs in at window W01"
press 4 "a citizen without a case rates 满意: anonymous counter rating"
sleep 1.2                       # the next citizen (min_interval_ms = 1000)
scan 'MS-2026-1129-000001' "张三 scans the case receipt 办件 MS-2026-1129-000001"
press 5 "the citizen rates the case 非常满意"
sleep 0.3                       # longer than contact bounce (debounce_ms = 50)
press 5 "…and presses again: one service, one evaluation → filtered (repeat)"
sleep 1.2
scan '{"type":"citizen","name":"李四","certKey":"533103199001011234","userProp":1}' "a citizen shows the 办事通 QR: the next rating is real-name"
scan 'MS-2026-1129-000002' "张三 scans the next case receipt"
press 1 "the citizen rates 非常不满意: a bad review (差评), forwarded first, alert raised"

step "5b. the business system invites the rating (counter API, docs/api.md)"
service() { evalctl service "$@" --socket "$WORK/api.sock"; }
service watch W01 --count 1 > "$WORK/watch.out" 2> "$WORK/watch.err" &
WATCH_PID=$!
wait_for "the event stream" grep -q watching "$WORK/watch.err"
echo "  business system: POST /v1/services (window W01, case MS-2026-1129-000003, countdown 60 s)"
service open W01 MS-2026-1129-000003 --task-name 营业执照 --staff 'zhangsan:张三' --countdown 60
wait_for "the keypad's invite" grep -q "shows: 请您对本次服务做出评价 (invite)" "$WORK/evald.log"
echo "  keypad shows: 请您对本次服务做出评价  (the invite prompt, docs/devices.md \"Prompts\")"
sleep 0.3                       # longer than contact bounce
press 4 "the citizen rates the invited case 满意"
TIMEOUT=20 wait_for "the rated event" grep -q rated "$WORK/watch.out"
wait_for "the keypad's thanks" grep -q "shows: 感谢您的评价 (thanks)" "$WORK/evald.log"
echo "  keypad shows: 感谢您的评价  (thanks, once the rating is stored)"
wait "$WATCH_PID" || fail "evalctl service watch failed: $(cat "$WORK/watch.err")"
echo "  event seen by the business system:"; sed 's/^/    /' "$WORK/watch.out"

step "6. evaluations arriving at the simulator"
unique() { curl -fsS "$SIM/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["unique"])'; }
arrived() { [ "$(unique 2>/dev/null || echo 0)" -ge 4 ]; }
TIMEOUT=30 wait_for "4 evaluations at the simulator" arrived
curl -fsS "$SIM/stats" | python3 -m json.tool
[ "$(unique)" -eq 4 ] || fail "the simulator holds $(unique) evaluations, expected exactly 4"

step "7. what the operator sees"
evalctl queue list --limit 10
evalctl stats --by window
evalctl bad-reviews
test -s "$WORK/last-bad-review-alert.json" && { echo "alert command received:"; cat "$WORK/last-bad-review-alert.json"; echo; } \
  || fail "the bad-review alert command did not run"
echo "metrics (excerpt):"
curl -fsS "http://127.0.0.1:$METRICS/metrics" | grep -E '^evald_(queue_records|presses_total|filtered_presses_total|deliveries_total)' || fail "no metrics"
FILTERED="$(curl -fsS "http://127.0.0.1:$METRICS/metrics" | sed -n 's/^evald_filtered_presses_total{reason="repeat"} //p')"
[ "${FILTERED:-0}" -ge 1 ] || fail "the repeated press was not filtered"

step "8. evalctl status: the queue is empty"
empty() { evalctl status --json | python3 -c 'import json,sys; q=json.load(sys.stdin)["queue"]; sys.exit(0 if q["pending"]==0 and q["inflight"]==0 else 1)'; }
wait_for "an empty queue" empty
evalctl status

step "9. the month's 通报 (evalctl report: counts kept for years in the store's rollup)"
MONTH="$(TZ=Asia/Shanghai date +%Y-%m)"
evalctl report --month "$MONTH" --by window --html "$WORK/tongbao-$MONTH.html" --xlsx "$WORK/tongbao-$MONTH.xlsx" \
  || fail "evalctl report failed"
test -s "$WORK/tongbao-$MONTH.html" && test -s "$WORK/tongbao-$MONTH.xlsx" || fail "the report files were not written"
echo "  open $WORK/tongbao-$MONTH.html in a browser (prints on A4), or the workbook in WPS/Excel/LibreOffice"

step "10. stop evald (SIGTERM) and the simulator"
exec 3>&-
kill -TERM "$EVALD_PID"; wait "$EVALD_PID" || fail "evald did not stop cleanly"
EVALD_PID=""
echo
echo "demo OK: 4 evaluations delivered (1 real-name bad review, alerted and ledgered; 1 invited by the business system through the API, the keypad prompted, its rated event seen), 1 repeated press filtered, queue empty, the month's report written."
