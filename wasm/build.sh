#!/usr/bin/env bash
# Build the npm package `ostracon-wasm` into wasm/pkg/:
#
#     pkg/web/, pkg/node/            full API (booth + record verifier)
#     pkg/booth/web/, pkg/booth/node/ booth subset: no verifyRecord (a smaller module)
#     pkg/package.json, README.md    conditional exports: "ostracon-wasm" and
#                                    "ostracon-wasm/booth" pick node/ or web/
#
# Usage: wasm/build.sh [--dev] [--no-opt] [--if-stale]
#   --dev       debug build (fast to compile, large and slow)
#   --no-opt    skip wasm-opt even if it is installed
#   --if-stale  do nothing if wasm/pkg is newer than every source it is built from
#   --simd      enable wasm SIMD (simd128): ~10% faster encryption measured here, but
#               the module no longer loads on browsers without it (Safari < 16.4,
#               Chrome < 91, Firefox < 89), so it is not the default
#
# Toolchain routes, tried in this order (OSTRACON_WASM_ROUTE=rustup|debian forces one):
#   rustup  rustc has the wasm32-unknown-unknown standard library
#           (`rustup target add wasm32-unknown-unknown`): plain cargo build.
#   debian  Debian's rustc-web/cargo-web/rust-web-src (/usr/bin/rustc, std sources):
#           -Zbuild-std with RUSTC_BOOTSTRAP=1, linked by rustup's rust-lld
#           (scripts/install-wasm-deps installs these packages).
# wasm-bindgen-cli must be the exact version pinned in wasm/Cargo.toml
# (`cargo install wasm-bindgen-cli --version X`). wasm-opt (binaryen) runs if present.
#
# The package goes to wasm/pkg (OSTRACON_WASM_PKG); cargo output to target/wasm/<route>
# (OSTRACON_WASM_TARGET_DIR), apart from the workspace's native builds.
set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$WASM_DIR/.." && pwd)"
cd "$ROOT"

say() { printf '[wasm/build.sh] %s\n' "$*"; }
die() { printf '[wasm/build.sh] error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

profile=release
run_opt=1
if_stale=0
simd=0
while (($#)); do
    case "$1" in
        --dev) profile=dev ;;
        --no-opt) run_opt=0 ;;
        --if-stale) if_stale=1 ;;
        --simd) simd=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done

TARGET=wasm32-unknown-unknown
PKG="${OSTRACON_WASM_PKG:-$WASM_DIR/pkg}"

if ((if_stale)) && [[ -f "$PKG/package.json" ]]; then
    newer="$(find "$WASM_DIR/src" "$WASM_DIR/Cargo.toml" "$WASM_DIR/build.sh" "$WASM_DIR/README.md" \
        "$ROOT/core/src" "$ROOT/core/Cargo.toml" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" \
        -newer "$PKG/package.json" -print -quit 2>/dev/null)"
    if [[ -z "$newer" ]]; then
        say "wasm/pkg is up to date (--if-stale)"
        exit 0
    fi
    say "rebuilding: $newer changed"
fi
PINNED="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$WASM_DIR/Cargo.toml")"
VERSION="$(sed -n 's/^version = "\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n1)"
[[ -n "$PINNED" ]] || die "wasm/Cargo.toml must pin wasm-bindgen with '=x.y.z'"

# --- wasm-bindgen-cli -----------------------------------------------------------
have wasm-bindgen || die "wasm-bindgen not found: cargo install wasm-bindgen-cli --version $PINNED (or scripts/install-wasm-deps)"
cli="$(wasm-bindgen --version | awk '{print $2}')"
[[ "$cli" == "$PINNED" ]] || die "wasm-bindgen-cli is $cli but the crate pins $PINNED: cargo install wasm-bindgen-cli --version $PINNED --force"

