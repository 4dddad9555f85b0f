#!/usr/bin/env bash
# README's test command: installs missing system packages, builds everything
# (the executables are needed by the end-to-end tests), and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build "$@"
