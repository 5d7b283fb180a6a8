# shellcheck shell=bash
# Helpers shared by the scripts in scripts/. Source it; do not run it.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Sets REPO_ROOT and cds there, so every script works from any directory.

# set -e also inside $(...) (bash >= 4.4).
shopt -s inherit_errexit

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT" || exit 1

# Colour only on a terminal (CI logs stay plain).
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
    _c_bold=$'\e[1m' _c_red=$'\e[31m' _c_green=$'\e[32m' _c_yellow=$'\e[33m' _c_off=$'\e[0m'
else
    _c_bold='' _c_red='' _c_green='' _c_yellow='' _c_off=''
fi

info() { printf '%s[%s]%s %s\n' "$_c_bold" "${SCRIPT_NAME:-scripts}" "$_c_off" "$*"; }
warn() { printf '%s[%s] warning:%s %s\n' "$_c_yellow" "${SCRIPT_NAME:-scripts}" "$_c_off" "$*" >&2; }
die()  { printf '%s[%s] error:%s %s\n' "$_c_red" "${SCRIPT_NAME:-scripts}" "$_c_off" "$*" >&2; exit 1; }

# Print a command, then run it.
run() { printf '+ %s\n' "$*"; "$@"; }

have() { command -v "$1" >/dev/null 2>&1; }

# Prefix for commands that need root: empty as root, "sudo" where sudo works
# without a password prompt we cannot answer (CI has no stdin), else fail.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif have sudo && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        die "need root to run: $* (run it yourself as root, or give this user passwordless sudo)"
    fi
}

# True if the Debian package is installed.
deb_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# apt_install PKG...: install the Debian packages that are not installed yet.
# Idempotent: does nothing (not even `apt-get update`) when all are present.
apt_install() {
    if ! have dpkg-query || ! have apt-get; then
        die "apt/dpkg not found: install these packages by hand: $*"
    fi
    local missing=() p
    for p in "$@"; do deb_installed "$p" || missing+=("$p"); done
    if ((${#missing[@]} == 0)); then
        info "Debian packages already installed: $*"
        return 0
    fi
    info "installing Debian packages: ${missing[*]}"
    if [[ -z "${_APT_UPDATED:-}" ]]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        _APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# Minimum Rust version of the workspace (`rust-version` in the root Cargo.toml).
workspace_rust_version() {
    sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "$REPO_ROOT/Cargo.toml" | head -n1
}

# version_ge A B: true if dotted version A >= B.
version_ge() {
    [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}
