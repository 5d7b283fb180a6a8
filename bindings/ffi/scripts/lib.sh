# shellcheck shell=bash
# Shared by bindings/ffi/scripts/* and scripts/test-kotlin. Source it after
# scripts/lib/common.sh (which cds to the repository root).

# shellcheck disable=SC2034 # the variables are for the scripts that source this file
# Where the binding's builds go: its own target directory, so that building the
# release cdylib does not wait on (or invalidate) the workspace's debug builds.
FFI_TARGET_DIR="${OSTRACON_FFI_TARGET_DIR:-target/ffi}"
FFI_LIB_DIR="$FFI_TARGET_DIR/release"
case "$(uname -s)" in
    Darwin) FFI_CDYLIB="$FFI_LIB_DIR/libostracon_ffi.dylib" ;;
    *)      FFI_CDYLIB="$FFI_LIB_DIR/libostracon_ffi.so" ;;
esac
FFI_BINDGEN="$FFI_LIB_DIR/uniffi-bindgen"
FFI_KOTLIN_DIR=bindings/ffi/kotlin
FFI_SWIFT_DIR=bindings/ffi/swift

# Builds the release cdylib, the pinned uniffi-bindgen and the helper examples
# (fixtures, Rust-side checker, native benchmark) in one cargo invocation.
ffi_build() {
    run env CARGO_TARGET_DIR="$FFI_TARGET_DIR" cargo build --release \
        -p ostracon-ffi --features cli --lib --bins --examples
}

# ffi_generate LANGUAGE OUT_DIR: the bindings, in library mode, from the built cdylib.
ffi_generate() {
    rm -rf "$2"
    mkdir -p "$2"
    "$FFI_BINDGEN" generate "$FFI_CDYLIB" --language "$1" --no-format --out-dir "$2" >/dev/null
}

ffi_need_jvm() {
    have java || die "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)"
    have mvn || die "mvn not found: install Maven 3.8+ (Debian: apt-get install maven)"
}