# --- toolchain route --------------------------------------------------------------
rustup_ok() {
    have rustc || return 1
    local libdir
    libdir="$(rustc --print target-libdir --target "$TARGET" 2>/dev/null)" || return 1
    compgen -G "$libdir/libstd-*.rlib" >/dev/null
}
debian_ok() {
    [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] || return 1
    local sysroot
    sysroot="$(/usr/bin/rustc --print sysroot 2>/dev/null)" || return 1
    [[ -f "$sysroot/lib/rustlib/src/rust/library/std/Cargo.toml" ]]
}
route="${OSTRACON_WASM_ROUTE:-auto}"
if [[ "$route" == auto ]]; then
    if rustup_ok; then route=rustup
    elif debian_ok; then route=debian
    elif have rustup && rustup target add "$TARGET" >&2 && rustup_ok; then route=rustup
    else die "no Rust toolchain for $TARGET: 'rustup target add $TARGET', or run scripts/install-wasm-deps (Debian's rustc-web, cargo-web, rust-web-src)"
    fi
fi
say "route: $route, profile: $profile"

TARGET_DIR="${OSTRACON_WASM_TARGET_DIR:-target/wasm}/$route"
if ((simd)); then
    # Applies to the whole build (std too, on the Debian route): its own target dir.
    export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"
    TARGET_DIR="$TARGET_DIR-simd"
    say "simd128 enabled"
fi
# Size and speed: fat LTO and one codegen unit; size-optimised code (opt-level "s")
# except the arithmetic that encryption and proofs spend their time in.
# shellcheck disable=SC2054 # commas belong to cargo's arguments
CONFIG=(
    --config 'profile.release.lto="fat"'
    --config 'profile.release.codegen-units=1'
    --config 'profile.release.opt-level="s"'
    --config 'profile.release.package."*".opt-level="s"'
    --config 'profile.release.package.curve25519-dalek.opt-level=3'
    --config 'profile.release.package.sha2.opt-level=3'
    --config 'profile.release.package.bulletproofs.opt-level=3'
)
cargo_build() { # extra cargo args...
    local args=(build -p ostracon-wasm --lib --target "$TARGET" --target-dir "$TARGET_DIR" "${CONFIG[@]}" "$@")
    [[ $profile == release ]] && args+=(--release)
    case "$route" in
        rustup) (set -x; cargo "${args[@]}") ;;
        debian)
            debian_ok || die "Debian route: /usr/bin/rustc has no std sources (apt-get install rustc-web cargo-web rust-web-src)"
            local lld
            lld="$(rustc --print sysroot 2>/dev/null)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
            [[ -x "$lld" ]] || lld="$(command -v rust-lld || command -v wasm-ld || true)"
            [[ -n "$lld" ]] || die "Debian route needs a wasm linker: rustup's rust-lld, or lld (wasm-ld)"
            # shellcheck disable=SC2054
            (set -x; env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
                CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$lld" \
                /usr/bin/cargo "${args[@]}" -Zbuild-std=std,panic_abort) ;;
        *) die "OSTRACON_WASM_ROUTE must be rustup, debian or auto" ;;
    esac
}

case "$(cd "$(dirname "$PKG")" && pwd)/$(basename "$PKG")" in
    / | "$ROOT" | "$WASM_DIR" | "$HOME") die "refusing to replace $PKG: set OSTRACON_WASM_PKG to a package directory" ;;
esac
out_dir="$TARGET_DIR/$TARGET/$([[ $profile == release ]] && echo release || echo debug)"
rm -rf "$PKG"
mkdir -p "$PKG"

# wasm-opt: the npm package binaryen (wasm/node_modules, installed by `npm ci` in wasm/)
# first, else one on PATH. Old binaryen releases (Debian 12 ships 108) mangle the
# externref table that wasm-bindgen emits, so every optimised module is loaded once in
# Node before it is kept; a module that fails is replaced by the unoptimised one.
WASM_OPT=""
if ((run_opt)) && [[ $profile == release ]]; then
    if [[ -x "$WASM_DIR/node_modules/.bin/wasm-opt" ]]; then WASM_OPT="$WASM_DIR/node_modules/.bin/wasm-opt"
    elif have wasm-opt; then WASM_OPT="$(command -v wasm-opt)"
    fi
    if [[ -n "$WASM_OPT" ]]; then say "wasm-opt: $WASM_OPT ($("$WASM_OPT" --version))"
    else say "wasm-opt not found: skipping it (npm ci in wasm/, or install binaryen)"
    fi
fi

