#!/usr/bin/env bash
# actions/run.sh: the one step of every release-kit action. It checks the action's inputs, gets the
# tool's binary (actions/install.sh: verified before it runs), builds the command line and runs it.
#
# Inputs arrive as environment variables only, never as script text:
#   RK_TOOL              the tool (changelog-check, stage-rc, ...)
#   RK_COMMAND           its subcommand, if any; RK_COMMANDS lists the valid ones (empty: any);
#                        RK_IMPLICIT_COMMAND names the one that is the tool without a subcommand
#   RK_REQUIRED          required inputs, one per word: NAME, or NAME@CMD,CMD when only those
#                        subcommands need it; an input NAME is given when RELEASE_KIT_<NAME> is
#                        non-empty or the args carry --NAME
#   RK_SET               configuration overrides, one KEY=VALUE per line (each becomes --set)
#   RK_VERBOSE, RK_QUIET -v (a count, or true for one) and -q
#   RK_ARGS              more arguments, one per line, passed verbatim (never split further,
#                        never expanded, never evaluated); empty lines are skipped
#   RELEASE_KIT_*        every other input, read by the tool itself (an empty value is unset)
#   RK_BINARY_DIR, RK_BUILD_FROM_SOURCE: where the binary comes from (see install.sh)
#
# The tool's exit code becomes this step's exit code and the `exit-code` output; the tool writes
# its own outputs, job summary and annotations.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here

escape() {
  local s=$1
  s=${s//'%'/%25}
  s=${s//$'\r'/%0D}
  s=${s//$'\n'/%0A}
  printf '%s' "$s"
}

die() {
  local code=$1
  shift
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    printf '::error title=release-kit action::%s\n' "$(escape "$*")" >&2
  else
    printf 'error: %s\n' "$(escape "$*")" >&2
  fi
  set_output exit-code "$code"
  exit "$code"
}

# A step output, in the runner's `name=value` form (values here are numbers).
set_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# Splits $1 on newlines into the array `lines`, dropping empty lines and a trailing CR.
# (No nameref or mapfile: macOS runners may run bash 3.2.)
lines=()
split_lines() {
  local line
  lines=()
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    if [ -n "$line" ]; then lines+=("$line"); fi
  done <<<"$1"
}

readonly TOOLS="changelog-check bump-version verify-distcheck bench-compare stage-rc publish-dist build-rpms"
tool=${RK_TOOL:-}
[ -n "$tool" ] || die 2 "the \`tool\` input is required: one of $TOOLS"
case " $TOOLS " in
  *" $tool "*) ;;
  *) die 2 "unknown tool \`$tool\`; release-kit's tools are: $TOOLS" ;;
esac

split_lines "${RK_ARGS:-}"
args=("${lines[@]+"${lines[@]}"}")

command=${RK_COMMAND:-}
commands=${RK_COMMANDS:-}
if [ -n "$command" ] && [ -n "$commands" ]; then
  case " $commands " in
    *" $command "*) ;;
    *) die 2 "$tool has no command \`$command\`; use one of: $commands" ;;
  esac
fi

# An input is given when its RELEASE_KIT_ twin is non-empty or the args carry its flag.
given() {
  local name=$1 var arg
  [ "$name" = command ] && { [ -n "$command" ]; return; }
  var=RELEASE_KIT_$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')
  [ -n "${!var:-}" ] && return 0
  for arg in "${args[@]+"${args[@]}"}"; do
    case "$arg" in "--$name" | "--$name="*) return 0 ;; esac
  done
  return 1
}

required_list=${RK_REQUIRED:-}
read -r -a required <<<"${required_list//$'\n'/ }"
for spec in "${required[@]+"${required[@]}"}"; do
  name=${spec%%@*}
  if [ "$spec" != "$name" ]; then
    case ",${spec#*@}," in
      *",${command:-${RK_IMPLICIT_COMMAND:-}},"*) ;;
      *) continue ;;
    esac
  fi
  if ! given "$name"; then
    if [ "$name" = command ]; then
      die 2 "$tool needs the \`command\` input: one of $commands"
    fi
    die 2 "$tool${command:+ $command} needs the \`$name\` input (its --$name flag); set it under \`with:\`"
  fi
done

argv=()
if [ -n "$command" ] && [ "$command" != "${RK_IMPLICIT_COMMAND:-}" ]; then
  argv+=("$command")
fi
split_lines "${RK_SET:-}"
for s in "${lines[@]+"${lines[@]}"}"; do
  argv+=(--set "$s")
done
case "${RK_VERBOSE:-}" in
  "" | false | 0) ;;
  true) argv+=(-v) ;;
  *)
    if ! [[ "$RK_VERBOSE" =~ ^[0-9]$ ]] || [ "$RK_VERBOSE" -gt 3 ]; then
      die 2 "verbose is \`$RK_VERBOSE\`; use true, false or a count from 0 to 3"
    fi
    for ((i = 0; i < RK_VERBOSE; i++)); do argv+=(-v); done
    ;;
esac
case "${RK_QUIET:-}" in
  "" | false) ;;
  true) argv+=(-q) ;;
  *) die 2 "quiet is \`$RK_QUIET\`; use true or false" ;;
esac
argv+=("${args[@]+"${args[@]}"}")

binary=$(bash "$here/install.sh" "$tool")
status=$?
[ "$status" -eq 0 ] || { set_output exit-code "$status"; exit "$status"; }

# The values are not echoed: a secret passed in args must stay whole so the runner can mask it.
printf 'release-kit: running %s%s with %d argument(s)\n' "$tool" "${command:+ $command}" "${#argv[@]}" >&2
"$binary" "${argv[@]+"${argv[@]}"}"
status=$?
set_output exit-code "$status"
exit "$status"
