#!/usr/bin/env bash
# Builds evald_<version>_<arch>.deb with dpkg-deb.
#
#   packaging/build-deb.sh                   release build (static Swift runtime), then package
#   packaging/build-deb.sh --bin-dir DIR     package already-built evald/evalctl from DIR
#                                            (the tests use .build/debug: fast, NOT for shipping)
#   packaging/build-deb.sh --out DIR         where the .deb goes (default: .build/deb)
#   packaging/build-deb.sh --quick           gzip -1 instead of xz, no .debug files (tests: debug binaries are large)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

BIN_DIR=""
OUT_DIR="$ROOT/.build/deb"
COMPRESSION=(-Zxz)
KEEP_DEBUG=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --bin-dir) BIN_DIR="$2"; shift 2 ;;
    --out) OUT_DIR="$2"; shift 2 ;;
    --quick) COMPRESSION=(-Zgzip -z1); KEEP_DEBUG=no; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build-deb: unknown argument $1" >&2; exit 2 ;;
  esac
done

VERSION="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/EvalOperator/Process/EvaldVersion.swift)"
ARCH="$(dpkg --print-architecture)"
[ -n "$VERSION" ] || { echo "build-deb: cannot read the version from EvaldVersion.swift" >&2; exit 1; }

FLAVOUR="release"
if [ -z "$BIN_DIR" ]; then
  # A static Swift runtime: counter PCs have no Swift toolchain.
  # evald alone: /usr/bin/evalctl is a link to it (one static runtime, not two).
  swift build -c release --static-swift-stdlib --product evald
  BIN_DIR="$(swift build -c release --show-bin-path)"
else
  FLAVOUR="prebuilt from $BIN_DIR"
fi
[ -x "$BIN_DIR/evald" ] || { echo "build-deb: $BIN_DIR/evald is missing; build it first" >&2; exit 1; }

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/evald-deb.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/evald_${VERSION}_${ARCH}"

install -d "$PKG/DEBIAN" "$PKG/usr/bin" "$PKG/lib/systemd/system" "$PKG/usr/lib/sysusers.d" \
  "$PKG/usr/lib/tmpfiles.d" "$PKG/lib/udev/rules.d" "$PKG/etc/evald/profiles.d" \
  "$PKG/usr/share/evald/calendars" "$PKG/etc/evald/calendars" "$PKG/usr/share/doc/evald/examples"

# Stripped binaries (Debian policy 10.1); the debug information goes into
# evald-<version>-debug/<binary>.debug beside the .deb, linked by
# .gnu_debuglink so gdb finds it when it is installed under /usr/lib/debug.
# One multi-call binary: started as evalctl it is the operator's tool
# (Sources/evald/Evald.swift), so both share one static Swift runtime.
install -m 0755 "$BIN_DIR/evald" "$PKG/usr/bin/"
ln -s evald "$PKG/usr/bin/evalctl"
# To run evalctl here (udev rules, help texts): the unpatched build output
# under the name evalctl (the packaged copy loses its RUNPATH below).
ln -s "$(readlink -f "$BIN_DIR/evald")" "$STAGE/evalctl"
EVALCTL="$STAGE/evalctl"
DEBUG_DIR="$OUT_DIR/evald-${VERSION}-debug"
for product in evald; do
  if [ "$KEEP_DEBUG" = yes ]; then
    mkdir -p "$DEBUG_DIR"
    objcopy --only-keep-debug --compress-debug-sections "$PKG/usr/bin/$product" "$DEBUG_DIR/$product.debug"
    objcopy --add-gnu-debuglink="$DEBUG_DIR/$product.debug" "$PKG/usr/bin/$product"
  fi
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$PKG/usr/bin/$product"
  # No RUNPATH in a shipped binary (lintian custom-library-search-path): a
  # static release needs none, and the debug binaries of --bin-dir carry the
  # build machine's toolchain path, which a counter PC does not have. Whoever
  # runs a debug-built package (the tests) sets LD_LIBRARY_PATH to the toolchain.
  patchelf --remove-rpath "$PKG/usr/bin/$product"
done
install -m 0644 systemd/evald.service "$PKG/lib/systemd/system/evald.service"
install -m 0644 systemd/sysusers.d/evald.conf "$PKG/usr/lib/sysusers.d/evald.conf"
install -m 0644 systemd/tmpfiles.d/evald.conf "$PKG/usr/lib/tmpfiles.d/evald.conf"
if [ -f udev/70-evald.rules ]; then
  install -m 0644 udev/70-evald.rules "$PKG/lib/udev/rules.d/70-evald.rules"
else
  "$EVALCTL" udev-rules > "$PKG/lib/udev/rules.d/70-evald.rules"
fi
install -m 0640 packaging/evald.toml "$PKG/etc/evald/evald.toml"
CONFFILES="/etc/evald/evald.toml"
if [ -f config/scan-rules.json ]; then
  install -m 0640 config/scan-rules.json "$PKG/etc/evald/scan-rules.json"
  CONFFILES="$CONFFILES
/etc/evald/scan-rules.json"
fi
# The evalDetail reason table: public codes, a conffile a province replaces.
if [ -f config/reason-codes.json ]; then
  install -m 0644 config/reason-codes.json "$PKG/etc/evald/reason-codes.json"
  CONFFILES="$CONFFILES