# optimise DIR: wasm-opt -O3 the module of a wasm-bindgen output directory, keep it
# only if it still loads.
optimise() {
    local dir="$1" target="$2" f="$1/ostracon_wasm_bg.wasm"
    [[ -n "$WASM_OPT" ]] || return 0
    cp "$f" "$f.orig"
    "$WASM_OPT" -O3 "$f.orig" -o "$f"
    if have node; then
        local check
        if [[ $target == nodejs ]]; then
            check="require('$dir/ostracon_wasm.js').version()"
        else
            check="import('$dir/ostracon_wasm.js').then(m => m.initSync({ module: require('fs').readFileSync('$f') }))"
        fi
        if ! node -e "$check" >/dev/null 2>&1; then
            say "warning: the module optimised by $WASM_OPT does not load; keeping the unoptimised one"
            cp "$f.orig" "$f"
        fi
    fi
    rm -f "$f.orig"
}

# variant name, output subdirectory, cargo feature args
build_variant() {
    local name="$1" sub="$2"
    shift 2
    cargo_build "$@"
    local wasm="$out_dir/ostracon_wasm.wasm"
    local staged="$TARGET_DIR/$name.wasm"
    cp "$wasm" "$staged"
    for t in web node; do
        local dir="$PKG/${sub:+$sub/}$t"
        local target
        target="$([[ $t == node ]] && echo nodejs || echo web)"
        wasm-bindgen --target "$target" --weak-refs --out-dir "$dir" --out-name ostracon_wasm "$staged"
        # web/ is ES modules, node/ CommonJS, whatever the enclosing package says.
        printf '{ "type": "%s" }\n' "$([[ $t == node ]] && echo commonjs || echo module)" >"$dir/package.json"
        optimise "$dir" "$target"
    done
    local f="$PKG/${sub:+$sub/}web/ostracon_wasm_bg.wasm"
    say "$name: $(stat -c %s "$f") bytes .wasm, $(gzip -9c "$f" | wc -c) gzip -9 ($f)"
}

build_variant full ""
build_variant booth booth --no-default-features

cp "$WASM_DIR/README.md" "$PKG/README.md"
entry() { # subdir
    local p="./${1:+$1/}"
    printf '{ "node": { "types": "%snode/ostracon_wasm.d.ts", "default": "%snode/ostracon_wasm.js" }, ' "$p" "$p"
    printf '"default": { "types": "%sweb/ostracon_wasm.d.ts", "default": "%sweb/ostracon_wasm.js" } }' "$p" "$p"
}
cat >"$PKG/package.json" <<EOF
{
  "name": "ostracon-wasm",
  "version": "$VERSION",
  "description": "End-to-end verifiable elections in the browser and Node: encrypt, challenge and verify ballots, verify election records (WebAssembly build of the ostracon Rust library)",
  "license": "Apache-2.0 OR MIT",
  "repository": { "type": "git", "url": "https://github.com/ostracon-vote/ostracon", "directory": "wasm" },
  "keywords": ["voting", "election", "e2e-verifiable", "cryptography", "wasm"],
  "main": "./node/ostracon_wasm.js",
  "types": "./node/ostracon_wasm.d.ts",
  "exports": {
    ".": $(entry ""),
    "./booth": $(entry booth),
    "./web": { "types": "./web/ostracon_wasm.d.ts", "default": "./web/ostracon_wasm.js" },
    "./node": { "types": "./node/ostracon_wasm.d.ts", "default": "./node/ostracon_wasm.js" },
    "./booth/web": { "types": "./booth/web/ostracon_wasm.d.ts", "default": "./booth/web/ostracon_wasm.js" },
    "./booth/node": { "types": "./booth/node/ostracon_wasm.d.ts", "default": "./booth/node/ostracon_wasm.js" },
    "./web/ostracon_wasm_bg.wasm": "./web/ostracon_wasm_bg.wasm",
    "./booth/web/ostracon_wasm_bg.wasm": "./booth/web/ostracon_wasm_bg.wasm",
    "./package.json": "./package.json"
  },
  "files": ["web", "node", "booth", "README.md"],
  "sideEffects": false
}
EOF
say "ok: package in $PKG"
