#!/usr/bin/env bash
# README's test command: installs missing system packages, builds everything
# (the executables are needed by the end-to-end tests), and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# pipefail: a failing run ends the script here, with its status.
swift test --skip-build "$@" 2>&1 | tee "$log"
# XCTest prints "Executed 0 tests" (every test here is Swift Testing): close with
# the plain count so nobody reading the last line mistakes the run for empty.
passed="$(sed -n 's/.*Test run with \([0-9][0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$log" | awk '{ s += $1 } END { if (NR) print s }')"
if [ -n "$passed" ]; then echo "tests: $passed passed, 0 failed"; fi
