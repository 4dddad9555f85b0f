#!/usr/bin/env bash
# Installs the system packages evald needs to build, test and run its demo on a
# Debian-family machine (Debian, Ubuntu, UOS, Kylin). Safe to run again.
set -euo pipefail

PACKAGES=(
  libsqlite3-dev sqlite3        # the queue, and the sqlite3 shell operators use to salvage a file
  libusb-1.0-0-dev pkg-config   # vendor-report keypads through libusb
  libudev-dev                   # device identity, enumeration and uevents (libudev)
  umockdev libumockdev-dev      # emulated USB/evdev/hidraw devices for the device tests
  faketime                      # whole processes living through days of calendar in tests
  systemd                       # systemd-analyze verify/security for the unit test
  procps psmisc                 # ps/pkill used by scripts and tests
  prometheus                    # promtool: the alert rules in monitoring/ are unit-tested
  lintian                       # the .deb is checked by DebPackageTests
  patchelf                      # build-deb.sh removes the toolchain RUNPATH from packaged binaries
  chromium                      # headless: a real browser page drives the counter API (CORS, EventSource)
  libqrencode-dev               # evalctl codes --png: QR images of signed staff, logout and case codes
  libssl-dev                    # SM2/SM3/SM4 and HMAC-SM3 of province adapter definitions (libcrypto, OpenSSL 3)
  zbar-tools                    # zbarimg reads those QR images back in EvalctlCodesTests
  libxlsxwriter-dev             # evalctl report --xlsx: the 通报 as a workbook (system library, CXlsxWriter)
  python3-openpyxl              # ReportVerbTests reads that workbook back
  fonts-wqy-microhei            # a CJK font, so headless Chromium draws the report page's Chinese (docs/report-example.png)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ] && [ "${1:-}" != "--force" ]; then
  echo "bootstrap: all system packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]:-${PACKAGES[*]}}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"