/etc/evald/reason-codes.json"
fi
if compgen -G "config/calendars/*.json" >/dev/null; then
  install -m 0644 config/calendars/*.json "$PKG/usr/share/evald/calendars/"
fi
# Adapter definitions (issue 26): [platform] adapter = "/usr/share/evald/adapters/….json",
# or a province's own copy in /etc/evald.
if compgen -G "config/adapters/*.json" >/dev/null; then
  install -d -m 0755 "$PKG/usr/share/evald/adapters"
  install -m 0644 config/adapters/*.json "$PKG/usr/share/evald/adapters/"
fi

# Documentation, with the --help texts for a machine without the man pages.
install -m 0644 README.md "$PKG/usr/share/doc/evald/"
for doc in install.md operations.md configuration.md DESIGN.md devices.md sessions.md uplink.md queue.md; do
  [ -f "docs/$doc" ] && install -m 0644 "docs/$doc" "$PKG/usr/share/doc/evald/"
done
install -m 0644 docs/examples/* "$PKG/usr/share/doc/evald/examples/"
"$BIN_DIR/evald" --help > "$PKG/usr/share/doc/evald/evald-help.txt"
"$EVALCTL" --help > "$PKG/usr/share/doc/evald/evalctl-help.txt"
for verb in status queue case tail stats export selftest bad-reviews devices udev-rules service codes report sample; do
  { echo "== evalctl $verb"; "$EVALCTL" "$verb" --help; echo; } >> "$PKG/usr/share/doc/evald/evalctl-help.txt" 2>/dev/null || true
done

# Shell completions for every verb, generated by argument-parser from the
# binary itself, where Debian's bash-completion and zsh look for them.
install -d "$PKG/usr/share/bash-completion/completions" "$PKG/usr/share/zsh/vendor-completions"
# (without its #! line: a completion is sourced, never run; lintian bash-completion-with-hashbang)
"$EVALCTL" --generate-completion-script bash | sed '1{/^#!/d}' > "$PKG/usr/share/bash-completion/completions/evalctl"
"$EVALCTL" --generate-completion-script zsh > "$PKG/usr/share/zsh/vendor-completions/_evalctl"
chmod 0644 "$PKG/usr/share/bash-completion/completions/evalctl" "$PKG/usr/share/zsh/vendor-completions/_evalctl"

# Manual pages, gzipped (policy 12.1); man/ is checked against the binaries and
# the configuration schema by ManualPageTests.
install -d "$PKG/usr/share/man/man8" "$PKG/usr/share/man/man5"
for page in evald.8 evalctl.8 evald.toml.5; do
  gzip -9n < "packaging/man/$page" > "$PKG/usr/share/man/man${page##*.}/$page.gz"
  chmod 0644 "$PKG/usr/share/man/man${page##*.}/$page.gz"
done
install -m 0644 packaging/debian/copyright "$PKG/usr/share/doc/evald/copyright"

# Native package: the changelog is usr/share/doc/evald/changelog.gz (policy 12.7).
gzip -9n < packaging/debian/changelog > "$PKG/usr/share/doc/evald/changelog.gz"
chmod 0644 "$PKG/usr/share/doc/evald/changelog.gz"
install -d "$PKG/usr/share/lintian/overrides"
install -m 0644 packaging/debian/lintian-overrides "$PKG/usr/share/lintian/overrides/evald"

install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$PKG/DEBIAN/"
printf '%s\n' "$CONFFILES" > "$PKG/DEBIAN/conffiles"
# md5sums of every shipped file except the conffiles (dpkg keeps those itself).
( cd "$PKG" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
  xargs -r md5sum ) > "$PKG/DEBIAN/md5sums"

# Runtime dependencies: the Debian packages owning the shared libraries the
# binaries link (libsqlite3, libusb, libc…).
DEPENDS="$(
  for product in evald; do ldd "$BIN_DIR/$product" | awk '/=> \//{print $3}'; done | sort -u |
  while read -r lib; do dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true; done |
  cut -d: -f1 | sort -u | paste -sd, - | sed 's/,/, /g'
)"
[ -n "$DEPENDS" ] || DEPENDS="libc6, libsqlite3-0, libusb-1.0-0, libudev1, libqrencode4, libssl3, libxlsxwriter4"
SIZE_KB="$(du -sk "$PKG" | cut -f1)"

cat > "$PKG/DEBIAN/control" <<CONTROL
Package: evald
Version: $VERSION
Architecture: $ARCH
Maintainer: evald developers <evald-dev@lists.evald.org>
Section: admin
Priority: optional
Installed-Size: $SIZE_KB
Depends: $DEPENDS, procps, init-system-helpers (>= 1.54~), adduser
Recommends: udev
Description: counter evaluator agent for the government-service 好差评 system
 evald reads the five-button evaluator keypads and QR/barcode scanners at
 service windows, applies the counter rules (one service, one evaluation;
 default rating after 5 working days; bad reviews first), keeps every
 evaluation in a crash-safe SQLite queue and forwards it in real time to
 the provincial platform. evalctl lets operators watch and repair the queue.
 Build: $FLAVOUR.
CONTROL

mkdir -p "$OUT_DIR"
DEB="$OUT_DIR/evald_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group "${COMPRESSION[@]}" --build "$PKG" "$DEB" >/dev/null
echo "$DEB"
