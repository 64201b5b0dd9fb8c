#!/usr/bin/env bash
# actions/install.sh TOOL: makes one release-kit binary available for this runner and prints its
# path on stdout (logs go to stderr). Every release-kit action runs it before its tool.
#
# Where the binary comes from, first match wins:
#   1. RK_BINARY_DIR (the `binary-dir` input): prebuilt binaries the workflow provides, used as
#      they are (the workflow vouches for them; nothing is downloaded).
#   2. RK_BUILD_FROM_SOURCE=true (`build-from-source`): `cargo build --release --locked` from the
#      action's own checkout.
#   3. The pinned release: actions/release.pin names the version and the GitHub repository, and
#      actions/checksums.sha256 holds the SHA-256 of every binary of that release. Both are
#      committed: nothing downloaded is trusted. The binary for this OS/arch comes from the runner
#      tool cache ($RUNNER_TOOL_CACHE/release-kit/VERSION/ARCH) or is downloaded into it, and it is
#      verified against the committed SHA-256 every time, before it is made executable or run.
#      A mismatch stops here: the file is deleted and never run.
#   4. No binary pinned for this OS/arch: the source build of 2, when cargo is on PATH.
#
# RELEASE_KIT_DOWNLOAD_URL replaces the release's download URL (a mirror, or a local server in
# tests); the committed checksums still decide what runs.
#
# Exit codes: 0 the path is on stdout; 1 a checksum mismatch (the download was refused);
# 2 bad input (unknown tool, a binary-dir without the tool, a broken pin); 3 an outside failure
# (download, no cargo, a failed build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly TOOLS="changelog-check bump-version verify-distcheck bench-compare stage-rc publish-dist build-rpms"

# Escapes a workflow-command message (%, CR, LF), so no value can start a command of its own.
escape() {
  local s=$1
  s=${s//'%'/%25}
  s=${s//$'\r'/%0D}
  s=${s//$'\n'/%0A}
  printf '%s' "$s"
}

log() { printf 'release-kit: %s\n' "$(escape "$*")" >&2; }

# Stops with an error annotation (in GitHub Actions) and an exit code.
die() {
  local code=$1
  shift
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    printf '::error title=release-kit action::%s\n' "$(escape "$*")" >&2
  else
    printf 'error: %s\n' "$(escape "$*")" >&2
  fi
  exit "$code"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -- "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 -- "$1" | cut -d' ' -f1
  else
    die 3 "neither sha256sum nor shasum is installed, so the release-kit binary cannot be verified; install coreutils (or perl's shasum) on the runner"
  fi
}

# The value of KEY in actions/release.pin (lines KEY=VALUE; # comments). The file is read, never
# sourced.
pin() {
  local key=$1 line
  [ -f "$here/release.pin" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "$key="*) printf '%s' "${line#*=}"; return 0 ;;
    esac
  done <"$here/release.pin"
}

# The Rust target of the prebuilt binary for this runner, and the tool-cache arch; empty when
# release-kit publishes none for it.
platform() {
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64 | Linux/amd64) echo "x86_64-unknown-linux-musl x64" ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo "aarch64-unknown-linux-musl arm64" ;;
    macOS/X64 | Darwin/x86_64) echo "x86_64-apple-darwin x64" ;;
    macOS/ARM64 | Darwin/arm64 | Darwin/aarch64) echo "aarch64-apple-darwin arm64" ;;
    *) echo "" ;;
  esac
}

describe_platform() { echo "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}"; }

# The directory source builds go to (the path actions/cache saves and restores).
build_dir() { printf '%s\n' "${RK_BUILD_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/release-kit-build}"; }

# What a source build of TOOL depends on, as one SHA-256: Cargo.lock, Cargo.toml, every file
# under src/ (names and contents), the tool and the compiler. The build cache's key.
source_key() {
  local root=$1
  {
    printf 'tool %s\n' "$tool"
    rustc -V 2>/dev/null || echo 'no rustc'
    (
      cd "$root" || exit 0
      for f in Cargo.lock Cargo.toml; do
        if [ -f "$f" ]; then sha256sum -- "$f"; fi
      done
      if [ -d src ]; then find src -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum --; fi
    ) || true
  } | sha256sum | cut -d' ' -f1
}

# A release exists when the pin names a repository and the checksums pin at least one binary.
released() {
  [ -n "$(pin repository)" ] && grep -qE '^[0-9a-f]{64} ' "$here/checksums.sha256" 2>/dev/null
}

