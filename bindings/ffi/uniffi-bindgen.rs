//! `uniffi-bindgen`, built from the same pinned uniffi as the scaffolding so the
//! generated Kotlin and Swift always match the cdylib:
//!
//! ```sh
//! cargo run -p ostracon-ffi --features cli --bin uniffi-bindgen -- \
//!     generate --library target/ffi/release/libostracon_ffi.so --language kotlin --out-dir OUT
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
