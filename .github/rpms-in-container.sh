#!/usr/bin/env bash
# Runs inside a distro container of .github/workflows/rpms.yml (the checkout mounted at the working
# directory): installs the distro's packaging tools, imports the signing key into a throwaway
# keyring and runs build-rpms through actions/run.sh, with the build-rpms action's environment
# contract. Reads DISTRO, SIGNING_KEY, RELEASE_KIT_TAG, RELEASE_KIT_RELEASE,
# RELEASE_KIT_RPM_SIGN_KEY from the environment.
set -euo pipefail
[[ "${DISTRO:-}" =~ ^[a-z][a-z0-9_]*$ ]] || { echo "error: DISTRO \`${DISTRO:-}\` is not a name like el9" >&2; exit 2; }
if grep -q 'CentOS Linux release 7' /etc/redhat-release 2>/dev/null; then
  # CentOS 7 is end of life: its packages live on vault.centos.org.
  sed -i -e 's/^mirrorlist=/#mirrorlist=/' -e 's|^#baseurl=http://mirror.centos.org|baseurl=http://vault.centos.org|' /etc/yum.repos.d/CentOS-*.repo
fi
if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi
$pm install -y -q rpm-build rpm-sign createrepo_c gnupg2 git make gcc gcc-c++ autoconf automake libtool which
git config --global --add safe.directory "$PWD"
export GNUPGHOME
GNUPGHOME=$(mktemp -d)
if [ -n "${SIGNING_KEY:-}" ]; then printf '%s\n' "$SIGNING_KEY" | gpg --batch --quiet --import; fi
unset SIGNING_KEY
export RK_TOOL=build-rpms RK_BINARY_DIR=.release-kit/bin
export RELEASE_KIT_REPO_DIR=rpm-repo RELEASE_KIT_JUNIT=build-rpms-junit.xml
RK_SET=$(printf 'rpm.distro=%s\nrpm.dist_tag=.%s\n' "$DISTRO" "$DISTRO")
export RK_SET
exec bash actions/run.sh