# Builds the one tool the step runs from the action's own checkout (`cargo build --release
# --locked --bin TOOL`), into build_dir, which the action caches (actions/cache) keyed on
# source_key: a binary built from the same source is reused without running cargo, and a build
# after a source change reuses the compiled dependencies. Prints the tool's path.
build_from_source() {
  local why=$1 root target_dir key stamp start secs
  root=$(cd "$here/.." && pwd)
  if [ "$plan" = true ]; then
    [ -f "$root/Cargo.toml" ] || { printf 'build=false\n'; exit 0; }
    local platform
    platform=$(describe_platform | tr '/' '-')
    printf 'build=true\nkey=release-kit-%s-%s-%s\nrestore-key=release-kit-%s-%s-\npath=%s\n' \
      "$platform" "$tool" "$(source_key "$root")" "$platform" "$tool" "$(build_dir)"
    exit 0
  fi
  target_dir=$(build_dir)
  key=
  stamp=$target_dir/bin/$tool.source-sha256
  [ -f "$root/Cargo.toml" ] && key=$(source_key "$root")
  if [ -n "$key" ] && [ -x "$target_dir/bin/$tool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    log "$why: $tool built from this source earlier (build cache $target_dir, source SHA-256 $key)"
    printf '%s\n' "$target_dir/bin/$tool"
    return 0
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    local hint="install a Rust toolchain in an earlier step (\`curl --proto '=https' -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal\`, then add ~/.cargo/bin to GITHUB_PATH), or pass binary-dir with prebuilt binaries"
    if released; then
      hint="$hint, or run on a runner release-kit $(pin version) has a prebuilt binary for (Linux or macOS, x64 or arm64)"
    fi
    die 3 "$why, and cargo is not on PATH to build release-kit from source; $hint"
  fi
  [ -f "$root/Cargo.toml" ] || {
    if released; then
      die 3 "$why, and the action's checkout ($root) holds no Cargo.toml to build from; use a release of the action (uses: $(pin repository)/actions/$tool@v$(pin version))"
    fi
    die 3 "$why, and the action's checkout ($root) holds no Cargo.toml to build from; release-kit has no release yet, so use the action from a commit of release-kit's repository (uses: OWNER/release-kit/actions/$tool@<commit SHA>), or pass binary-dir"
  }
  log "$why: building $tool from source ($root) with cargo build --release --locked --bin $tool; the first build takes several minutes (a release build of the tool and its dependencies; measured with scripts/bench-action --fallback, see docs/actions.md), later runs reuse the cache in $target_dir"
  start=$(date +%s)
  cargo build --release --locked --bin "$tool" --manifest-path "$root/Cargo.toml" --target-dir "$target_dir" >&2 ||
    die 3 "cargo build --release --locked --bin $tool in $root failed (see the log above); fix the build, or pass binary-dir with prebuilt binaries"
  [ -x "$target_dir/release/$tool" ] || die 3 "cargo built release-kit but $target_dir/release/$tool is missing"
  secs=$(($(date +%s) - start))
  mkdir -p -- "$target_dir/bin"
  cp -f -- "$target_dir/release/$tool" "$target_dir/bin/$tool"
  printf '%s\n' "$key" >"$stamp"
  log "built $tool in ${secs}s (cached in $target_dir, source SHA-256 $key)"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then printf 'built=true\n' >>"$GITHUB_OUTPUT"; fi
  printf '%s\n' "$target_dir/bin/$tool"
}

# Downloads URL to FILE (curl, else wget), with retries.
download() {
  local url=$1 file=$2
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 --retry-delay 1 \
      --connect-timeout 10 --max-time 300 --output "$file" -- "$url"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --tries=3 --timeout=30 --output-document="$file" -- "$url"
  else
    die 3 "neither curl nor wget is installed, so the release-kit binary cannot be downloaded; install curl on the runner or pass binary-dir"
  fi
}

# --plan: print what the action's cache steps need, as step outputs (build=true|false, and for a
# source build its cache key, restore-key prefix and path), and do nothing else.
plan=false
if [ "${1:-}" = --plan ]; then
  plan=true
  shift
fi
tool=${1:-}
[ $# -eq 1 ] || die 2 "usage: install.sh [--plan] TOOL (one of: $TOOLS)"
case " $TOOLS " in
  *" $tool "*) ;;
  *) die 2 "unknown tool \`$tool\`; release-kit's tools are: $TOOLS" ;;
