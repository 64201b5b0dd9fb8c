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

# Installs Python command-line tools from PyPI when missing. Each argument is COMMAND:PACKAGE.
rk_need_pip_tools() {
  local missing=() spec cmd pkg
  for spec in "$@"; do
    cmd=${spec%%:*}
    pkg=${spec#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing missing Python tools: ${missing[*]}" >&2
  python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2
}

# The Rust toolchain cannot be installed from here; say so plainly.
rk_need_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo is not installed; install the Rust toolchain (https://rustup.rs) and retry" >&2
    exit 2
  fi
}

# The system tools release-kit drives, as COMMAND:PACKAGE.
RK_SYSTEM_TOOLS=(
  git:git make:make gcc:gcc autoreconf:autoconf automake:automake libtoolize:libtool
  pkg-config:pkg-config cmake:cmake svn:subversion svnadmin:subversion gpg:gnupg
  rpmbuild:rpm createrepo_c:createrepo-c python3:python3
)
