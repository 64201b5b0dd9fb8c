#!/usr/bin/env bash
# Makes the release-kit binaries available in RELEASE_KIT_BIN (default .release-kit/bin):
# already there -> nothing to do; RELEASE_KIT_SRC set -> `cargo build --release --locked` from
# that release-kit checkout. Prints the directory.
set -euo pipefail
bin=${RELEASE_KIT_BIN:-.release-kit/bin}
if [ -x "$bin/build-rpms" ] && [ -x "$bin/bump-version" ]; then
  echo "$bin"
  exit 0
fi
src=${RELEASE_KIT_SRC:-}
if [ -z "$src" ]; then
  echo "error: no release-kit binaries in $bin; set RELEASE_KIT_BIN to a directory holding them, or RELEASE_KIT_SRC to a release-kit checkout to build them with cargo" >&2
  exit 2
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is not installed on this agent, so release-kit cannot be built from $src; install the Rust toolchain or provide RELEASE_KIT_BIN" >&2
  exit 2
fi
(cd "$src" && cargo build --release --locked --bins >&2)
mkdir -p "$bin"
for t in changelog-check bump-version verify-distcheck bench-compare stage-rc publish-dist build-rpms; do
  cp "$src/target/release/$t" "$bin/"
done
echo "$bin"