esac

# 1. Binaries the workflow provides.
if [ -n "${RK_BINARY_DIR:-}" ]; then
  [ -d "$RK_BINARY_DIR" ] || die 2 "binary-dir \`$RK_BINARY_DIR\` is not a directory; point it at a directory holding the release-kit binaries, or leave it empty to use the pinned release"
  if [ ! -f "$RK_BINARY_DIR/$tool" ] || [ ! -x "$RK_BINARY_DIR/$tool" ]; then
    die 2 "binary-dir \`$RK_BINARY_DIR\` holds no executable \`$tool\`; build it there (cargo build --bins) or leave binary-dir empty"
  fi
  [ "$plan" = false ] || { printf 'build=false\n'; exit 0; }
  log "$tool from binary-dir $RK_BINARY_DIR (provided by the workflow, not verified)"
  printf '%s\n' "$(cd "$RK_BINARY_DIR" && pwd)/$tool"
  exit 0
fi

# 2. A source build on request.
case "${RK_BUILD_FROM_SOURCE:-false}" in
  true) build_from_source "build-from-source is set"; exit 0 ;;
  false | "") ;;
  *) die 2 "build-from-source is \`$RK_BUILD_FROM_SOURCE\`; use true or false" ;;
esac

# 3. The pinned release.
version=$(pin version)
repository=$(pin repository)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
  die 2 "actions/release.pin has no valid version (\`$version\`); restore it from the release commit (scripts/pin-release writes it)"
read -r target arch <<<"$(platform)" || true
if [ -z "${target:-}" ]; then
  build_from_source "release-kit publishes no prebuilt binary for $(describe_platform)"
  exit 0
fi
asset="$tool-$target"
want=$(awk -v a="$asset" '$1 !~ /^#/ && ($2 == a || $2 == "*" a) { print $1; exit }' "$here/checksums.sha256" 2>/dev/null || true)
if [ -z "$want" ]; then
  build_from_source "no prebuilt $asset is pinned for release-kit $version (actions/checksums.sha256)"
  exit 0
fi
[[ "$want" =~ ^[0-9a-f]{64}$ ]] ||
  die 2 "actions/checksums.sha256 holds \`$want\` for $asset, not a SHA-256; restore the file from the release commit"

[ "$plan" = false ] || { printf 'build=false\n'; exit 0; }
cache=${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/release-kit-tools}/release-kit/$version/$arch
binary=$cache/$tool
if [ -f "$binary" ]; then
  have=$(sha256_of "$binary")
  if [ "$have" = "$want" ]; then
    log "$tool $version ($target) from the tool cache, SHA-256 verified"
    printf '%s\n' "$binary"
    exit 0
  fi
  log "the cached $binary does not match the pinned SHA-256; removing it and downloading again"
  rm -f -- "$binary"
fi

base=${RELEASE_KIT_DOWNLOAD_URL:-}
if [ -z "$base" ]; then
  [[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
    die 2 "actions/release.pin has no valid repository (\`$repository\`) to download release-kit $version from; restore it from the release commit, or set RELEASE_KIT_DOWNLOAD_URL"
  base="https://github.com/$repository/releases/download/v$version"
fi
url="${base%/}/$asset"
mkdir -p -- "$cache" || die 3 "cannot create the tool cache directory $cache; check RUNNER_TOOL_CACHE"
partial=$(mktemp "$cache/.$tool.download.XXXXXX") || die 3 "cannot write to the tool cache directory $cache"
trap 'rm -f -- "$partial"' EXIT
log "downloading $url"
download "$url" "$partial" || die 3 "downloading $url failed (see above); check the runner's network, or set RELEASE_KIT_DOWNLOAD_URL to a mirror"
got=$(sha256_of "$partial")
if [ "$got" != "$want" ]; then
  rm -f -- "$partial"
  die 1 "checksum mismatch for $asset downloaded from $url: SHA-256 $got, but actions/checksums.sha256 pins $want; the download was deleted and not run. Do not retry blindly: check where RELEASE_KIT_DOWNLOAD_URL or the release points, and report it if the release itself changed"
fi
chmod 755 -- "$partial"
mv -f -- "$partial" "$binary"
trap - EXIT
touch -- "$cache.complete"
log "$tool $version ($target) downloaded, SHA-256 verified, cached in $cache"
printf '%s\n' "$binary"
