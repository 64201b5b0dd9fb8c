#!/usr/bin/env bash
# build-release-kit.sh SRC DEST: the agent image's build stage (jenkins/docker/Dockerfile):
# builds every release-kit binary from the checkout SRC with `cargo build --release --locked
# --bins`, checks that each one runs (-V), and installs them into DEST with a SHA256SUMS.
# CARGO_TARGET_DIR is honoured (default SRC/target).
# Exit codes: 0 installed; 2 bad usage; 3 the build failed or a binary does not run.
set -euo pipefail
readonly TOOLS="changelog-check bump-version verify-distcheck bench-compare stage-rc publish-dist build-rpms"
if [ $# -ne 2 ]; then
  echo "usage: build-release-kit.sh SRC DEST   (SRC: a release-kit checkout; DEST: where the binaries go)" >&2
  exit 2
fi
src=$1 dest=$2
[ -f "$src/Cargo.toml" ] || { echo "error: $src holds no Cargo.toml; pass a release-kit checkout" >&2; exit 2; }
command -v cargo >/dev/null 2>&1 ||
  { echo "error: cargo is not installed; build in an image with the Rust toolchain (rust:1.89-alpine)" >&2; exit 3; }
target=${CARGO_TARGET_DIR:-$src/target}
start=$(date +%s)
cargo build --release --locked --bins --manifest-path "$src/Cargo.toml" --target-dir "$target" >&2 ||
  { echo "error: cargo build --release --locked --bins failed in $src (see above)" >&2; exit 3; }
echo "built release-kit in $(($(date +%s) - start))s" >&2
mkdir -p "$dest"
for tool in $TOOLS; do
  [ -x "$target/release/$tool" ] || { echo "error: cargo built no $target/release/$tool" >&2; exit 3; }
  install -m 755 "$target/release/$tool" "$dest/$tool"
  "$dest/$tool" -V >/dev/null || { echo "error: $dest/$tool does not run (-V failed)" >&2; exit 3; }
done
# shellcheck disable=SC2086 # one word per tool
(cd "$dest" && sha256sum -- $TOOLS >SHA256SUMS)
echo "$dest"
