#!/usr/bin/env bash
# Runs one release-kit tool for a Jenkins step, with the same environment contract as the GitHub
# Actions: every input arrives as a RELEASE_KIT_* variable, read by the tool itself.
#   RELEASE_KIT_TOOL  the tool (required)
#   RELEASE_KIT_ARGS  extra arguments, one per line (never split or expanded by a shell)
#   RELEASE_KIT_BIN   the directory holding the release-kit binaries (see install.sh)
# The tool's own exit code is returned: 0 ok, 1 check found problems, 2 bad usage or input,
# 3 outside failure.
set -euo pipefail
# No report from an earlier run survives to be recorded as this one's.
if [ -n "${RELEASE_KIT_JUNIT:-}" ]; then rm -f -- "$RELEASE_KIT_JUNIT"; fi
tool=${RELEASE_KIT_TOOL:-}
case "$tool" in
  changelog-check | bump-version | verify-distcheck | bench-compare | stage-rc | publish-dist | build-rpms) ;;
  *)
    echo "error: unknown release-kit tool '$tool'; use changelog-check, bump-version, verify-distcheck, bench-compare, stage-rc, publish-dist or build-rpms" >&2
    exit 2
    ;;
esac
exe="${RELEASE_KIT_BIN:-.release-kit/bin}/$tool"
if [ ! -x "$exe" ]; then
  echo "error: $exe is not installed; call releaseKit.install() first, or set RELEASE_KIT_BIN to the directory holding the binaries" >&2
  exit 2
fi
args=()
if [ -n "${RELEASE_KIT_ARGS:-}" ]; then
  while IFS= read -r line; do
    [ -n "$line" ] && args+=("$line")
  done <<<"$RELEASE_KIT_ARGS"
fi
exec "$exe" ${args[@]+"${args[@]}"}
